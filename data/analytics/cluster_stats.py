"""Read-only queries on the engine's system tables about one cluster's database.

Every query binds the database name as a ``{db:String}`` parameter (after
:func:`~data.analytics.clickhouse.validate_identifier`); only DDL formats a validated identifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.analytics.clickhouse import STORAGE_POLICY, ClickHouse, validate_identifier


@dataclass(frozen=True)
class DiskUsage:
    """Active parts of one database on one disk."""

    disk: str
    rows: int
    bytes_on_disk: int
    bytes_uncompressed: int
    parts: int


@dataclass(frozen=True)
class PartLocation:
    """Where one active part lives; ``key`` (table/partition_min_max) survives moves and
    rewrites of the same block range, so a changed disk for the same key is a tier move."""

    key: str
    table: str
    disk: str
    bytes_on_disk: int


@dataclass(frozen=True)
class PartsSummary:
    """Active parts of a database and its most fragmented partition."""

    active_parts: int
    max_in_partition: int
    table: str
    partition: str
    avg_rows_in_partition: float


@dataclass(frozen=True)
class MergeInfo:
    """A merge (or mutation) running on one of the database's tables."""

    table: str
    elapsed_s: float
    progress: float
    is_mutation: bool


@dataclass(frozen=True)
class DiskSpace:
    """Free and total bytes of one disk."""

    disk: str
    free_bytes: int
    total_bytes: int


def disk_tiers(ch: ClickHouse, *, policy: str = STORAGE_POLICY) -> dict[str, str]:
    """Disk name → tier (volume) name in the tiered storage policy."""
    rows = ch.rows(
        "SELECT disk, volume_name FROM system.storage_policies ARRAY JOIN disks AS disk"
        " WHERE policy_name = {policy:String}", parameters={"policy": policy})
    return {str(disk): str(volume) for disk, volume in rows}


def usage_by_disk(ch: ClickHouse, database: str) -> list[DiskUsage]:
    """Rows, bytes and parts of the database's active parts, per disk."""
    rows = ch.rows(
        "SELECT disk_name, sum(rows), sum(bytes_on_disk), sum(data_uncompressed_bytes), count()"
        " FROM system.parts WHERE active AND database = {db:String}"
        " GROUP BY disk_name ORDER BY disk_name",
        parameters={"db": validate_identifier(database)})
    return [DiskUsage(str(disk), int(n), int(size), int(raw), int(parts))
            for disk, n, size, raw, parts in rows]


def part_locations(ch: ClickHouse, database: str) -> list[PartLocation]:
    """Every active part of the database with its disk and size."""
    rows = ch.rows(
        "SELECT table, concat(table, '/', partition_id, '_', toString(min_block_number), '_',"
        " toString(max_block_number)), disk_name, bytes_on_disk"
        " FROM system.parts WHERE active AND database = {db:String}",
        parameters={"db": validate_identifier(database)})
    return [PartLocation(key=str(key), table=str(table), disk=str(disk), bytes_on_disk=int(size))
            for table, key, disk, size in rows]


def parts_summary(ch: ClickHouse, database: str) -> PartsSummary:
    """The number of active parts and the partition holding the most of them."""
    rows = ch.rows(
        "SELECT table, partition, n, avg_rows, total FROM ("
        " SELECT table, partition, count() AS n, avg(rows) AS avg_rows,"
        " sum(count()) OVER () AS total"
        " FROM system.parts WHERE active AND database = {db:String}"
        " GROUP BY table, partition)"
        " ORDER BY n DESC, table, partition LIMIT 1",
        parameters={"db": validate_identifier(database)})
    if not rows:
        return PartsSummary(0, 0, "", "", 0.0)
    table, partition, count, avg_rows, total = rows[0]
    return PartsSummary(active_parts=int(total), max_in_partition=int(count), table=str(table),
                        partition=str(partition), avg_rows_in_partition=float(avg_rows))


def running_merges(ch: ClickHouse, database: str) -> list[MergeInfo]:
    """Merges and mutations running now on the database's tables, longest first."""
    rows = ch.rows(
        "SELECT table, elapsed, progress, is_mutation FROM system.merges"
        " WHERE database = {db:String} ORDER BY elapsed DESC",
        parameters={"db": validate_identifier(database)})
    return [MergeInfo(str(table), float(elapsed), float(progress), bool(mutation))
            for table, elapsed, progress, mutation in rows]


def disk_space(ch: ClickHouse) -> list[DiskSpace]:
    """Free and total space of every disk the engine knows."""
    rows = ch.rows("SELECT name, free_space, total_space FROM system.disks ORDER BY name")
    return [DiskSpace(str(name), int(free), int(total)) for name, free, total in rows]


def drop_database(ch: ClickHouse, database: str, *, on_cluster: str | None = None) -> None:
    """``DROP DATABASE IF EXISTS … SYNC``: the data is gone when this returns."""
    cluster = f" ON CLUSTER {validate_identifier(on_cluster)}" if on_cluster else ""
    ch.command(f"DROP DATABASE IF EXISTS {validate_identifier(database)}{cluster} SYNC")


def create_table_query(ch: ClickHouse, database: str, table: str) -> str | None:
    """The ``CREATE TABLE`` statement ClickHouse stores for a table, or ``None``."""
    found = ch.scalar(
        "SELECT create_table_query FROM system.tables WHERE database = {db:String}"
        " AND name = {table:String}",
        parameters={"db": validate_identifier(database), "table": validate_identifier(table)})
    return None if found is None else str(found)
