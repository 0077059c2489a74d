"""The engine's system tables about one cluster database: tiers of the storage policy,
usage per disk, part locations, the parts summary, merges, disk space, the stored CREATE
statement and the synchronous drop; names are validated and bound."""

from __future__ import annotations

import pytest

from data.analytics import cluster_stats
from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows


def test_disk_tiers_of_the_tiered_policy(ch: ClickHouse) -> None:
    tiers = cluster_stats.disk_tiers(ch)
    assert sorted(set(tiers.values())) == ["archive", "cold", "hot", "warm"]
    assert cluster_stats.disk_tiers(ch, policy="no_such_policy' OR 1=1 --") == {}
    disks = {d.disk for d in cluster_stats.disk_space(ch)}
    assert set(tiers) <= disks
    assert all(d.total_bytes >= d.free_bytes >= 0 for d in cluster_stats.disk_space(ch))


def test_an_empty_database_has_no_parts(ch: ClickHouse,
                                        cluster_session: ClusterSession) -> None:
    db = cluster_session.database
    assert cluster_stats.usage_by_disk(ch, db) == []
    assert cluster_stats.part_locations(ch, db) == []
    assert cluster_stats.parts_summary(ch, db) == cluster_stats.PartsSummary(0, 0, "", "", 0.0)
    assert cluster_stats.running_merges(ch, db) == []


def test_usage_locations_and_summary_of_known_rows(ch: ClickHouse,
                                                   cluster_session: ClusterSession) -> None:
    db = cluster_session.database
    plant_rows.insert(cluster_session)
    usage = cluster_stats.usage_by_disk(ch, db)
    assert len(usage) == 1 and usage[0].disk == "default"  # not tiered: the default disk
    locations = cluster_stats.part_locations(ch, db)
    assert sum(loc.bytes_on_disk for loc in locations) == usage[0].bytes_on_disk
    assert len(locations) == usage[0].parts
    by_table = {loc.table for loc in locations}
    assert {"parts", "curves", "curve_samples", "curve_features", "hourly_yield"} <= by_table
    assert all(loc.key.startswith(f"{loc.table}/") for loc in locations)
    summary = cluster_stats.parts_summary(ch, db)
    assert summary.active_parts == usage[0].parts
    assert summary.max_in_partition == 1  # one insert each: one part per partition
    assert (summary.table, summary.partition) == min(
        (loc.table, loc.key.split("/")[1].split("_")[0]) for loc in locations)


def test_create_statement_and_drop(ch: ClickHouse, cluster_session: ClusterSession) -> None:
    db = cluster_session.database
    found = cluster_stats.create_table_query(ch, db, "parts")
    assert found is not None and found.startswith(f"CREATE TABLE {db}.parts")
    assert cluster_stats.create_table_query(ch, db, "no_such_table") is None
    with pytest.raises(ValidationError):
        cluster_stats.create_table_query(ch, db, "parts' OR '1'='1")
    with pytest.raises(ValidationError):
        cluster_stats.drop_database(ch, "system")
    with pytest.raises(ValidationError):
        cluster_stats.drop_database(ch, db, on_cluster="a b")
    cluster_stats.drop_database(ch, db)
    cluster_stats.drop_database(ch, db)  # IF EXISTS: dropping twice is fine
    assert cluster_stats.create_table_query(ch, db, "parts") is None
