"""A small, fully known plant for the analytics query tests: parts, curves with samples and
features, gauge readings, production events and alerts, inserted into a cluster database
made by the ``cluster_session`` fixture. Every expected number in the tests follows from
these rows by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from services.clusters.query_session import ClusterSession

#: The plant's clock: every row is a whole number of minutes after this.
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)
#: (part_id, serial, minutes, line, station, product, batch, shift, result, first_pass,
#:  defect_mode)
PARTS = [
    (1, "SN-001", 0, "L1", "OP10", "P1", "B1", "A", "OK", 1, ""),
    (2, "SN-002", 10, "L1", "OP10", "P1", "B1", "A", "NOK", 1, "crack"),
    (3, "SN-003", 20, "L1", "OP20", "P2", "B2", "A", "OK", 0, ""),
    (4, "SN-004", 70, "L2", "OP10", "P1", "B2", "B", "WARNING", 1, ""),
    (5, "XK-100", 80, "L2", "OP20", "P2", "B2", "B", "NOK", 1, "burr"),
]
#: (curve_id, part_id, minutes, process, line, station, product, batch, result, defect_mode,
#:  y values (x = 0, 1, 2, …))
CURVES = [
    (11, 1, 0, "press", "L1", "OP10", "P1", "B1", "OK", "", [0.0, 10.0, 20.0]),
    (12, 2, 10, "press", "L1", "OP10", "P1", "B1", "NOK", "crack", [0.0, 30.0, 60.0, 90.0]),
    (13, 3, 20, "press", "L1", "OP20", "P2", "B2", "OK", "", [0.0, 12.0]),
    (14, 4, 70, "press", "L2", "OP10", "P1", "B2", "WARNING", "", [0.0, 14.0, 28.0]),
    (21, 1, 1, "screw", "L1", "OP10", "P1", "B1", "OK", "", [0.0, 5.0]),
    (22, 5, 80, "screw", "L2", "OP20", "P2", "B2", "NOK", "burr", [0.0, 7.0, 9.0]),
]
AXES = {"press": ("position", "mm", "force", "kN"), "screw": ("angle", "deg", "torque", "Nm")}
#: (curve_id, feature, value, unit)
FEATURES = [
    (11, "peak", 20.0, "kN"), (12, "peak", 90.0, "kN"), (13, "peak", 12.0, "kN"),
    (14, "peak", 28.0, "kN"), (11, "knee", 4.0, "mm"), (21, "final", 5.0, "Nm"),
    (22, "final", 9.0, "Nm"),
]
#: (part_id, minutes, station, characteristic, value, unit, lsl, usl)
MEASUREMENTS = [
    (1, 2, "OP30", "bore", 10.01, "mm", 9.9, 10.1),
    (1, 1, "OP30", "depth", 5.0, "mm", None, 5.5),
    (2, 12, "OP30", "bore", 10.3, "mm", 9.9, 10.1),
]
#: (minutes, line, station, state, reason, duration_s)
EVENTS = [
    (0, "L1", "OP10", "running", "", 600), (30, "L1", "OP10", "stopped", "jam", 120),
    (5, "L1", "OP20", "running", "", 0), (90, "L2", "OP10", "changeover", "P2", 300),
]
ALERT_ID = UUID("00000000-0000-0000-0000-0000000000a1")


def at(minutes: float) -> datetime:
    """The plant's time ``minutes`` after :data:`T0`."""
    return T0 + timedelta(minutes=minutes)


def read_back(minutes: float) -> datetime:
    """:func:`at` as the engine's rows give it back: UTC without a time zone."""
    return at(minutes).replace(tzinfo=None)


def insert(session: ClusterSession) -> None:
    """Insert every row above into the session's cluster database."""
    ch, db = session.ch, session.database
    ch.insert_rows("parts", [(p, s, at(m), ln, st, pr, b, sh, r, fp, d)
                             for p, s, m, ln, st, pr, b, sh, r, fp, d in PARTS], database=db,
                   column_names=["part_id", "serial", "ts", "line", "station", "product",
                                 "batch", "shift", "result", "first_pass", "defect_mode"])
    serial = {p[0]: p[1] for p in PARTS}
    ch.insert_rows("curves", [
        (c, p, serial[p], at(m), proc, ln, st, pr, b, r, d, *AXES[proc], len(ys), 0.0,
         float(len(ys) - 1), min(ys), max(ys))
        for c, p, m, proc, ln, st, pr, b, r, d, ys in CURVES], database=db,
        column_names=["curve_id", "part_id", "serial", "ts", "process", "line", "station",
                      "product", "batch", "result", "defect_mode", "x_name", "x_unit",
                      "y_name", "y_unit", "n_points", "x_min", "x_max", "y_min", "y_max"])
    ch.insert_rows("curve_samples", [
        (c, at(m), proc, i, float(i), y)
        for c, _p, m, proc, *_rest, ys in CURVES for i, y in enumerate(ys)], database=db,
        column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    by_curve = {c[0]: c for c in CURVES}
    ch.insert_rows("curve_features", [
        (c, by_curve[c][1], at(by_curve[c][2]), by_curve[c][3], by_curve[c][4],
         by_curve[c][5], by_curve[c][6], f, v, u) for c, f, v, u in FEATURES], database=db,
        column_names=["curve_id", "part_id", "ts", "process", "line", "station", "product",
                      "feature", "value", "unit"])
    ch.insert_rows("measurements", [
        (p, at(m), "L1", st, "P1", ch_, v, u, lo, hi)
        for p, m, st, ch_, v, u, lo, hi in MEASUREMENTS], database=db,
        column_names=["part_id", "ts", "line", "station", "product", "characteristic",
                      "value", "unit", "lsl", "usl"])
    ch.insert_rows("production_events", [(at(m), ln, st, state, why, d)
                                         for m, ln, st, state, why, d in EVENTS], database=db,
                   column_names=["ts", "line", "station", "state", "reason", "duration_s"])
    ch.insert_rows("alerts", [(ALERT_ID, at(15), "spec", "warning", "L1", "OP10", "peak",
                               [12, 99], "peak above USL")], database=db,
                   column_names=["alert_id", "ts", "rule", "severity", "line", "station",
                                 "feature", "curve_ids", "message"])
