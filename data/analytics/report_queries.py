"""The numbers of a PDF report, from one cluster's tables (filtered like the explorer)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from data.analytics.clickhouse import validate_identifier

_FILTERS = {"lines": "line", "stations": "station", "products": "product",
            "batches": "batch", "results": "toString(result)"}


def where_clause(filters: dict[str, Any], *, alias: str = "") -> tuple[str, dict[str, Any]]:
    """A ``WHERE`` for the curves table (``alias`` like ``"c."``) and its parameters."""
    parts, params = ["1"], {}
    if filters.get("process"):
        parts.append(f"{alias}process = {{process:String}}")
        params["process"] = filters["process"]
    for key, column in _FILTERS.items():
        if filters.get(key):
            col = column.replace("(result", f"({alias}result") if "(" in column else (
                f"{alias}{column}")
            parts.append(f"{col} IN {{{key}:Array(String)}}")
            params[key] = list(filters[key])
    if filters.get("start"):
        parts.append(f"{alias}ts >= parseDateTime64BestEffort({{start:String}}, 3, 'UTC')")
        params["start"] = filters["start"]
    if filters.get("end"):
        parts.append(f"{alias}ts < parseDateTime64BestEffort({{end:String}}, 3, 'UTC')")
        params["end"] = filters["end"]
    return " AND ".join(parts), params


def kpis(cs: Any, *, filters: dict[str, Any]) -> list[tuple[str, str, int, int, int, float]]:
    """(process, station, curves, ok, nok, mean peak) per process and station."""
    db = validate_identifier(cs.database)
    where, params = where_clause(filters)
    return [tuple(r) for r in cs.rows(
        f"SELECT process, station, count(), countIf(result = 'OK'), countIf(result = 'NOK'), "
        f"avg(y_max) FROM {db}.curves WHERE {where} GROUP BY process, station "
        "ORDER BY process, station LIMIT 50", parameters=params)]


def outliers(cs: Any, *, filters: dict[str, Any], limit: int = 12) -> list[tuple[Any, ...]]:
    """The curves whose peak is furthest from their process's median (robust z-score)."""
    db = validate_identifier(cs.database)
    where, params = where_clause(filters)
    aliased, _ = where_clause(filters, alias="c.")
    sql = (f"WITH m AS (SELECT process, median(y_max) AS med FROM {db}.curves WHERE {where} "
           "GROUP BY process), "
           "s AS (SELECT c.process AS process, any(m.med) AS med, "
           "greatest(median(abs(c.y_max - m.med)), 1e-9) AS mad "
           f"FROM {db}.curves AS c INNER JOIN m ON c.process = m.process WHERE {aliased} "
           "GROUP BY c.process) "
           "SELECT c.curve_id, c.serial, c.process, c.station, toString(c.result), c.y_max, "
           f"abs(c.y_max - s.med) / s.mad AS score FROM {db}.curves AS c "
           f"INNER JOIN s ON c.process = s.process WHERE {aliased} "
           "ORDER BY score DESC LIMIT {limit:UInt32}")
    return cs.rows(sql, parameters={**params, "limit": limit})


def sample_curves(cs: Any, *, filters: dict[str, Any], limit: int = 40,
                  per_process: int = 10) -> pa.Table:
    """Points of a few curves for the chart images: the latest ``per_process`` of each
    process matching the filters (``limit`` in all), in sample order (x may go back)."""
    db = validate_identifier(cs.database)
    where, params = where_clause(filters)
    return cs.arrow(
        f"SELECT s.curve_id AS curve_id, c.process AS process, toString(c.result) AS result, "
        f"s.idx AS idx, s.x AS x, s.y AS y FROM {db}.curve_samples AS s INNER JOIN ("
        f"SELECT curve_id, process, result FROM {db}.curves WHERE {where} "
        "ORDER BY ts DESC LIMIT {per:UInt32} BY process LIMIT {limit:UInt32}) AS c "
        "ON s.curve_id = c.curve_id ORDER BY process, curve_id, idx",
        parameters={**params, "limit": limit, "per": per_process})


def peaks(cs: Any, *, filters: dict[str, Any], limit: int = 20000) -> pa.Table:
    """Peak y of the latest curves, for the distribution chart."""
    db = validate_identifier(cs.database)
    where, params = where_clause(filters)
    return cs.arrow(f"SELECT process, y_max FROM {db}.curves WHERE {where} ORDER BY ts DESC "
                    "LIMIT {limit:UInt32}", parameters={**params, "limit": limit})
