"""Curve queries for the explorer: filter values, density grids, profiles, points, rows.

Every function takes a cluster session (``.rows/.arrow/.frame`` and ``.database``, see
``services.clusters.query_session.ClusterSession``) and binds every value as a ``{name:Type}``
parameter; the only text put into SQL is the validated database name and column names
from fixed allow-lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np
import polars as pl
import pyarrow as pa

from data.analytics.clickhouse import validate_identifier

#: Columns a filter or a colour may use (fixed; never taken from input).
FILTER_COLUMNS: dict[str, str] = {"lines": "line", "stations": "station",
                                  "products": "product", "batches": "batch"}
GROUP_COLUMNS: dict[str, str] = {"result": "toString(result)", "line": "line",
                                 "station": "station", "product": "product", "batch": "batch"}
ROW_COLUMNS = ("curve_id", "part_id", "serial", "ts", "line", "station", "product", "batch",
               "result", "defect_mode", "n_points")


class Session(Protocol):
    """What these functions need from a cluster session."""

    @property
    def database(self) -> str: ...

    def rows(self, sql: str, *, parameters: Any = None, settings: Any = None) -> Any: ...
    def arrow(self, sql: str, *, parameters: Any = None, settings: Any = None) -> pa.Table: ...
    def frame(self, sql: str, *, parameters: Any = None,
              settings: Any = None) -> pl.DataFrame: ...


@dataclass(frozen=True)
class CurveQuery:
    """Which curves: one process plus optional value lists and a time window (validated)."""

    process: str
    lines: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    batches: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def where_clause(query: CurveQuery, *, prefix: str = "") -> tuple[str, dict[str, Any]]:
    """The ``WHERE`` body over the ``curves`` table and its bound parameters."""
    parts = [f"{prefix}process = {{process:String}}"]
    params: dict[str, Any] = {"process": query.process}
    for key, column in FILTER_COLUMNS.items():
        values = getattr(query, key)
        if values:
            parts.append(f"{prefix}{column} IN {{{key}:Array(String)}}")
            params[key] = list(values)
    if query.results:
        parts.append(f"toString({prefix}result) IN {{results:Array(String)}}")
        params["results"] = list(query.results)
    if query.start is not None:
        parts.append(f"{prefix}ts >= {{start:DateTime64(3, 'UTC')}}")
        params["start"] = query.start
    if query.end is not None:
        parts.append(f"{prefix}ts <= {{end:DateTime64(3, 'UTC')}}")
        params["end"] = query.end
    return " AND ".join(parts), params


def _db(session: Session) -> str:
    return validate_identifier(session.database)


def processes(session: Session) -> list[str]:
    """The processes that have curves, alphabetically."""
    rows = session.rows(f"SELECT DISTINCT process FROM {_db(session)}.curves ORDER BY process")
    return [str(r[0]) for r in rows]


def known_values(session: Session, *, process: str) -> dict[str, list[str]]:
    """Distinct line/station/product/batch values of a process, plus its axis names."""
    out: dict[str, list[str]] = {}
    for key, column in FILTER_COLUMNS.items():
        rows = session.rows(f"SELECT DISTINCT {column} FROM {_db(session)}.curves "
                            f"WHERE process = {{process:String}} ORDER BY {column}",
                            parameters={"process": process})
        out[key] = [str(r[0]) for r in rows]
    axes = session.rows(f"SELECT any(x_name), any(x_unit), any(y_name), any(y_unit) "
                        f"FROM {_db(session)}.curves WHERE process = {{process:String}}",
                        parameters={"process": process})
    out["axes"] = [str(v) for v in axes[0]] if axes else ["x", "", "y", ""]
    return out


def summary(session: Session, query: CurveQuery) -> dict[str, Any]:
    """Count and value ranges of the matching curves."""
    where, params = where_clause(query)
    row = session.rows(f"SELECT count(), min(x_min), max(x_max), min(y_min), max(y_max) "
                       f"FROM {_db(session)}.curves WHERE {where}", parameters=params)[0]
    return {"count": int(row[0]), "x": (float(row[1] or 0), float(row[2] or 0)),
            "y": (float(row[3] or 0), float(row[4] or 0))}


def group_counts(session: Session, query: CurveQuery, *, color_by: str) -> dict[str, int]:
    """How many matching curves each value of the colour column has."""
    column = GROUP_COLUMNS[color_by]
    where, params = where_clause(query)
    rows = session.rows(f"SELECT {column} AS g, count() FROM {_db(session)}.curves "
                        f"WHERE {where} GROUP BY g", parameters=params)
    return {str(r[0]): int(r[1]) for r in rows}


def density(session: Session, query: CurveQuery, *, x_range: tuple[float, float],
            y_range: tuple[float, float], width: int, height: int, color_by: str,
            groups: list[str]) -> pl.DataFrame:
    """Per group and pixel ``k = col * height + row``: the summed curve weight ``w``
    (a point exactly on the upper edge goes into the last column/row).

    Each sample weighs ``1 / n_points`` of its curve, so every curve counts the same in
    total; any pixel a curve touches is non-zero (extremes are never lost).
    """
    where, params = where_clause(query, prefix="")
    column = GROUP_COLUMNS[color_by]
    (x0, x1), (y0, y1) = x_range, y_range
    params.update(x0=x0, x1=x1, y0=y0, y1=y1, sx=width / (x1 - x0), sy=height / (y1 - y0),
                  w1=width - 1, h=height, h1=height - 1, groups=groups)
    sql = f"""
        SELECT c.g AS g,
               least(toUInt32((s.x - {{x0:Float32}}) * {{sx:Float32}}), {{w1:UInt32}})
                 * {{h:UInt32}}
               + least(toUInt32((s.y - {{y0:Float32}}) * {{sy:Float32}}), {{h1:UInt32}}) AS k,
               sum(c.wt) AS w
        FROM {_db(session)}.curve_samples AS s
        INNER JOIN (SELECT curve_id, indexOf({{groups:Array(String)}}, {column}) AS g,
                           1.0 / greatest(n_points, 1) AS wt
                    FROM {_db(session)}.curves WHERE {where}) AS c ON s.curve_id = c.curve_id
        WHERE s.process = {{process:String}}
          AND s.x BETWEEN {{x0:Float32}} AND {{x1:Float32}}
          AND s.y BETWEEN {{y0:Float32}} AND {{y1:Float32}}
        GROUP BY g, k"""
    return session.frame(sql, parameters=params)


@dataclass(frozen=True)
class Window:
    """The filtered curves that cross an x window: how many, about how many of their
    samples lie in it, and the widest mean sample spacing among them."""

    curves: int
    samples: float
    spacing: float


def window(session: Session, query: CurveQuery, *, x_range: tuple[float, float]) -> Window:
    """:class:`Window` of the filtered curves crossing ``x_range`` (from their bounds)."""
    where, params = where_clause(query)
    params.update(x0=x_range[0], x1=x_range[1])
    rows = session.rows(
        f"SELECT count(), sum(n_points * (least(x_max, {{x1:Float64}}) - greatest(x_min, "
        f"{{x0:Float64}})) / greatest(x_max - x_min, 1e-30)), "
        f"max((x_max - x_min) / greatest(n_points - 1, 1)) FROM {_db(session)}.curves "
        f"WHERE {where} AND x_max >= {{x0:Float64}} AND x_min <= {{x1:Float64}}",
        parameters=params)
    count, samples, spacing = rows[0] if rows else (0, 0.0, 0.0)
    return Window(curves=int(count or 0), samples=float(samples or 0.0),
                  spacing=float(spacing or 0.0))


def window_curves(session: Session, query: CurveQuery, *, x_range: tuple[float, float],
                  color_by: str, groups: list[str]) -> pa.Table:
    """(curve_id, g) of the filtered curves crossing ``x_range`` in id order (``g``: the
    1-based index of its ``color_by`` value in ``groups``, 0 for another value)."""
    where, params = where_clause(query)
    params.update(x0=x_range[0], x1=x_range[1], groups=groups)
    return session.arrow(
        f"SELECT curve_id, toUInt16(indexOf({{groups:Array(String)}}, "
        f"{GROUP_COLUMNS[color_by]})) AS g FROM {_db(session)}.curves WHERE {where} "
        f"AND x_max >= {{x0:Float64}} AND x_min <= {{x1:Float64}} ORDER BY curve_id",
        parameters=params)


def window_samples(session: Session, query: CurveQuery, *,
                   x_range: tuple[float, float]) -> pa.Table:
    """(curve_id, idx, x, y) of the filtered curves' samples with x in ``x_range``
    (inclusive), in curve and sample order."""
    where, params = where_clause(query)
    params.update(x0=x_range[0], x1=x_range[1])
    return session.arrow(
        f"SELECT curve_id, toUInt32(idx) AS idx, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND x BETWEEN {{x0:Float64}} AND {{x1:Float64}} "
        f"AND curve_id IN (SELECT curve_id FROM {_db(session)}.curves WHERE {where} "
        f"AND x_max >= {{x0:Float64}} AND x_min <= {{x1:Float64}}) ORDER BY curve_id, idx",
        parameters=params)


def curve_points(session: Session, *, process: str, curve_ids: list[int]) -> pl.DataFrame:
    """The samples (curve_id, idx, x, y) of a few curves, in order."""
    if not curve_ids:
        return pl.DataFrame(schema={"curve_id": pl.UInt64, "idx": pl.UInt16,
                                    "x": pl.Float32, "y": pl.Float32})
    return session.frame(
        f"SELECT curve_id, idx, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY curve_id, idx", parameters={"process": process, "ids": list(curve_ids)})


def profile_arrays(session: Session, *, process: str, curve_ids: list[int],
                   x_range: tuple[float, float], bins: int, back: float = 0.0,
                   settings: dict[str, Any] | None = None) -> pa.Table:
    """The profiles of ``curve_ids`` (curves of ``process``) on a common x grid, one row per
    curve: ``curve_id`` and, per bin that has samples, its number ``b`` and the mean ``a``,
    min ``lo`` and max ``hi`` of y (Float32 arrays, bins ascending), over each curve's
    samples before the first one whose x is more than ``back`` (a share of the x range)
    below the largest x so far. One row of arrays a curve instead of a
    row a bin: 100,000 curves of 240 bins come back as ~340 MB instead of ~620 MB, with no
    pivot left to do."""
    if not curve_ids:
        return pa.table({"curve_id": pa.array([], pa.uint64()),
                         "b": pa.array([], pa.list_(pa.uint16())),
                         **{k: pa.array([], pa.list_(pa.float32())) for k in ("a", "lo", "hi")}})
    x0, x1 = x_range
    params = {"process": process, "ids": list(curve_ids), "x0": x0, "x1": x1,
              "sx": bins / (x1 - x0), "nb": bins, "back": back * (x1 - x0)}
    so_far = "OVER (PARTITION BY curve_id ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING " \
             "AND CURRENT ROW)"
    return session.arrow(f"""
        SELECT curve_id, groupArray(b) AS b, groupArray(a) AS a, groupArray(lo) AS lo,
               groupArray(hi) AS hi
        FROM (SELECT curve_id, least(toUInt16((x - {{x0:Float32}}) * {{sx:Float32}}),
                                     {{nb:UInt16}} - 1) AS b,
                     toFloat32(avg(y)) AS a, min(y) AS lo, max(y) AS hi
              FROM (SELECT curve_id, x, y, max(went_back) {so_far} AS returned
                    FROM (SELECT curve_id, idx, x, y,
                                 x < max(x) {so_far} - {{back:Float64}} AS went_back
                          FROM {_db(session)}.curve_samples
                          WHERE process = {{process:String}}
                            AND curve_id IN {{ids:Array(UInt64)}}))
              WHERE returned = 0 AND x BETWEEN {{x0:Float32}} AND {{x1:Float32}}
              GROUP BY curve_id, b ORDER BY curve_id, b)
        GROUP BY curve_id""", parameters=params, settings=settings)


def curve_rows(session: Session, query: CurveQuery, *, limit: int, offset: int = 0,
               curve_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Matching curves' metadata, newest first (or just ``curve_ids`` among them)."""
    where, params = where_clause(query)
    if curve_ids is not None:
        where += " AND curve_id IN {ids:Array(UInt64)}"
        params["ids"] = list(curve_ids)
    params.update(limit=limit, offset=offset)
    rows = session.rows(
        f"SELECT curve_id, part_id, serial, ts, line, station, product, batch, "
        f"toString(result), defect_mode, n_points FROM {_db(session)}.curves WHERE {where} "
        f"ORDER BY ts DESC, curve_id LIMIT {{limit:UInt32}} OFFSET {{offset:UInt64}}",
        parameters=params)
    return [dict(zip(ROW_COLUMNS, r, strict=True)) for r in rows]


def id_chunks(ids: list[int], *, parts: int) -> list[tuple[int, int]]:
    """``ids`` (any order) split into about ``parts`` inclusive id ranges of similar size,
    so that a long scan runs as several short queries (the embedded engine runs one query
    at a time; other requests get their turn between the parts)."""
    if not ids:
        return []
    ordered = sorted(ids)
    step = max(1, -(-len(ordered) // parts))
    return [(ordered[i], ordered[min(i + step, len(ordered)) - 1])
            for i in range(0, len(ordered), step)]


def curve_ids(session: Session, query: CurveQuery) -> list[int]:
    """Ids of every matching curve (read as Arrow: a column of 100,000 ids comes back in 19 ms
    instead of 65 ms as rows over HTTP)."""
    where, params = where_clause(query)
    table = session.arrow(f"SELECT curve_id FROM {_db(session)}.curves WHERE {where}",
                          parameters=params)
    return [int(value) for value in table.column(0).to_pylist()]


def features(session: Session, *, process: str, curve_id: int) -> list[tuple[str, float, str]]:
    """(feature, value, unit) of one curve."""
    rows = session.rows(
        f"SELECT feature, value, unit FROM {_db(session)}.curve_features "
        f"WHERE process = {{process:String}} AND curve_id = {{cid:UInt64}} ORDER BY feature",
        parameters={"process": process, "cid": curve_id})
    return [(str(r[0]), float(r[1]), str(r[2])) for r in rows]


def population_meta(session: Session, *, process: str, after_id: int) -> pl.DataFrame:
    """Per curve of ``process`` with ``curve_id > after_id`` (ascending): time (ms), point
    count, value bounds and every colour column as text."""
    columns = ", ".join(f"{expr} AS {name}" for name, expr in GROUP_COLUMNS.items())
    return session.frame(
        f"SELECT curve_id, toInt64(toUnixTimestamp64Milli(ts)) AS ts_ms, n_points, x_min, "
        f"x_max, y_min, y_max, {columns} FROM {_db(session)}.curves "
        f"WHERE process = {{process:String}} AND curve_id > {{after:Int64}} ORDER BY curve_id",
        parameters={"process": process, "after": after_id})


def population_meta_of(session: Session, *, process: str, ids: list[int]) -> pl.DataFrame:
    """:func:`population_meta`'s columns for the curves ``ids`` of ``process`` (ascending)."""
    columns = ", ".join(f"{expr} AS {name}" for name, expr in GROUP_COLUMNS.items())
    return session.frame(
        f"SELECT curve_id, toInt64(toUnixTimestamp64Milli(ts)) AS ts_ms, n_points, x_min, "
        f"x_max, y_min, y_max, {columns} FROM {_db(session)}.curves "
        f"WHERE process = {{process:String}} AND curve_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY curve_id", parameters={"process": process, "ids": ids})


def population_samples_of(session: Session, *, process: str, ids: list[int]) -> pl.DataFrame:
    """(curve_id, x, y) of the curves ``ids`` of ``process``, in curve and sample order."""
    return session.frame(
        f"SELECT curve_id, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY curve_id, idx", parameters={"process": process, "ids": ids})


def ids_upto(session: Session, *, process: str, last_id: int) -> np.ndarray:
    """The ids (ascending, int64) of ``process``'s curves with ``curve_id <= last_id``."""
    table = session.arrow(f"SELECT curve_id FROM {_db(session)}.curves WHERE process = "
                          f"{{process:String}} AND curve_id <= {{last:Int64}} ORDER BY curve_id",
                          parameters={"process": process, "last": last_id})
    return table.column(0).to_numpy().astype(np.int64) if table.num_rows \
        else np.zeros(0, dtype=np.int64)


def population_samples(session: Session, *, process: str,
                       id_range: tuple[int, int]) -> pl.DataFrame:
    """(curve_id, x, y) of ``process``'s curves with ids in ``id_range`` (inclusive), in
    curve and sample order."""
    return session.frame(
        f"SELECT curve_id, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id BETWEEN {{id0:UInt64}} AND "
        f"{{id1:UInt64}} ORDER BY curve_id, idx",
        parameters={"process": process, "id0": id_range[0], "id1": id_range[1]})


def sample_count(session: Session, *, process: str) -> int:
    """How many samples ``process`` has (from the curves' point counts)."""
    rows = session.rows(f"SELECT sum(n_points) FROM {_db(session)}.curves "
                        f"WHERE process = {{process:String}}", parameters={"process": process})
    return int(rows[0][0] or 0) if rows else 0


def count_upto(session: Session, *, process: str, last_id: int) -> int:
    """How many curves of ``process`` have ``curve_id <= last_id``."""
    rows = session.rows(f"SELECT count() FROM {_db(session)}.curves WHERE process = "
                        f"{{process:String}} AND curve_id <= {{last:Int64}}",
                        parameters={"process": process, "last": last_id})
    return int(rows[0][0]) if rows else 0
