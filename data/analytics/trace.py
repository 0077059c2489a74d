"""Traceability queries: find a part by serial (or part id) and read everything recorded for
it across processes and stations. Every value is a bound parameter; only the validated
database name is put into SQL."""

from __future__ import annotations

from typing import Any

import polars as pl

from data.analytics.clickhouse import validate_identifier
from data.analytics.curves import Session

CURVE_COLUMNS = ("curve_id", "part_id", "serial", "ts", "process", "line", "station",
                 "product", "batch", "result", "defect_mode", "x_name", "x_unit", "y_name",
                 "y_unit", "n_points")
PART_COLUMNS = ("part_id", "serial", "ts", "line", "station", "product", "batch", "shift",
                "result", "first_pass", "defect_mode")
ALERT_COLUMNS = ("alert_id", "ts", "rule", "severity", "line", "station", "feature",
                 "message")


def _db(session: Session) -> str:
    return validate_identifier(session.database)


def search_serials(session: Session, *, prefix: str, part_id: int | None,
                   limit: int) -> list[dict[str, Any]]:
    """Serials starting with ``prefix`` (or the part ``part_id``), from curves and part
    results: serial, part id, how many curves, first and last time; at most ``limit``,
    alphabetically."""
    match = "startsWith(serial, {prefix:String})" + (
        " OR part_id = {pid:UInt64}" if part_id is not None else "")
    sql = f"""
        SELECT serial, min(part_id) AS part_id, sum(n_curves) AS n_curves, min(first) AS first,
               max(last) AS last
        FROM (
            SELECT serial, part_id, count() AS n_curves, min(ts) AS first, max(ts) AS last
            FROM {_db(session)}.curves WHERE {match} GROUP BY serial, part_id
            UNION ALL
            SELECT serial, part_id, 0 AS n_curves, min(ts) AS first, max(ts) AS last
            FROM {_db(session)}.parts WHERE {match} GROUP BY serial, part_id)
        GROUP BY serial ORDER BY serial LIMIT {{limit:UInt32}}"""
    params: dict[str, Any] = {"prefix": prefix, "limit": limit}
    if part_id is not None:
        params["pid"] = part_id
    rows = session.rows(sql, parameters=params)
    return [{"serial": str(r[0]), "part_id": int(r[1]), "n_curves": int(r[2]),
             "first": r[3], "last": r[4]} for r in rows]


def part_curves(session: Session, *, serial: str, limit: int) -> list[dict[str, Any]]:
    """The curves recorded for ``serial`` (any process), oldest first, at most ``limit``."""
    rows = session.rows(
        f"SELECT curve_id, part_id, serial, ts, process, line, station, product, batch, "
        f"toString(result), defect_mode, x_name, x_unit, y_name, y_unit, n_points "
        f"FROM {_db(session)}.curves WHERE serial = {{serial:String}} "
        f"ORDER BY ts, curve_id LIMIT {{limit:UInt32}}",
        parameters={"serial": serial, "limit": limit})
    return [dict(zip(CURVE_COLUMNS, r, strict=True)) for r in rows]


def part_results(session: Session, *, serial: str, limit: int) -> list[dict[str, Any]]:
    """The part results recorded for ``serial``, oldest first."""
    rows = session.rows(
        f"SELECT part_id, serial, ts, line, station, product, batch, shift, toString(result), "
        f"first_pass, defect_mode FROM {_db(session)}.parts WHERE serial = {{serial:String}} "
        f"ORDER BY ts, part_id LIMIT {{limit:UInt32}}",
        parameters={"serial": serial, "limit": limit})
    return [dict(zip(PART_COLUMNS, r, strict=True)) for r in rows]


def curve_features(session: Session, *, curve_ids: list[int]) -> list[dict[str, Any]]:
    """Every feature of these curves: curve id, process, feature, value, unit."""
    if not curve_ids:
        return []
    rows = session.rows(
        f"SELECT curve_id, process, feature, value, unit FROM {_db(session)}.curve_features "
        f"WHERE curve_id IN {{ids:Array(UInt64)}} ORDER BY curve_id, feature",
        parameters={"ids": list(curve_ids)})
    return [{"curve_id": int(r[0]), "process": str(r[1]), "feature": str(r[2]),
             "value": float(r[3]), "unit": str(r[4])} for r in rows]


def measurements(session: Session, *, part_ids: list[int], limit: int) -> list[dict[str, Any]]:
    """Gauge readings of these parts, oldest first."""
    if not part_ids:
        return []
    rows = session.rows(
        f"SELECT part_id, ts, station, characteristic, value, unit, lsl, usl "
        f"FROM {_db(session)}.measurements WHERE part_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY ts, characteristic LIMIT {{limit:UInt32}}",
        parameters={"ids": list(part_ids), "limit": limit})
    keys = ("part_id", "ts", "station", "characteristic", "value", "unit", "lsl", "usl")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def curve_alerts(session: Session, *, curve_ids: list[int], limit: int) -> list[dict[str, Any]]:
    """Alerts recorded in the cluster's ``alerts`` table that name any of these curves."""
    if not curve_ids:
        return []
    rows = session.rows(
        f"SELECT toString(alert_id), ts, rule, toString(severity), line, station, feature, "
        f"message FROM {_db(session)}.alerts WHERE hasAny(curve_ids, {{ids:Array(UInt64)}}) "
        f"ORDER BY ts LIMIT {{limit:UInt32}}",
        parameters={"ids": list(curve_ids), "limit": limit})
    return [dict(zip(ALERT_COLUMNS, r, strict=True)) for r in rows]


def samples(session: Session, *, curve_ids: list[int]) -> pl.DataFrame:
    """(curve_id, idx, x, y) of a part's curves, any process, in order."""
    if not curve_ids:
        return pl.DataFrame(schema={"curve_id": pl.UInt64, "idx": pl.UInt16,
                                    "x": pl.Float32, "y": pl.Float32})
    return session.frame(
        f"SELECT curve_id, idx, x, y FROM {_db(session)}.curve_samples "
        f"WHERE curve_id IN {{ids:Array(UInt64)}} ORDER BY curve_id, idx",
        parameters={"ids": list(curve_ids)})
