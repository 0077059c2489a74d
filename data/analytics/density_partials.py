"""Queries of the explorer's stored density partials (tables in ``ch_schema.density_statements``).

A *grid* is one process's fixed cell layout (x and y range, y bins, x bins per pyramid level);
its partials are rows (grid, level, stored group, cell) → summed DenseLines weight. Every value
is bound as a parameter; the only text put into SQL is the validated database name and column
names from fixed allow-lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from data.analytics.ch_schema import DENSITY_KEY, month_rollup
from data.analytics.clickhouse import validate_identifier
from data.analytics.curves import GROUP_COLUMNS, CurveQuery, Session, where_clause

#: The stored group: a curve's day and these columns (``batch`` is not stored).
GROUP_KEY = ("line", "station", "product", "result")
#: Cells per INSERT (a block the engine takes well within its request timeout).
INSERT_ROWS = 1_000_000


@dataclass(frozen=True)
class Grid:
    """One process's grid and how far its partials are built."""

    process: str
    grid: int
    x0: float
    x1: float
    y0: float
    y1: float
    xbins: tuple[int, ...]
    ybins: int
    built_upto: int = 0
    curves: int = 0
    ready: bool = False
    #: Whether ``density_months`` holds all of this grid's partials (rolled up by month).
    months: bool = False
    #: How many of the coarsest levels ``density_partials`` holds per day; the finer levels
    #: are stored per month only (grids made before held every level in their days).
    day_levels: int = 1
    #: The batch a catch-up is inserting into this grid: its last curve id, its number of
    #: curves and the token its blocks are named from (``pending_upto`` 0: none). A batch
    #: cut short is repeated with the same curves and token, and the engine drops the
    #: blocks it already holds.
    pending_upto: int = 0
    pending_curves: int = 0
    pending_token: str = ""


class Writer(Session, Protocol):
    """A session that can also run statements and read one value."""

    def scalar(self, sql: str, *, parameters: Any = None, settings: Any = None) -> Any: ...
    def command(self, sql: str, *, parameters: Any = None, settings: Any = None) -> Any: ...


def _db(session: Session) -> str:
    return validate_identifier(session.database)


def grids(session: Session, *, process: str) -> list[Grid]:
    """The process's grids, newest first."""
    rows = session.rows(
        f"SELECT grid, x0, x1, y0, y1, xbins, ybins, built_upto, curves, ready, months, "
        f"day_levels, pending_upto, pending_curves, pending_token "
        f"FROM {_db(session)}.density_grids FINAL WHERE process = {{process:String}} "
        f"ORDER BY grid DESC", parameters={"process": process})
    return [Grid(process=process, grid=int(r[0]), x0=float(r[1]), x1=float(r[2]),
                 y0=float(r[3]), y1=float(r[4]), xbins=tuple(int(v) for v in r[5]),
                 ybins=int(r[6]), built_upto=int(r[7]), curves=int(r[8]), ready=bool(r[9]),
                 months=bool(r[10]), day_levels=int(r[11]), pending_upto=int(r[12]),
                 pending_curves=int(r[13]), pending_token=str(r[14]))
            for r in rows]


def save_grid(session: Writer, grid: Grid) -> None:
    """Record ``grid`` (replaces the earlier row of the same process and grid)."""
    session.command(
        f"INSERT INTO {_db(session)}.density_grids (process, grid, x0, x1, y0, y1, xbins, "
        f"ybins, built_upto, curves, ready, updated, months, day_levels, pending_upto, "
        f"pending_curves, pending_token) SELECT {{p:String}}, "
        f"{{g:UInt32}}, {{x0:Float64}}, {{x1:Float64}}, {{y0:Float64}}, {{y1:Float64}}, "
        f"{{xb:Array(UInt32)}}, {{yb:UInt32}}, {{upto:UInt64}}, {{n:UInt64}}, {{ready:UInt8}}, "
        f"now64(6), {{months:UInt8}}, {{dl:UInt8}}, {{pu:UInt64}}, {{pn:UInt64}}, "
        f"{{pt:String}}", parameters={
            "p": grid.process, "g": grid.grid, "x0": grid.x0, "x1": grid.x1, "y0": grid.y0,
            "y1": grid.y1, "xb": list(grid.xbins), "yb": grid.ybins, "upto": grid.built_upto,
            "n": grid.curves, "ready": int(grid.ready), "months": int(grid.months),
            "dl": grid.day_levels, "pu": grid.pending_upto, "pn": grid.pending_curves,
            "pt": grid.pending_token})


def drop_grid(session: Writer, *, process: str, grid: int) -> None:
    """Delete one grid's partials and its row (a superseded or unfinished build)."""
    params = {"p": process, "g": grid}
    for table in ("density_partials", "density_months", "density_members", "density_grids"):
        session.command(f"ALTER TABLE {_db(session)}.{table} DELETE WHERE process = "
                        f"{{p:String}} AND grid = {{g:UInt32}}", parameters=params,
                        settings={"mutations_sync": 2})


def fill_months(session: Writer, *, process: str, grid: int, levels: int) -> None:
    """Roll one grid's day partials of its coarsest ``levels`` levels (those its days hold)
    up into ``density_months`` from scratch (a grid built before the rollup existed; its
    later inserts may already be there, so they go first)."""
    params = {"p": process, "g": grid, "lv": levels}
    db = _db(session)
    mine = "process = {p:String} AND grid = {g:UInt32} AND level < {lv:UInt8}"
    session.command(f"ALTER TABLE {db}.density_months DELETE WHERE {mine}", parameters=params,
                    settings={"mutations_sync": 2})
    session.command(  # a rollup, not a repeated batch: never dropped as one
        f"INSERT INTO {db}.density_months (process, grid, level, month, {DENSITY_KEY}, w) "
        + month_rollup(db, where=mine), parameters=params, settings={"insert_deduplicate": 0})


def trim_days(session: Writer, *, process: str, grid: int, levels: int) -> None:
    """Delete one grid's day partials of the levels from ``levels`` on (its months hold
    them; a grid built when the days held every level)."""
    session.command(f"ALTER TABLE {_db(session)}.density_partials DELETE WHERE process = "
                    f"{{p:String}} AND grid = {{g:UInt32}} AND level >= {{lv:UInt8}}",
                    parameters={"p": process, "g": grid, "lv": levels},
                    settings={"mutations_sync": 2})


def new_curves(session: Session, *, process: str, after_id: int) -> pa.Table:
    """Curves of ``process`` with ``curve_id > after_id`` in id order: id, point count,
    bounds and the stored group."""
    return session.arrow(
        f"SELECT curve_id, n_points, x_min, x_max, y_min, y_max, toDate(ts) AS day, line, "
        f"station, product, toString(result) AS result FROM {_db(session)}.curves "
        f"WHERE process = {{process:String}} AND curve_id > {{after:UInt64}} "
        f"ORDER BY curve_id", parameters={"process": process, "after": after_id})


def curves_of(session: Session, *, process: str, ids: np.ndarray) -> pa.Table:
    """The :func:`new_curves` columns of the curves ``ids`` of ``process``, in id order."""
    return session.arrow(
        f"SELECT curve_id, n_points, x_min, x_max, y_min, y_max, toDate(ts) AS day, line, "
        f"station, product, toString(result) AS result FROM {_db(session)}.curves "
        f"WHERE process = {{process:String}} AND curve_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY curve_id", parameters={"process": process, "ids": [int(i) for i in ids]})


def late_curves(session: Session, *, process: str, grid: int, upto_id: int) -> pa.Table:
    """The :func:`new_curves` columns of the curves of ``process`` with ``curve_id <=
    upto_id`` that ``grid``'s partials do not hold (inserted after curves with higher ids
    were built: an import's ids are above a feed's), in id order."""
    db = _db(session)
    return session.arrow(
        f"SELECT curve_id, n_points, x_min, x_max, y_min, y_max, toDate(ts) AS day, line, "
        f"station, product, toString(result) AS result FROM {db}.curves "
        f"WHERE process = {{p:String}} AND curve_id <= {{upto:UInt64}} AND curve_id NOT IN "
        f"(SELECT curve_id FROM {db}.density_members WHERE process = {{p:String}} "
        f"AND grid = {{g:UInt32}}) ORDER BY curve_id",
        parameters={"p": process, "g": grid, "upto": upto_id})


def gone_members(session: Writer, *, process: str, grid: int) -> int:
    """How many curves ``grid``'s partials hold are no longer stored (deleted, expired)."""
    db = _db(session)
    return int(session.scalar(
        f"SELECT count() FROM {db}.density_members WHERE process = {{p:String}} "
        f"AND grid = {{g:UInt32}} AND curve_id NOT IN (SELECT curve_id FROM {db}.curves "
        f"WHERE process = {{p:String}})", parameters={"p": process, "g": grid}) or 0)


@dataclass(frozen=True)
class IdSet:
    """A set of curve ids in brief: how many, and the (wrapping) sum of their hashes."""

    count: int
    digest: int


def _id_set(session: Session, table: str, where: str, parameters: dict[str, Any]) -> IdSet:
    """:class:`IdSet` of the ``curve_id`` column of ``table`` (a name of this module's own)
    in the rows matching ``where``."""
    rows = session.rows(
        f"SELECT count(), sum(cityHash64(curve_id)) FROM {_db(session)}.{table} WHERE {where}",
        parameters=parameters)
    return IdSet(count=int(rows[0][0] or 0), digest=int(rows[0][1] or 0)) if rows \
        else IdSet(0, 0)


def stored_ids(session: Session, *, process: str, upto_id: int) -> IdSet:
    """:class:`IdSet` of the stored curves of ``process`` with ``curve_id <= upto_id``."""
    return _id_set(session, "curves", "process = {p:String} AND curve_id <= {upto:UInt64}",
                   {"p": process, "upto": upto_id})


def member_ids(session: Session, *, process: str, grid: int) -> IdSet:
    """:class:`IdSet` of the curves ``grid``'s partials hold."""
    return _id_set(session, "density_members", "process = {p:String} AND grid = {g:UInt32}",
                   {"p": process, "g": grid})


def batch_members(session: Session, *, process: str, grid: int, batch: str) -> np.ndarray:
    """The ids (ascending) recorded in ``grid`` by the batch named ``batch``."""
    table = session.arrow(
        f"SELECT curve_id FROM {_db(session)}.density_members WHERE process = {{p:String}} "
        f"AND grid = {{g:UInt32}} AND batch = {{b:String}} ORDER BY curve_id",
        parameters={"p": process, "g": grid, "b": batch})
    return table["curve_id"].to_numpy().astype(np.uint64) if table.num_rows \
        else np.zeros(0, dtype=np.uint64)


def insert_members(session: Any, *, process: str, grid: int, ids: np.ndarray,
                   batch: str) -> None:
    """Record that ``grid``'s partials hold the curves ``ids`` (one block, named from
    ``batch``: inserting it again adds nothing)."""
    n = len(ids)
    table = pa.table({"process": pa.array([process] * n, pa.string()),
                      "grid": pa.array(np.full(n, grid, dtype=np.uint32)),
                      "curve_id": pa.array(np.asarray(ids, dtype=np.uint64)),
                      "batch": pa.array([batch] * n, pa.string())})
    session.ch.insert_arrow("density_members", table, database=session.database, settings={
        "insert_deduplicate": 1, "insert_deduplication_token": f"{batch}:members"})


def samples_of(session: Session, *, process: str, ids: np.ndarray) -> pa.Table:
    """(curve_id, x, y) of the curves ``ids`` (ascending), in curve and sample order: an id
    range when they are all the ids in it, else the list."""
    first, last = int(ids[0]), int(ids[-1])
    if last - first + 1 == len(ids):
        return samples_between(session, process=process, ids=(first, last))
    return session.arrow(
        f"SELECT curve_id, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY curve_id, idx",
        parameters={"process": process, "ids": [int(i) for i in ids]})


def samples_between(session: Session, *, process: str, ids: tuple[int, int]) -> pa.Table:
    """(curve_id, x, y) of the curves with ids in ``ids`` (inclusive), in curve and sample
    order (a range, so the samples' primary key is used and no id list is sent)."""
    return session.arrow(
        f"SELECT curve_id, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id BETWEEN {{a:UInt64}} AND "
        f"{{b:UInt64}} ORDER BY curve_id, idx",
        parameters={"process": process, "a": ids[0], "b": ids[1]})


def samples_count(session: Session, *, process: str, ids: tuple[int, int]) -> pa.Table:
    """(curve_id, n) the samples stored per curve with ids in ``ids`` (inclusive)."""
    return session.arrow(
        f"SELECT curve_id, count() AS n FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id BETWEEN {{a:UInt64}} AND "
        f"{{b:UInt64}} GROUP BY curve_id",
        parameters={"process": process, "a": ids[0], "b": ids[1]})


def samples_count_of(session: Session, *, process: str, ids: np.ndarray) -> pa.Table:
    """(curve_id, n) the samples stored per curve of ``ids`` (any order)."""
    return session.arrow(
        f"SELECT curve_id, count() AS n FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id IN {{ids:Array(UInt64)}} "
        f"GROUP BY curve_id", parameters={"process": process, "ids": [int(i) for i in ids]})


def tail_samples(session: Session, query: CurveQuery, *, after_id: int,
                 upto_id: int) -> pa.Table:
    """(curve_id, x, y) of the matching curves with ids in ``(after_id, upto_id]``."""
    where, params = where_clause(query)
    params.update(after=after_id, upto=upto_id)
    return session.arrow(
        f"SELECT curve_id, x, y FROM {_db(session)}.curve_samples "
        f"WHERE process = {{process:String}} AND curve_id > {{after:UInt64}} "
        f"AND curve_id <= {{upto:UInt64}} AND curve_id IN (SELECT curve_id FROM "
        f"{_db(session)}.curves WHERE {where} AND curve_id > {{after:UInt64}}) "
        f"ORDER BY curve_id, idx", parameters=params)


def count_upto(session: Writer, *, process: str, last_id: int) -> int:
    """How many curves of ``process`` have ``curve_id <= last_id``."""
    return int(session.scalar(
        f"SELECT count() FROM {_db(session)}.curves WHERE process = {{p:String}} "
        f"AND curve_id <= {{last:UInt64}}", parameters={"p": process, "last": last_id}) or 0)


def insert_cells(session: Any, *, process: str, grid: int, level: int,
                 groups: list[tuple[date, str, str, str, str]], group: np.ndarray,
                 xb: np.ndarray, yb: np.ndarray, w: np.ndarray, token: str,
                 months: bool = False) -> int:
    """Insert cells (``group[i]`` indexes ``groups``: (day, line, station, product,
    result)) into the day partials, or (``months``: a level the days do not hold) into
    their months' rollup; returns the rows written.

    Every block is named from ``token`` (unique per batch of curves): inserting the same
    batch again with the same token adds nothing the tables already hold (the engine's
    insert deduplication, also in the months' materialized view), so a batch cut short is
    completed, never counted twice."""
    if not len(w):
        return 0
    keys: list[tuple[Any, ...]] = list(zip(*groups, strict=True)) if groups else [()] * 5
    days = [d.replace(day=1) for d in keys[0]] if months else list(keys[0])
    idx = pa.array(group.astype(np.int32))
    table = pa.table({
        "process": pa.array([process] * len(w), pa.string()),
        "grid": pa.array(np.full(len(w), grid, dtype=np.uint32)),
        "level": pa.array(np.full(len(w), level, dtype=np.uint8)),
        "month" if months else "day": pa.array(days, pa.date32()).take(idx),
        **{name: pa.array(list(keys[i + 1]), pa.string()).take(idx)
           for i, name in enumerate(GROUP_KEY)},
        "xb": pa.array(xb.astype(np.uint16)), "yb": pa.array(yb.astype(np.uint16)),
        "w": pa.array(w.astype(np.float32))})
    target = "density_months" if months else "density_partials"
    for first in range(0, table.num_rows, INSERT_ROWS):
        session.ch.insert_arrow(target, table.slice(first, INSERT_ROWS),
                                database=session.database, settings={
                                    "insert_deduplicate": 1,
                                    "deduplicate_blocks_in_dependent_materialized_views": 1,
                                    "insert_deduplication_token":
                                        f"{token}:{target}:{level}:{first}"})
    return table.num_rows


def _where(query: CurveQuery) -> tuple[str, dict[str, Any]]:
    """The conditions on the stored group's columns (not its day)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for key, column in (("lines", "line"), ("stations", "station"), ("products", "product")):
        values = getattr(query, key)
        if values:
            parts.append(f"{column} IN {{{key}:Array(String)}}")
            params[key] = list(values)
    if query.results:
        parts.append("toString(result) IN {results:Array(String)}")
        params["results"] = list(query.results)
    return "".join(f" AND {p}" for p in parts), params


def _bounds(column: str, bounds: tuple[tuple[str, str, date | None], ...],
            params: dict[str, Any], *, joined: str = " AND ") -> str:
    """Conditions ``column op {name}`` for the bounds given (``None``: none), bound."""
    found = [(op, name, value) for op, name, value in bounds if value is not None]
    params.update({name: value for _, name, value in found})
    return joined.join(f"{column} {op} {{{name}:Date}}" for op, name, _ in found)


def whole_months(start: date | None, end: date | None) -> tuple[date | None, date | None] | None:
    """The first and last month (their first days) lying wholly within the days ``start`` …
    ``end`` (``None`` bounds: open), or ``None`` when no month does."""
    first = None if start is None else (
        start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1))
    last = None
    if end is not None:
        month = end.replace(day=1)
        last = month if (end + timedelta(days=1)).day == 1 else (
            (month - timedelta(days=1)).replace(day=1))
    if first is not None and last is not None and first > last:
        return None
    return first, last


def reads_days(query: CurveQuery, *, months: bool) -> bool:
    """Whether :func:`cells` reads any day partials for ``query``'s days (``months``: the
    grid's rollup is filled): days outside the whole months of the range, or every day."""
    if not months:
        return True
    start = query.start.date() if query.start is not None else None
    end = query.end.date() if query.end is not None else None
    if whole_months(start, end) is None:
        return True
    return (start is not None and start.day != 1) or (
        end is not None and (end + timedelta(days=1)).day != 1)


def cells(session: Session, query: CurveQuery, *, grid: int, level: int, color_by: str,
          groups: list[str], cols: tuple[int, int], rows: tuple[int, int],
          months: bool = False) -> pa.Table:
    """Summed weight per (colour group ``g`` = 1-based index in ``groups``, 0: other value,
    ``xb``, ``yb``) of the stored groups the query is a union of, within the cell window
    ``cols`` × ``rows`` (half-open). ``months``: the grid's month rollup is filled, so the
    whole months of the query's days are read from it and only the other days from the day
    partials. Summed in ClickHouse and returned as 10 bytes a cell (UInt16 × 3, Float32)."""
    days = (query.start.date() if query.start is not None else None,
            query.end.date() if query.end is not None else None)
    span = whole_months(*days) if months else None
    where, params = _where(query)
    db = _db(session)
    cell = (f"process = {{p:String}} AND grid = {{g:UInt32}} AND level = {{lv:UInt8}} "
            f"AND xb BETWEEN {{c0:UInt16}} AND {{c1:UInt16}} "
            f"AND yb BETWEEN {{r0:UInt16}} AND {{r1:UInt16}}{where}")
    in_days = _bounds("day", ((">=", "d0", days[0]), ("<=", "d1", days[1])), params)
    in_days = f" AND {in_days}" if in_days else ""
    columns = f"{DENSITY_KEY}, w"
    parts = []
    if span is None:
        parts.append(f"SELECT {columns} FROM {db}.density_partials WHERE {cell}{in_days}")
    else:
        in_months = _bounds("month", ((">=", "m0", span[0]), ("<=", "m1", span[1])), params)
        parts.append(f"SELECT {columns} FROM {db}.density_months WHERE {cell}"
                     + (f" AND {in_months}" if in_months else ""))
        outside = _bounds("toStartOfMonth(day)", (("<", "m0", span[0]), (">", "m1", span[1])),
                          params, joined=" OR ")
        if outside:
            parts.append(f"SELECT {columns} FROM {db}.density_partials WHERE {cell}{in_days} "
                         f"AND ({outside})")
    column = GROUP_COLUMNS[color_by]
    params.update(p=query.process, g=grid, lv=level, c0=cols[0], c1=cols[1] - 1, r0=rows[0],
                  r1=rows[1] - 1, groups=groups)
    return session.arrow(
        f"SELECT toUInt16(indexOf({{groups:Array(String)}}, {column})) AS g, xb, yb, "
        f"toFloat32(sum(w)) AS w FROM ({' UNION ALL '.join(parts)}) GROUP BY g, xb, yb",
        parameters=params)


def tail_curves(session: Session, query: CurveQuery, *, after_id: int, limit: int) -> pa.Table:
    """Up to ``limit + 1`` matching curves with ``curve_id > after_id`` (newer than the
    built partials): id and every colour column."""
    where, params = where_clause(query)
    columns = ", ".join(f"{expr} AS {name}" for name, expr in GROUP_COLUMNS.items())
    params.update(after=after_id, lim=limit + 1)
    return session.arrow(
        f"SELECT curve_id, x_min, x_max, y_min, y_max, {columns} FROM {_db(session)}.curves "
        f"WHERE {where} "
        f"AND curve_id > {{after:UInt64}} ORDER BY curve_id LIMIT {{lim:UInt32}}",
        parameters=params)


def sizes(session: Session) -> dict[str, tuple[int, int]]:
    """(compressed bytes, rows) of the samples and partials tables (active parts)."""
    rows = session.rows(
        "SELECT table, sum(data_compressed_bytes), sum(rows) FROM system.parts "
        "WHERE database = {db:String} AND active AND table IN "
        "('curve_samples', 'density_partials', 'density_months', 'density_members', 'curves') "
        "GROUP BY table",
        parameters={"db": session.database})
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}
