"""Read-only facts of the engine and one cluster database: version, storage volumes, sizes,
existence and the overview's counts (on empty and on known data)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from data.analytics import engine_stats
from data.analytics.clickhouse import STORAGE_POLICY, ClickHouse
from lyceum.errors import ValidationError
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows
from tests.data.analytics.plant_rows import T0, read_back


def test_version_and_volumes(ch: ClickHouse) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", engine_stats.engine_version(ch))
    volumes = engine_stats.storage_volumes(ch)
    tiered = [v for v in volumes if v.policy == STORAGE_POLICY]
    assert [v.volume for v in tiered] == ["hot", "warm", "cold", "archive"]
    assert [v.priority for v in tiered] == [1, 2, 3, 4]
    assert all(v.total_bytes >= v.free_bytes >= 0 and v.path for v in volumes)


def test_database_exists_binds_a_validated_name(ch: ClickHouse,
                                                cluster_session: ClusterSession) -> None:
    assert engine_stats.database_exists(ch, cluster_session.database)
    assert not engine_stats.database_exists(ch, "no_such_database")
    for bad in ("system", "x' OR 1=1 --", "Upper", ""):
        with pytest.raises(ValidationError):
            engine_stats.database_exists(ch, bad)


def test_stats_of_an_empty_and_a_filled_database(ch: ClickHouse,
                                                 cluster_session: ClusterSession) -> None:
    db = cluster_session.database
    now = T0 + timedelta(hours=2)
    assert engine_stats.database_stats(ch, db, now=now) == engine_stats.DatabaseStats(
        0, 0, 0, 0, 0, None, 0)
    assert db not in engine_stats.database_sizes(ch)
    plant_rows.insert(cluster_session)
    stats = engine_stats.database_stats(ch, db, now=now, settings={"max_threads": 1})
    assert (stats.parts_total, stats.parts_24h, stats.ok_24h, stats.curves_total,
            stats.samples_total) == (5, 5, 2, 6, 17)
    assert stats.latest_part_at == read_back(80) and stats.bytes_on_disk > 0
    later = engine_stats.database_stats(ch, db, now=now + timedelta(days=2))
    assert (later.parts_total, later.parts_24h, later.ok_24h) == (5, 0, 0)
    size, rows = engine_stats.database_sizes(ch)[db]
    assert size == stats.bytes_on_disk
    assert rows >= 5 + 6 + 17  # and the features, readings, events, alerts, rollups
    assert "system" not in engine_stats.database_sizes(ch)
