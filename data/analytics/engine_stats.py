"""Read-only queries on the engine itself and on one cluster database's contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from data.analytics.clickhouse import ClickHouse, validate_identifier


@dataclass(frozen=True)
class VolumeInfo:
    """One volume of a storage policy and the disk behind it."""

    policy: str
    volume: str
    priority: int
    disk: str
    path: str
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class DatabaseStats:
    """Size and freshness of one cluster database."""

    parts_total: int
    parts_24h: int
    ok_24h: int
    curves_total: int
    samples_total: int
    latest_part_at: datetime | None
    bytes_on_disk: int


def engine_version(ch: ClickHouse) -> str:
    """The ClickHouse version string."""
    return str(ch.scalar("SELECT version()"))


def storage_volumes(ch: ClickHouse) -> list[VolumeInfo]:
    """Every storage policy volume with its disk's path and space."""
    rows = ch.rows(
        "SELECT p.policy_name, p.volume_name, p.volume_priority, d.name, d.path,"
        " d.free_space, d.total_space"
        " FROM system.storage_policies AS p ARRAY JOIN p.disks AS disk_name"
        " INNER JOIN system.disks AS d ON d.name = disk_name"
        " ORDER BY p.policy_name, p.volume_priority"
    )
    return [VolumeInfo(str(a), str(b), int(c), str(d), str(e), int(f), int(g))
            for a, b, c, d, e, f, g in rows]


def database_sizes(ch: ClickHouse) -> dict[str, tuple[int, int]]:
    """Bytes on disk and rows of active parts, per user database."""
    rows = ch.rows(
        "SELECT database, sum(bytes_on_disk), sum(rows) FROM system.parts"
        " WHERE active AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')"
        " GROUP BY database ORDER BY database"
    )
    return {str(db): (int(size), int(count)) for db, size, count in rows}


def database_exists(ch: ClickHouse, database: str) -> bool:
    """True if the database exists on the engine."""
    return bool(ch.scalar("SELECT count() FROM system.databases WHERE name = {db:String}",
                          parameters={"db": validate_identifier(database)}))


def database_stats(ch: ClickHouse, database: str, *, now: datetime,
                   settings: dict[str, object] | None = None) -> DatabaseStats:
    """Counts for the overview: parts (all and last 24 h), yield, curves, samples, size."""
    db = validate_identifier(database)
    params = {"since": now.replace(tzinfo=None), "db": db}
    row = ch.rows(
        f"SELECT (SELECT count() FROM {db}.parts),"
        f" (SELECT sum(parts) FROM {db}.hourly_yield WHERE hour >= {{since:DateTime}} - 86400),"
        f" (SELECT sum(ok) FROM {db}.hourly_yield WHERE hour >= {{since:DateTime}} - 86400),"
        f" (SELECT count() FROM {db}.curves),"
        f" (SELECT count() FROM {db}.curve_samples),"
        f" (SELECT max(ts) FROM {db}.parts),"
        " (SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = {db:String})",
        parameters=params, settings=settings,
    )[0]
    latest = row[5] if row[0] else None
    return DatabaseStats(int(row[0]), int(row[1] or 0), int(row[2] or 0), int(row[3]),
                         int(row[4]), latest, int(row[6] or 0))
