"""The manufacturing schema of one analytics cluster (a ClickHouse database).

Tables are partitioned by day so that tier moves (``TTL … TO VOLUME``) and retention deletes
act on whole days, and ordered for the queries the app runs: curves by process and time,
samples by curve, features by feature and time.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.analytics.clickhouse import STORAGE_POLICY, validate_identifier

RESULT_ENUM = "Enum8('OK' = 1, 'WARNING' = 2, 'NOK' = 3)"
#: Tables carrying a ``ts`` column, to which tier and retention TTLs apply.
TIME_TABLES: tuple[str, ...] = (
    "parts", "curves", "curve_samples", "curve_features", "measurements",
    "production_events", "alerts",
)
#: The explorer's stored density partials (decision "density partials"): per stored group
#: and pyramid level, the DenseLines weight of the curves crossing each grid cell.
DENSITY_TABLES: tuple[str, ...] = ("density_partials", "density_months", "density_grids",
                                   "density_members")
#: Codecs of the partials' cells (sorted by column then row within a group: small deltas)
#: and weights (sums of 1/k: noisy mantissas). On a day's level 0 (416 k cells, wide
#: parts) ZSTD(9) took the cells from 92 to 64 KB against ZSTD(3), and ZSTD(15) the
#: weights from 122 to 101 KB against ZSTD(9) (ZSTD(19): 97 KB, at a much slower write).
CELL_CODEC = "CODEC(Delta, ZSTD(9))"
WEIGHT_CODEC = "CODEC(ZSTD(15))"
#: The partials' parts store each column in its own file however small (a day's partials
#: are below the default 10 MB of a "wide" part, and a compact part compresses every
#: column a granule at a time: 10 % larger).
PARTIAL_SETTINGS = "min_bytes_for_wide_part = 0"
#: The partials remember the tokens of their last inserted blocks (``insert_cells`` names
#: every block), so a catch-up interrupted between its inserts repeats them exactly and the
#: engine drops the blocks it already holds instead of counting their curves twice.
DEDUP_WINDOW = 10_000


def partial_settings(*, replicated: bool) -> str:
    """The partials' table settings (a replicated table keeps its insert tokens in Keeper)."""
    window = "replicated" if replicated else "non_replicated"
    return f"{PARTIAL_SETTINGS}, {window}_deduplication_window = {DEDUP_WINDOW}"
#: A month's rollup moves tiers and expires with the month's last day.
MONTH_END = "addMonths(month, 1) - 1"
#: ``density_grids``' columns after its first ones, in the order they were added: whether
#: the grid's months hold all its partials (grids made before the rollup are filled from their
#: days by the next catch-up); how many pyramid levels the day partials hold (the finer ones
#: are in the months only; grids made before hold every level in their days until the next
#: catch-up trims them); the batch of curves a catch-up is inserting (up to ``pending_upto``,
#: that many curves, its blocks named from ``pending_token``), repeated exactly if it was cut.
GRID_COLUMNS: tuple[str, ...] = (
    "months UInt8 DEFAULT 0", "day_levels UInt8 DEFAULT length(xbins)",
    "pending_upto UInt64 DEFAULT 0", "pending_curves UInt64 DEFAULT 0",
    "pending_token String DEFAULT ''")
ALL_TABLES: tuple[str, ...] = (*TIME_TABLES, "hourly_yield", *DENSITY_TABLES)
#: The columns of a stored group's cell, after its process, grid, level and day or month.
DENSITY_KEY = "line, station, product, result, xb, yb"
#: The materialized views that fill ``hourly_yield`` and ``density_months`` as rows arrive.
VIEWS: tuple[str, ...] = ("hourly_yield_mv", "density_months_mv")


@dataclass(frozen=True)
class TierRetention:
    """Days after which data moves to warm, cold, archive, and is deleted (``None``: never)."""

    warm_after_days: int = 7
    cold_after_days: int = 30
    archive_after_days: int = 180
    delete_after_days: int | None = 730

    def ttl_expression(self, column: str = "ts") -> str:
        """The ``TTL`` clause body for a time column (a ``DateTime64`` is cast to ``DateTime``)."""
        base = f"toDateTime({column})"
        steps = [
            f"{base} + INTERVAL {int(self.warm_after_days)} DAY TO VOLUME 'warm'",
            f"{base} + INTERVAL {int(self.cold_after_days)} DAY TO VOLUME 'cold'",
            f"{base} + INTERVAL {int(self.archive_after_days)} DAY TO VOLUME 'archive'",
        ]
        if self.delete_after_days is not None:
            steps.append(f"{base} + INTERVAL {int(self.delete_after_days)} DAY DELETE")
        return ", ".join(steps)


_COLUMNS: dict[str, str] = {
    "parts": f"""
        part_id UInt64,
        serial String,
        ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        line LowCardinality(String),
        station LowCardinality(String),
        product LowCardinality(String),
        batch LowCardinality(String),
        shift LowCardinality(String),
        result {RESULT_ENUM},
        first_pass UInt8,
        defect_mode LowCardinality(String)""",
    "curves": f"""
        curve_id UInt64,
        part_id UInt64,
        serial String,
        ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        process LowCardinality(String),
        line LowCardinality(String),
        station LowCardinality(String),
        product LowCardinality(String),
        batch LowCardinality(String),
        result {RESULT_ENUM},
        defect_mode LowCardinality(String),
        x_name LowCardinality(String),
        x_unit LowCardinality(String),
        y_name LowCardinality(String),
        y_unit LowCardinality(String),
        n_points UInt32,
        x_min Float32, x_max Float32, y_min Float32, y_max Float32""",
    "curve_samples": """
        curve_id UInt64 CODEC(Delta, ZSTD(1)),
        ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        process LowCardinality(String),
        idx UInt16 CODEC(Delta, ZSTD(1)),
        x Float32 CODEC(ZSTD(1)),
        y Float32 CODEC(ZSTD(1))""",
    "curve_features": """
        curve_id UInt64,
        part_id UInt64,
        ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        process LowCardinality(String),
        line LowCardinality(String),
        station LowCardinality(String),
        product LowCardinality(String),
        feature LowCardinality(String),
        value Float64,
        unit LowCardinality(String)""",
    "measurements": """
        part_id UInt64,
        ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        line LowCardinality(String),
        station LowCardinality(String),
        product LowCardinality(String),
        characteristic LowCardinality(String),
        value Float64,
        unit LowCardinality(String),
        lsl Nullable(Float64),
        usl Nullable(Float64)""",
    "production_events": """
        ts DateTime64(3, 'UTC'),
        line LowCardinality(String),
        station LowCardinality(String),
        state Enum8('running' = 1, 'stopped' = 2, 'changeover' = 3),
        reason String,
        duration_s UInt32""",
    "alerts": """
        alert_id UUID,
        ts DateTime64(3, 'UTC'),
        rule LowCardinality(String),
        severity Enum8('info' = 1, 'warning' = 2, 'critical' = 3),
        line LowCardinality(String),
        station LowCardinality(String),
        feature LowCardinality(String),
        curve_ids Array(UInt64),
        message String""",
}

_ORDER: dict[str, str] = {
    "parts": "(line, station, ts, part_id)",
    "curves": "(process, line, station, ts, curve_id)",
    "curve_samples": "(process, curve_id, idx)",
    "curve_features": "(process, feature, line, station, ts, curve_id)",
    "measurements": "(characteristic, line, station, ts, part_id)",
    "production_events": "(line, station, ts)",
    "alerts": "(ts, alert_id)",
}


def _engine(kind: str, database: str, table: str, replicated: bool) -> str:
    if not replicated:
        return f"{kind}()"
    return f"Replicated{kind}('/clickhouse/tables/{{shard}}/{database}/{table}', '{{replica}}')"


def schema_statements(
    database: str,
    *,
    retention: TierRetention | None = None,
    on_cluster: str | None = None,
    tiered: bool = True,
    with_ttl: bool = True,
    fresh: bool = False,
) -> list[str]:
    """DDL creating ``database`` with every table, the TTLs and the hourly-yield view.

    ``on_cluster`` adds ``ON CLUSTER`` and replicated engines (server mode); ``tiered`` puts
    the tables on the hot/warm/cold/archive storage policy; ``with_ttl=False`` leaves the
    TTL out (provisioning adds it afterwards with :func:`retention_statements`); ``fresh``:
    the database is new, so the statements that bring older tables up to date are left out
    (see :func:`density_statements`).
    """
    db = validate_identifier(database)
    cluster = f" ON CLUSTER {validate_identifier(on_cluster)}" if on_cluster else ""
    replicated = on_cluster is not None
    ttl = retention or TierRetention()
    statements = [f"CREATE DATABASE IF NOT EXISTS {db}{cluster}"]
    policy = f"storage_policy = '{STORAGE_POLICY}', " if tiered else ""
    for table in TIME_TABLES:
        ttl_clause = f"TTL {ttl.ttl_expression()}" if tiered else (
            f"TTL toDateTime(ts) + INTERVAL {ttl.delete_after_days} DAY DELETE"
            if ttl.delete_after_days is not None else "")
        if not with_ttl:
            ttl_clause = ""
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {db}.{table}{cluster} ({_COLUMNS[table]}\n)"
            f" ENGINE = {_engine('MergeTree', db, table, replicated)}"
            f" PARTITION BY toYYYYMMDD(ts) ORDER BY {_ORDER[table]} {ttl_clause}"
            f" SETTINGS {policy}merge_with_ttl_timeout = 60, ttl_only_drop_parts = 0"
        )
    statements.append(
        f"CREATE TABLE IF NOT EXISTS {db}.hourly_yield{cluster} ("
        " hour DateTime('UTC'), line LowCardinality(String), station LowCardinality(String),"
        " product LowCardinality(String), parts UInt64, ok UInt64, warning UInt64, nok UInt64,"
        " first_pass_ok UInt64)"
        f" ENGINE = {_engine('SummingMergeTree', db, 'hourly_yield', replicated)}"
        " PARTITION BY toYYYYMM(hour) ORDER BY (line, station, product, hour)"
        + (f" SETTINGS storage_policy = '{STORAGE_POLICY}'" if tiered else "")
    )
    statements.append(
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.hourly_yield_mv{cluster}"
        f" TO {db}.hourly_yield AS SELECT toStartOfHour(toDateTime(ts)) AS hour, line, station,"
        " product, count() AS parts, countIf(result = 'OK') AS ok,"
        " countIf(result = 'WARNING') AS warning, countIf(result = 'NOK') AS nok,"
        " countIf(result = 'OK' AND first_pass = 1) AS first_pass_ok"
        f" FROM {db}.parts GROUP BY hour, line, station, product"
    )
    statements += density_statements(database, retention=ttl, on_cluster=on_cluster,
                                     tiered=tiered, with_ttl=with_ttl, upgrade=not fresh)
    return statements


def density_statements(database: str, *, retention: TierRetention | None = None,
                       on_cluster: str | None = None, tiered: bool = True,
                       with_ttl: bool = True, upgrade: bool = True) -> list[str]:
    """DDL of the explorer's stored density partials (idempotent: also run at start-up on
    clusters made before they existed). Its ``CREATE TABLE`` statements make the tables
    whole; with ``upgrade`` the ``ALTER TABLE`` statements follow that bring tables made by
    an older version to the same columns, codecs and settings (13 statements, about half the
    time of making a cluster's schema: a new database leaves them out).

    ``density_partials`` sums (SummingMergeTree) the weight ``w`` per process, grid, pyramid
    level, stored group (day × line × station × product × result) and cell, for the grid's
    coarsest ``day_levels`` levels; its rows follow the samples' tiers and retention by
    ``day``. ``density_months`` is the rollup without the day (one row per month, stored
    group and cell) of every level: the day levels kept current by the materialized view
    ``density_months_mv`` on every insert into the days, the finer levels inserted there
    directly, so a view over whole months sums ~30× fewer groups; it moves and expires with
    the month's last day. ``density_grids`` holds each process's fixed grid, how far its
    partials are built (the newest ``updated`` row wins), whether its months are filled
    (``months``) and how many levels its days hold (``day_levels``). ``density_members``
    holds the id of every curve a grid's partials hold, with the batch that added it (ids
    are not insertion order: a curve may arrive with an id below ones already built).
    """
    db = validate_identifier(database)
    cluster = f" ON CLUSTER {validate_identifier(on_cluster)}" if on_cluster else ""
    replicated = on_cluster is not None
    ttl = retention or TierRetention()

    def ttl_on(column: str) -> str:
        if not with_ttl:
            return ""
        return f" TTL {ttl.ttl_expression(column)}" if tiered else (
            f" TTL toDateTime({column}) + INTERVAL {ttl.delete_after_days} DAY DELETE"
            if ttl.delete_after_days is not None else "")
    policy = f" SETTINGS storage_policy = '{STORAGE_POLICY}'" if tiered else ""
    settings = f" SETTINGS {partial_settings(replicated=replicated)}" + (
        f", storage_policy = '{STORAGE_POLICY}'" if tiered else "")
    group = ("line LowCardinality(String), station LowCardinality(String),"
             f" product LowCardinality(String), result {RESULT_ENUM}")
    cell = f"xb UInt16 {CELL_CODEC}, yb UInt16 {CELL_CODEC}, w Float32 {WEIGHT_CODEC}"
    return [
        f"CREATE TABLE IF NOT EXISTS {db}.density_partials{cluster} ("
        f" process LowCardinality(String), grid UInt32, level UInt8, day Date, {group}, {cell})"
        f" ENGINE = {_engine('SummingMergeTree', db, 'density_partials', replicated)}"
        f" PARTITION BY toYYYYMMDD(day) ORDER BY (process, grid, level, day, {DENSITY_KEY})"
        f"{ttl_on('day')}{settings}",
        f"CREATE TABLE IF NOT EXISTS {db}.density_months{cluster} ("
        f" process LowCardinality(String), grid UInt32, level UInt8, month Date, {group},"
        f" {cell})"
        f" ENGINE = {_engine('SummingMergeTree', db, 'density_months', replicated)}"
        f" PARTITION BY toYYYYMM(month) ORDER BY (process, grid, level, month, {DENSITY_KEY})"
        f"{ttl_on(MONTH_END)}{settings}",
        # Codecs and part settings of tables made before them (new parts and merges use
        # them).
        *(f"ALTER TABLE {db}.{table}{cluster} MODIFY COLUMN {column} {codec}"
          for table in ("density_partials", "density_months") if upgrade
          for column, codec in (("xb", f"UInt16 {CELL_CODEC}"), ("yb", f"UInt16 {CELL_CODEC}"),
                                ("w", f"Float32 {WEIGHT_CODEC}"))),
        *(f"ALTER TABLE {db}.{table}{cluster} MODIFY SETTING"
          f" {partial_settings(replicated=replicated)}"
          for table in ("density_partials", "density_months") if upgrade),
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.density_months_mv{cluster}"
        f" TO {db}.density_months AS {month_rollup(db)}",
        f"CREATE TABLE IF NOT EXISTS {db}.density_grids{cluster} ("
        " process LowCardinality(String), grid UInt32, x0 Float64, x1 Float64, y0 Float64,"
        " y1 Float64, xbins Array(UInt32), ybins UInt32, built_upto UInt64, curves UInt64,"
        f" ready UInt8, updated DateTime64(6, 'UTC'), {', '.join(GRID_COLUMNS)})"
        f" ENGINE = {_engine('ReplacingMergeTree', db, 'density_grids', replicated)[:-1]}"
        f"{', ' if replicated else ''}updated) ORDER BY (process, grid){policy}",
        # The columns added since the first grids (see GRID_COLUMNS), on grids made before.
        *(f"ALTER TABLE {db}.density_grids{cluster} ADD COLUMN IF NOT EXISTS {column}"
          for column in GRID_COLUMNS if upgrade),
        f"CREATE TABLE IF NOT EXISTS {db}.density_members{cluster} ("
        " process LowCardinality(String), grid UInt32, curve_id UInt64,"
        " batch LowCardinality(String))"
        f" ENGINE = {_engine('MergeTree', db, 'density_members', replicated)}"
        f" ORDER BY (process, grid, curve_id){settings}",
    ]


#: The tables whose TTL follows a cluster's retention, each with the time its TTL counts
#: from (a month's rollup expires with the month's last day).
TTL_COLUMNS: dict[str, str] = {**dict.fromkeys(TIME_TABLES, "ts"), "density_partials": "day",
                               "density_months": MONTH_END}
RETENTION_TABLES: tuple[str, ...] = tuple(TTL_COLUMNS)


def retention_statements(database: str, retention: TierRetention,
                         *, on_cluster: str | None = None) -> list[str]:
    """``ALTER TABLE … MODIFY TTL`` statements applying new retention to every time table
    (one per table of :data:`RETENTION_TABLES`, in that order)."""
    db = validate_identifier(database)
    cluster = f" ON CLUSTER {validate_identifier(on_cluster)}" if on_cluster else ""
    return [f"ALTER TABLE {db}.{table}{cluster} MODIFY TTL {retention.ttl_expression(column)}"
            for table, column in TTL_COLUMNS.items()]


def month_rollup(db: str, *, where: str = "") -> str:
    """The ``SELECT`` that rolls ``db``'s day partials up by month (``where``: an optional
    condition on them): the body of ``density_months_mv`` and of a grid's back-fill."""
    return (f"SELECT process, grid, level, toStartOfMonth(day) AS month, {DENSITY_KEY}, "
            f"sum(w) AS w FROM {validate_identifier(db)}.density_partials"
            f"{f' WHERE {where}' if where else ''} "
            f"GROUP BY process, grid, level, month, {DENSITY_KEY}")
