"""Curve ids of an import: one per (serial, process, ts), stable across batches, job-scoped."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from services.imports.curve_ids import CURVE_COLUMNS, CurveIds

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def batch(keys: list[tuple[str, str, int]]) -> pa.Table:
    """Rows of curves: ``(serial, process, seconds after T0)`` per row, two points each."""
    n = len(keys)
    return pa.table({
        "serial": [k[0] for k in keys], "process": [k[1] for k in keys],
        "ts": pa.array([T0 + dt.timedelta(seconds=k[2]) for k in keys], pa.timestamp("ms")),
        "idx": list(range(n)), "x": [float(i) for i in range(n)], "y": [1.0] * n,
        "row": list(range(2, n + 2)), "line": ["L"] * n, "station": ["S"] * n,
        "product": ["P"] * n, "batch": ["B"] * n, "result": [1] * n,
        "x_unit": ["mm"] * n, "y_unit": ["kN"] * n, "x_name": ["displacement"] * n,
        "y_name": ["force"] * n, "defect_mode": [""] * n})


def test_runs_of_equal_keys_share_an_id_and_new_curves_are_listed_once() -> None:
    ids = CurveIds(job_id=7)
    samples, curves = ids.split(batch([("A", "press", 0)] * 3 + [("B", "press", 0)] * 2))
    assert samples["curve_id"].to_pylist() == [7 << 32] * 3 + [(7 << 32) + 1] * 2
    assert curves["curve_id"].to_pylist() == [7 << 32, (7 << 32) + 1]
    assert curves["serial"].to_pylist() == ["A", "B"]
    assert curves["row"].to_pylist() == [2, 5]  # the first row of each curve
    assert curves.column_names == ["curve_id", *CURVE_COLUMNS]
    assert ids.curves == 2


def test_a_curve_continued_in_the_next_batch_keeps_its_id_and_is_not_new_again() -> None:
    ids = CurveIds(job_id=1)
    ids.split(batch([("A", "press", 0), ("A", "press", 0)]))
    samples, curves = ids.split(batch([("A", "press", 0), ("C", "screw", 5)]))
    assert samples["curve_id"].to_pylist() == [1 << 32, (1 << 32) + 1]
    assert curves["serial"].to_pylist() == ["C"]


def test_the_same_serial_at_another_time_or_process_is_another_curve() -> None:
    ids = CurveIds(job_id=2)
    samples, curves = ids.split(batch([("A", "press", 0), ("A", "press", 60),
                                       ("A", "screw", 60)]))
    assert len(set(samples["curve_id"].to_pylist())) == 3 and curves.num_rows == 3


def test_an_empty_batch_gives_empty_tables() -> None:
    samples, curves = CurveIds(job_id=3).split(batch([]))
    assert (samples.num_rows, curves.num_rows) == (0, 0)
