"""Whole filtered curve sets: every curve's samples for an export, read one bounded chunk
at a time, and the recorded results a what-if compares with."""

from __future__ import annotations

import pyarrow as pa

from data.analytics.clickhouse import validate_identifier
from data.analytics.curves import CurveQuery, Session, where_clause

#: The columns of an export, in order (part columns, then the sample).
EXPORT_COLUMNS = ("curve_id", "part_id", "serial", "ts", "process", "line", "station",
                  "product", "batch", "result", "defect_mode", "idx", "x", "y")


def curve_sizes(session: Session, query: CurveQuery, *, limit: int) -> list[tuple[int, int]]:
    """(curve id, point count) of the matching curves in id order, at most ``limit``."""
    where, params = where_clause(query)
    params["limit"] = limit
    rows = session.rows(
        f"SELECT curve_id, n_points FROM {validate_identifier(session.database)}.curves "
        f"WHERE {where} ORDER BY curve_id LIMIT {{limit:UInt64}}", parameters=params)
    return [(int(r[0]), int(r[1])) for r in rows]


def export_chunk(session: Session, query: CurveQuery, *, curve_ids: list[int]) -> pa.Table:
    """The samples of ``curve_ids`` (all matching ``query``) with their part columns, in
    curve and sample order."""
    where, params = where_clause(query, prefix="c.")
    db = validate_identifier(session.database)
    params["ids"] = list(curve_ids)
    return session.arrow(
        f"SELECT c.curve_id AS curve_id, c.part_id AS part_id, c.serial AS serial, "
        f"c.ts AS ts, toString(c.process) AS process, toString(c.line) AS line, "
        f"toString(c.station) AS station, toString(c.product) AS product, "
        f"toString(c.batch) AS batch, toString(c.result) AS result, "
        f"toString(c.defect_mode) AS defect_mode, s.idx AS idx, s.x AS x, s.y AS y "
        f"FROM {db}.curve_samples AS s INNER JOIN "
        f"(SELECT * FROM {db}.curves AS c WHERE {where} AND c.curve_id IN {{ids:Array(UInt64)}})"
        f" AS c ON s.curve_id = c.curve_id "
        f"WHERE s.process = {{process:String}} AND s.curve_id IN {{ids:Array(UInt64)}} "
        f"ORDER BY curve_id, idx", parameters=params)


def recorded_results(session: Session, query: CurveQuery, *,
                     curve_ids: list[int]) -> dict[int, str]:
    """The recorded result (``OK``/``WARNING``/``NOK``) of each of ``curve_ids`` that
    matches ``query``."""
    if not curve_ids:
        return {}
    where, params = where_clause(query)
    params["ids"] = list(curve_ids)
    rows = session.rows(
        f"SELECT curve_id, toString(result) FROM {validate_identifier(session.database)}"
        f".curves WHERE {where} AND curve_id IN {{ids:Array(UInt64)}}", parameters=params)
    return {int(r[0]): str(r[1]) for r in rows}
