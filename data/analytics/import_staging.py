"""ClickHouse side of an import: a staging table per job, checks, the swap and its undo.

A job's rows go into staging tables first; nothing a user sees reads them. Curves: samples go
into ``<db>.import_stage_<job>`` (the structure of ``curve_samples`` plus a ``row`` column) and
one row per curve into ``<db>.import_stage_<job>_curves``. Parts: ``<db>.import_stage_<job>``.
Only when every row passed are they moved into the cluster's tables: parts and curves with
``INSERT … SELECT`` (``parts`` feeds the hourly-yield view), samples by dropping ``row`` and
``ATTACH PARTITION … FROM`` (hard links, no copy). If the process dies during the move,
:func:`rollback` removes what was moved (the ids come from the staging tables, which survive
the crash) before the staging tables are dropped.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from data.analytics.clickhouse import validate_identifier

STAGE_PREFIX = "import_stage_"
_STAGE = re.compile(r"^import_stage_(\d+)(?:_curves)?$")
_PARTITION = re.compile(r"^[0-9]{1,12}$")
_TEXT = ("line", "station", "product", "batch", "result")
_INSERT = {"max_partitions_per_insert_block": 0, "min_insert_block_size_rows": 0,
           "min_insert_block_size_bytes": 0}
_COLUMNS = {
    "curves": "curve_id UInt64, serial String, process String, ts DateTime64(3, 'UTC'), "
              "line String, station String, product String, batch String, result String, "
              "x_unit String, y_unit String, x_name String, y_name String, "
              "defect_mode String, row UInt64",
    "parts": "serial String, ts DateTime64(3, 'UTC'), line String, station String, "
             "product String, batch String, shift String, result String, first_pass UInt8, "
             "defect_mode String, row UInt64",
}
PART_ID = "cityHash64(serial)"
_ENUM = "'Enum8(''OK'' = 1, ''WARNING'' = 2, ''NOK'' = 3)'"


def stage_table(job_id: int) -> str:
    """The staging table's name for a job."""
    return validate_identifier(f"{STAGE_PREFIX}{int(job_id)}")


def _qualified(cs: Any, job_id: int) -> str:
    return f"{validate_identifier(cs.database)}.{stage_table(job_id)}"


def create_stage(cs: Any, *, job_id: int, kind: str) -> None:
    """Create (afresh) the job's staging tables."""
    drop_stage(cs, job_id=job_id)
    name = _qualified(cs, job_id)
    if kind == "curves":
        db = validate_identifier(cs.database)
        cs.command(f"CREATE TABLE {name} AS {db}.curve_samples")
        cs.command(f"ALTER TABLE {name} ADD COLUMN row UInt64")
        name = f"{name}_curves"
    cs.command(f"CREATE TABLE {name} ({_COLUMNS[kind]}) ENGINE = MergeTree ORDER BY tuple()")


def insert_stage(cs: Any, *, job_id: int, table: pa.Table, curves: bool = False) -> None:
    """Append converted rows to the staging table (``curves``: the per-curve table)."""
    name = stage_table(job_id) + ("_curves" if curves else "")
    cs.ch.insert_arrow(name, table, database=cs.database, settings=_INSERT)


def stage_exists(cs: Any, *, job_id: int) -> bool:
    """True if one of the job's staging tables exists."""
    names = [stage_table(job_id), f"{stage_table(job_id)}_curves"]
    return bool(cs.scalar("SELECT count() FROM system.tables WHERE database = {db:String}"
                          " AND name IN {names:Array(String)}",
                          parameters={"db": cs.database, "names": names}))


def stage_job_ids(cs: Any) -> list[int]:
    """Job ids of every staging table in the cluster's database."""
    rows = cs.rows("SELECT name FROM system.tables WHERE database = {db:String}"
                   " AND startsWith(name, {prefix:String})",
                   parameters={"db": cs.database, "prefix": STAGE_PREFIX})
    return sorted({int(m.group(1)) for (name,) in rows if (m := _STAGE.match(name))})


def drop_stage(cs: Any, *, job_id: int) -> None:
    """Drop the job's staging tables if they exist (the per-curve table last)."""
    cs.command(f"DROP TABLE IF EXISTS {_qualified(cs, job_id)}")
    cs.command(f"DROP TABLE IF EXISTS {_qualified(cs, job_id)}_curves")


def duplicate_rows(cs: Any, *, job_id: int, kind: str,
                   limit: int) -> list[tuple[int, str, str]]:
    """(row, column, message) for rows repeating an earlier row's key within the file."""
    stage = _qualified(cs, job_id)
    if kind == "parts":
        sql = (f"SELECT row, serial, first FROM (SELECT row, serial, min(row) OVER (PARTITION "
               f"BY serial) AS first FROM {stage}) WHERE row != first ORDER BY row "
               "LIMIT {limit:UInt32}")
        return [(int(r), "serial", f"duplicate serial “{s}” (first in row {f})")
                for r, s, f in cs.rows(sql, parameters={"limit": limit})]
    sql = (f"SELECT rows[2], idx, rows[1] FROM (SELECT idx, arraySort(groupArray(row)) AS rows "
           f"FROM {stage} GROUP BY curve_id, idx HAVING count() > 1) ORDER BY rows[2] "
           "LIMIT {limit:UInt32}")
    return [(int(r), "idx", f"sample {i} of this curve appears twice (first in row {f})")
            for r, i, f in cs.rows(sql, parameters={"limit": limit})]


def existing_rows(cs: Any, *, job_id: int, kind: str,
                  limit: int) -> list[tuple[int, str, str]]:
    """(row, column, message) for rows whose part or curve is already in the cluster."""
    db, stage = validate_identifier(cs.database), _qualified(cs, job_id)
    if kind == "parts":
        sql = (f"SELECT min(row), serial FROM {stage} WHERE serial IN (SELECT serial FROM "
               f"{db}.parts) GROUP BY serial ORDER BY 1 LIMIT {{limit:UInt32}}")
        return [(int(r), "serial", f"a part with serial “{s}” is already in this cluster")
                for r, s in cs.rows(sql, parameters={"limit": limit})]
    sql = (f"SELECT row, serial FROM {stage}_curves WHERE (serial, process, ts) IN (SELECT "
           f"serial, process, ts FROM {db}.curves) ORDER BY row LIMIT {{limit:UInt32}}")
    return [(int(r), "serial", f"a curve of serial “{s}” with this process and time is "
             "already in this cluster") for r, s in cs.rows(sql, parameters={"limit": limit})]


def stage_rows(cs: Any, *, job_id: int) -> int:
    """Rows in the staging table."""
    return int(cs.scalar(f"SELECT count() FROM {_qualified(cs, job_id)}") or 0)


def mixed_units(cs: Any, *, job_id: int, limit: int) -> list[tuple[int, str, str]]:
    """(row, column, message) for curves whose given unit differs from the unit the file's
    first curve of the same process gives (one process, one unit per axis)."""
    stage = _qualified(cs, job_id)
    out: list[tuple[int, str, str]] = []
    for column in ("x_unit", "y_unit"):
        sql = (f"SELECT row, process, {column}, first FROM (SELECT row, process, {column}, "
               f"argMin({column}, row) OVER (PARTITION BY process) AS first FROM "
               f"(SELECT * FROM {stage}_curves WHERE {column} != '')) WHERE {column} != first "
               "ORDER BY row LIMIT {limit:UInt32}")
        out += [(int(r), column, f"“{u}” is not the unit of {p} {column[0]} given earlier in "
                 f"the file (“{f}”)")
                for r, p, u, f in cs.rows(sql, parameters={"limit": limit})]
    return sorted(out)[:limit]


def commit_steps(kind: str) -> tuple[str, ...]:
    """The tables a commit writes, in order."""
    if kind == "parts":
        return ("parts",)
    return ("curves", "curve_features", "curve_samples")


#: The generic features computed from every imported curve: (name, SQL value, unit kind).
#: ``xs``/``ys`` are the curve's samples in index order, ``top`` its largest y, ``at(f)``
#: the first sample reaching ``f`` of the way from the first y to ``top``.
CURVE_FEATURES: tuple[tuple[str, str, str], ...] = (
    ("peak_y", "top", "y"),
    ("peak_x", "xs[indexOf(ys, top)]", "x"),
    ("final_y", "ys[-1]", "y"),
    ("final_x", "xs[-1]", "x"),
    ("min_y", "arrayMin(ys)", "y"),
    ("x_max", "arrayMax(xs)", "x"),
    ("area", "arraySum(arrayMap((a, b, c, d) -> (b - a) * (c + d) / 2, arrayPopBack(xs), "
             "arrayPopFront(xs), arrayPopBack(ys), arrayPopFront(ys)))", "xy"),
    ("x_at_10pct", "if(i10 = 0, nan, xs[i10])", "x"),
    ("x_at_50pct", "if(i50 = 0, nan, xs[i50])", "x"),
    ("x_at_90pct", "if(i90 = 0, nan, xs[i90])", "x"),
    ("slope_10_90", "if(i10 = 0 OR i90 = 0 OR xs[i90] = xs[i10], nan, "
                    "(ys[i90] - ys[i10]) / (xs[i90] - xs[i10]))", "y/x"),
)
_UNIT_SQL = {"x": "c.x_unit", "y": "c.y_unit",
             "xy": "if(c.x_unit = '' OR c.y_unit = '', '', concat(c.y_unit, '·', c.x_unit))",
             "y/x": "if(c.x_unit = '' OR c.y_unit = '', '', concat(c.y_unit, '/', c.x_unit))"}
#: Samples one feature query groups at most (bounds its memory).
FEATURE_CHUNK_SAMPLES = 2_000_000


def _crossing(fraction: float) -> str:
    return f"arrayFirstIndex(v -> v >= ys[1] + {fraction} * (top - ys[1]), ys)"


def _feature_sql(db: str, stage: str, *, only: str = "") -> str:
    """``INSERT … SELECT`` of the features of the curves in ``stage`` (samples) with ids in
    ``{lo}…{hi}`` (and matching ``only``, a condition on ``curve_id``)."""
    names = ", ".join(f"'{n}'" for n, _, _ in CURVE_FEATURES)
    values = ", ".join(f"toFloat64({v})" for _, v, _ in CURVE_FEATURES)
    units = ", ".join(_UNIT_SQL[u] for _, _, u in CURVE_FEATURES)
    return (
        f"INSERT INTO {db}.curve_features (curve_id, part_id, ts, process, line, station, "
        "product, feature, value, unit) SELECT c.curve_id, c.part_id, c.ts, c.process, c.line, "
        "c.station, c.product, f.1, f.2, f.3 FROM (SELECT curve_id, "
        "arraySort(groupArray((idx, x, y))) AS p, tupleElement(p, 2) AS xs, "
        "tupleElement(p, 3) AS ys, arrayMax(ys) AS top, "
        f"{_crossing(0.1)} AS i10, {_crossing(0.5)} AS i50, {_crossing(0.9)} AS i90, "
        f"[{values}] AS vals FROM {stage} WHERE curve_id BETWEEN {{lo:UInt64}} AND "
        f"{{hi:UInt64}} {only} GROUP BY curve_id) AS s INNER JOIN (SELECT curve_id, part_id, "
        f"ts, process, line, station, product, x_unit, y_unit FROM {db}.curves WHERE curve_id "
        "BETWEEN "
        "{lo:UInt64} AND {hi:UInt64}) AS c ON s.curve_id = c.curve_id "
        f"ARRAY JOIN arrayZip([{names}], s.vals, [{units}]) AS f WHERE isFinite(f.2)")


def _feature_chunks(cs: Any, stage: str) -> list[tuple[int, int]]:
    """Curve id ranges of about :data:`FEATURE_CHUNK_SAMPLES` samples each."""
    rows = cs.rows(f"SELECT curve_id, count() FROM {stage} GROUP BY curve_id "
                   "ORDER BY curve_id")
    return _chunks(rows)


def _chunks(rows: list[tuple[Any, Any]]) -> list[tuple[int, int]]:
    """(curve id, samples) in id order → inclusive id ranges of about
    :data:`FEATURE_CHUNK_SAMPLES` samples each."""
    chunks: list[tuple[int, int]] = []
    first, total = None, 0
    for curve_id, n in rows:
        if first is None:
            first = int(curve_id)
        total += int(n)
        if total >= FEATURE_CHUNK_SAMPLES:
            chunks.append((first, int(curve_id)))
            first, total = None, 0
    if first is not None:
        chunks.append((first, int(rows[-1][0])))
    return chunks


def _partitions(cs: Any, table: str) -> list[str]:
    rows = cs.rows("SELECT DISTINCT partition_id FROM system.parts WHERE database = {db:String}"
                   " AND table = {t:String} AND active ORDER BY partition_id",
                   parameters={"db": cs.database, "t": table})
    found = [str(p) for (p,) in rows]
    if any(not _PARTITION.fullmatch(p) for p in found):
        raise ValueError(f"unexpected partition ids in {table}: {found[:3]}")
    return found


#: Curves given features per :func:`fill_missing_features` call at most.
BACKFILL_CURVES = 200_000


def fill_missing_features(cs: Any) -> int:
    """Compute the generic features of the cluster's curves that have none (imported before
    features were computed, or written by other means); returns how many curves got them."""
    db = validate_identifier(cs.database)
    missing = (f"curve_id NOT IN (SELECT DISTINCT curve_id FROM {db}.curve_features)")
    rows = cs.rows(f"SELECT curve_id, n_points FROM {db}.curves WHERE {missing} AND "
                   "n_points > 0 ORDER BY curve_id LIMIT {n:UInt32}",
                   parameters={"n": BACKFILL_CURVES})
    if not rows:
        return 0
    ids = f"AND curve_id IN (SELECT curve_id FROM {db}.curves WHERE {missing})"
    sql = _feature_sql(db, f"{db}.curve_samples", only=ids)
    for lo, hi in _chunks(rows):
        cs.command(sql, parameters={"lo": lo, "hi": hi}, settings=_INSERT)
    return len(rows)


def commit_step(cs: Any, *, job_id: int, step: str, names: dict[str, list[str]]) -> None:
    """Copy the staged rows into one of the cluster's tables."""
    db, stage = validate_identifier(cs.database), _qualified(cs, job_id)
    if step == "parts":
        sql = (f"INSERT INTO {db}.parts SELECT {PART_ID}, serial, ts, line, station, product,"
               f" batch, shift, CAST(result, {_ENUM}), first_pass, defect_mode FROM {stage}")
        cs.command(sql, settings=_INSERT)
        return
    if step == "curves":
        # a given name wins; else the process's in this cluster; else x / y (units: the
        # given one, else the process's; the conversion checked that they agree)
        names_sql = ("if(m.x_name != '', m.x_name, transform(m.process, {procs:Array(String)}, "
                     "{xn:Array(String)}, 'x')), "
                     "if(m.x_unit != '', m.x_unit, transform(m.process, {procs:Array(String)}, "
                     "{xu:Array(String)}, '')), "
                     "if(m.y_name != '', m.y_name, transform(m.process, {procs:Array(String)}, "
                     "{yn:Array(String)}, 'y')), "
                     "if(m.y_unit != '', m.y_unit, transform(m.process, {procs:Array(String)}, "
                     "{yu:Array(String)}, ''))")
        sql = (f"INSERT INTO {db}.curves SELECT m.curve_id, cityHash64(m.serial), m.serial, m.ts,"
               f" m.process, m.line, m.station, m.product, m.batch, CAST(m.result, {_ENUM}), "
               "m.defect_mode, "
               f"{names_sql}, s.n, s.x_min, s.x_max, s.y_min, s.y_max FROM {stage}_curves AS m "
               "INNER JOIN (SELECT curve_id, toUInt32(count()) AS n, min(x) AS x_min, "
               f"max(x) AS x_max, min(y) AS y_min, max(y) AS y_max FROM {stage} "
               "GROUP BY curve_id) AS s ON m.curve_id = s.curve_id")
        cs.command(sql, parameters=names, settings=_INSERT)
        return
    if step == "curve_features":
        sql = _feature_sql(db, stage)
        for lo, hi in _feature_chunks(cs, stage):
            cs.command(sql, parameters={"lo": lo, "hi": hi}, settings=_INSERT)
        return
    cs.command(f"ALTER TABLE {stage} DROP COLUMN IF EXISTS row", settings={"mutations_sync": 2})
    for partition in _partitions(cs, stage_table(job_id)):
        cs.command(f"ALTER TABLE {db}.curve_samples ATTACH PARTITION ID '{partition}' "
                   f"FROM {stage}")


def rollback(cs: Any, *, job_id: int, kind: str) -> None:
    """Remove from the cluster's tables every row the job's commit may have written."""
    db, stage = validate_identifier(cs.database), _qualified(cs, job_id)
    sync = {"mutations_sync": 2}
    if kind == "parts":
        cs.command(f"ALTER TABLE {db}.parts DELETE WHERE part_id IN (SELECT {PART_ID} FROM "
                   f"{stage})", settings=sync)
        hours = (f"(SELECT DISTINCT toStartOfHour(toDateTime(ts)) FROM {stage})")
        cs.command(f"ALTER TABLE {db}.hourly_yield DELETE WHERE hour IN {hours}",
                   settings=sync)
        cs.command(f"INSERT INTO {db}.hourly_yield SELECT toStartOfHour(toDateTime(ts)) AS h, "
                   "line, station, product, count(), countIf(result = 'OK'), "
                   "countIf(result = 'WARNING'), countIf(result = 'NOK'), "
                   "countIf(result = 'OK' AND first_pass = 1) "
                   f"FROM {db}.parts WHERE h IN {hours} GROUP BY h, line, station, product")
        return
    ids = f"(SELECT curve_id FROM {stage}_curves)"
    for table in ("curve_samples", "curve_features", "curves"):
        cs.command(f"ALTER TABLE {db}.{table} DELETE WHERE curve_id IN {ids}", settings=sync)


def count_for_serials(cs: Any, *, table: str, serials: list[str]) -> int:
    """Rows of ``table`` (parts, curves) whose serial is one of ``serials``."""
    db = validate_identifier(cs.database)
    return int(cs.scalar(f"SELECT count() FROM {db}.{validate_identifier(table)} "
                         "WHERE serial IN {s:Array(String)}", parameters={"s": serials}) or 0)


def export_curves(cs: Any, *, serials: list[str] | None, limit: int) -> pa.Table:
    """Curve summaries (optionally of some serials), newest first, for a CSV export."""
    db = validate_identifier(cs.database)
    where = "WHERE serial IN {s:Array(String)}" if serials else ""
    return cs.arrow(f"SELECT serial, process, ts, line, station, product, batch, "
                    f"toString(result) AS result, n_points FROM {db}.curves {where} "
                    "ORDER BY ts DESC LIMIT {limit:UInt32}",
                    parameters={"s": serials or [], "limit": limit})
