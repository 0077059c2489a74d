"""Dashboard queries on one cluster's database: yield series, defect modes, line states,
the station × hour heatmap, feature values for SPC, and alert-rule probes.

Every function takes a cluster session (``.rows``/``.scalar`` with the cluster's limits and
a validated ``.database``) and times as Unix milliseconds; all values are parameters.
"""

from __future__ import annotations

from typing import Any, Protocol


class Session(Protocol):
    """What these queries need: a database name and parameterised ``rows``/``scalar``."""

    @property
    def database(self) -> str: ...

    def rows(self, sql: str, *, parameters: dict[str, Any] | None = None,
             settings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]: ...

    def scalar(self, sql: str, *, parameters: dict[str, Any] | None = None,
               settings: dict[str, Any] | None = None) -> Any: ...


_T = "fromUnixTimestamp64Milli({%s:Int64}, 'UTC')"
_RANGE = f"ts >= {_T % 'lo'} AND ts < {_T % 'hi'}"
_LINE = "({line:String} = '' OR line = {line:String})"
_STATION = "({station:String} = '' OR station = {station:String})"


def _params(lo: int, hi: int, line: str, station: str = "", **extra: Any) -> dict[str, Any]:
    return {"lo": lo, "hi": hi, "line": line, "station": station, **extra}


def yield_buckets(s: Session, *, lo: int, start: int, hi: int, bucket_s: int, line: str = "",
                  station: str = "") -> list[tuple[int, int, int, int | None, int]]:
    """(bucket, parts, ok, first-pass ok, nok) per bucket of ``bucket_s`` from ``start``.

    Buckets before ``start`` (negative numbers) belong to the previous window. Without a
    station the parts table is used (first pass known); at a station its curves are used.
    """
    bucket = (f"toInt64(floor((toUnixTimestamp64Milli(ts) - {{start:Int64}}) / "
              f"{int(bucket_s) * 1000}))")
    if station:
        sql = (f"SELECT {bucket} AS b, count(), countIf(result = 'OK'), NULL, "
               f"countIf(result = 'NOK') FROM {s.database}.curves "
               f"WHERE {_RANGE} AND {_LINE} AND {_STATION} GROUP BY b ORDER BY b")
    else:
        sql = (f"SELECT {bucket} AS b, count(), countIf(result = 'OK'), "
               "countIf(result = 'OK' AND first_pass = 1), countIf(result = 'NOK') "
               f"FROM {s.database}.parts WHERE {_RANGE} AND {_LINE} GROUP BY b ORDER BY b")
    rows = s.rows(sql, parameters=_params(lo, hi, line, station, start=start))
    return [(int(b), int(n), int(ok), None if fp is None else int(fp), int(nok))
            for b, n, ok, fp, nok in rows]


def defect_modes(s: Session, *, lo: int, start: int, hi: int, line: str = "",
                 station: str = "") -> list[tuple[str, int, int]]:
    """(defect mode, NOK count in the window, in the previous window), most frequent first."""
    table, where = ("curves", f"{_LINE} AND {_STATION}") if station else ("parts", _LINE)
    sql = (f"SELECT defect_mode, countIf(ts >= {_T % 'start'}) AS cur, "
           f"countIf(ts < {_T % 'start'}) FROM {s.database}.{table} "
           f"WHERE {_RANGE} AND {where} AND result = 'NOK' AND defect_mode != '' "
           "GROUP BY defect_mode ORDER BY cur DESC, defect_mode LIMIT 20")
    return [(str(m), int(c), int(p))
            for m, c, p in s.rows(sql, parameters=_params(lo, hi, line, station, start=start))]


def station_states(s: Session, *, hi: int, line: str = "") -> list[tuple[Any, ...]]:
    """(line, station, state, reason, since) of each station's latest production event."""
    sql = (f"SELECT line, station, argMax(toString(state), ts), argMax(reason, ts), max(ts) "
           f"FROM {s.database}.production_events WHERE ts <= {_T % 'hi'} AND {_LINE} "
           "GROUP BY line, station ORDER BY line, station")
    return s.rows(sql, parameters={"hi": hi, "line": line})


def station_hours(s: Session, *, lo: int, hi: int, line: str = "") -> list[tuple[Any, ...]]:
    """(station, hour, curves, NOK curves) per station and hour."""
    sql = (f"SELECT station, toStartOfHour(ts) AS h, count(), countIf(result = 'NOK') "
           f"FROM {s.database}.curves WHERE {_RANGE} AND {_LINE} "
           "GROUP BY station, h ORDER BY station, h")
    return s.rows(sql, parameters=_params(lo, hi, line))


def feature_values(s: Session, *, process: str, feature: str, lo: int, hi: int,
                   line: str = "", limit: int = 20_000) -> list[tuple[Any, ...]]:
    """(ts, value, curve id) of one feature in time order: the newest ``limit`` values."""
    sql = (f"SELECT ts, value, curve_id FROM {s.database}.curve_features "
           f"WHERE process = {{process:String}} AND feature = {{feature:String}} "
           f"AND {_RANGE} AND {_LINE} ORDER BY ts DESC, curve_id DESC LIMIT {{limit:UInt32}}")
    return s.rows(sql, parameters=_params(lo, hi, line, process=process, feature=feature,
                                          limit=limit))[::-1]


def attribute_buckets(s: Session, *, lo: int, start: int, hi: int, bucket_s: int,
                      line: str = "", station: str = "") -> list[tuple[int, int, int, int]]:
    """(bucket, units, defective units, defects) per bucket of ``bucket_s`` from ``start``
    (negative buckets lie before it): parts and NOK parts, and NOK curves as defects; at a
    station its curves are the units (each NOK curve one defective unit and one defect)."""
    bucket = (f"toInt64(floor((toUnixTimestamp64Milli(ts) - {{start:Int64}}) / "
              f"{int(bucket_s) * 1000}))")
    if station:
        sql = (f"SELECT {bucket} AS b, count(), countIf(result = 'NOK'), countIf(result = 'NOK') "
               f"FROM {s.database}.curves WHERE {_RANGE} AND {_LINE} AND {_STATION} "
               "GROUP BY b ORDER BY b")
    else:
        sql = (f"SELECT b, sum(n), sum(d), sum(c) FROM ("
               f"SELECT {bucket} AS b, count() AS n, countIf(result = 'NOK') AS d, "
               f"toUInt64(0) AS c FROM {s.database}.parts WHERE {_RANGE} AND {_LINE} GROUP BY b "
               f"UNION ALL SELECT {bucket} AS b, toUInt64(0) AS n, toUInt64(0) AS d, "
               f"countIf(result = 'NOK') AS c FROM {s.database}.curves "
               f"WHERE {_RANGE} AND {_LINE} GROUP BY b) GROUP BY b ORDER BY b")
    rows = s.rows(sql, parameters=_params(lo, hi, line, station, start=start))
    return [(int(b), int(n), int(d), int(c)) for b, n, d, c in rows]


def nok_fraction(s: Session, *, lo: int, hi: int, line: str = "") -> tuple[int, int]:
    """(NOK parts, parts) in a period (the p-chart baseline)."""
    rows = s.rows(f"SELECT countIf(result = 'NOK'), count() FROM {s.database}.parts "
                  f"WHERE {_RANGE} AND {_LINE}", parameters=_params(lo, hi, line))
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


def nok_curve_ids(s: Session, *, lo: int, hi: int, line: str = "", station: str = "",
                  limit: int = 200) -> list[tuple[int, str]]:
    """(curve id, process) of NOK curves in a period, newest first."""
    sql = (f"SELECT curve_id, toString(process) FROM {s.database}.curves "
           f"WHERE {_RANGE} AND {_LINE} AND {_STATION} AND result = 'NOK' "
           "ORDER BY ts DESC LIMIT {limit:UInt32}")
    return [(int(c), str(p)) for c, p in
            s.rows(sql, parameters=_params(lo, hi, line, station, limit=limit))]


def outside_spec(s: Session, *, process: str, feature: str, lo: int, hi: int,
                 lsl: float | None, usl: float | None,
                 limit: int = 200) -> tuple[int, list[int], float | None]:
    """Curves whose feature left [lsl, usl]: (count, newest curve ids, worst value)."""
    low = -1e300 if lsl is None else float(lsl)
    high = 1e300 if usl is None else float(usl)
    sql = (f"SELECT count(), arraySlice(groupArray(curve_id), 1, {{limit:UInt32}}), "
           f"argMax(value, greatest({{low:Float64}} - value, value - {{high:Float64}})) "
           f"FROM (SELECT curve_id, value FROM {s.database}.curve_features "
           "WHERE process = {process:String} AND feature = {feature:String} "
           f"AND {_RANGE} AND (value < {{low:Float64}} OR value > {{high:Float64}}) "
           "ORDER BY ts DESC)")
    rows = s.rows(sql, parameters={"lo": lo, "hi": hi, "process": process, "feature": feature,
                                   "low": low, "high": high, "limit": limit})
    count, ids, worst = rows[0] if rows else (0, [], None)
    return int(count), [int(i) for i in ids], (None if not count else float(worst))


def latest_ts(s: Session) -> Any:
    """The newest part's time (``None`` when there are no parts)."""
    return s.scalar(f"SELECT if(count() = 0, NULL, max(ts)) FROM {s.database}.parts")


def max_ids(s: Session) -> tuple[int, int]:
    """The largest part id and curve id in the cluster (0 when empty)."""
    rows = s.rows(f"SELECT (SELECT max(part_id) FROM {s.database}.parts), "
                  f"(SELECT max(curve_id) FROM {s.database}.curves)")
    return int(rows[0][0] or 0), int(rows[0][1] or 0)
