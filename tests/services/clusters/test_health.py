"""A cluster's health: the checks' thresholds, the score, and the real engine's state."""

from __future__ import annotations

import pytest

from data.analytics.clickhouse import ClickHouseError, QueryOutcome, RecentQueries
from data.analytics.cluster_stats import MergeInfo, PartsSummary
from services.clusters import health as health_module
from services.clusters.console import (
    cluster_health,
)
from services.clusters.health import EngineState, TierDisk, assess, query_stats, recent_health
from services.core.runtime import Runtime
from tests.services.clusters.console_world import (
    make_cluster,
)


def _disks(free: dict[str, float]) -> list[TierDisk]:
    return [TierDisk(tier, tier, int(share * 1000), 1000) for tier, share in free.items()]


HEALTHY = EngineState(parts=PartsSummary(40, 3, "curves", "20261125", 900.0), merges=[],
                      disks=_disks({"hot": 0.6, "warm": 0.6, "cold": 0.6, "archive": 0.6}),
                      queries=[QueryOutcome(0.0, 0.05, True)] * 50)


def test_a_healthy_state_scores_one_without_advice() -> None:
    health = assess(HEALTHY)
    assert (health.score, health.status, health.recommendations) == (1.0, "ok", [])
    assert [c.key for c in health.checks] == ["parts", "merges", "disks", "queries"]


def test_a_degraded_state_scores_low_with_plain_advice() -> None:
    state = EngineState(
        parts=PartsSummary(900, 312, "curve_samples", "20261125", 3.0),
        merges=[MergeInfo("curve_samples", 7300.0, 0.4, False)],
        disks=_disks({"hot": 0.5, "warm": 0.5, "cold": 0.04, "archive": 0.12}),
        queries=[QueryOutcome(0.0, 12.0, i % 5 != 0) for i in range(20)])
    health = assess(state)
    assert (health.score, health.status) == (0.0, "bad")
    assert health.recommendations[:2] == [
        "Too many small storage parts in curve_samples (312 in one partition): batch inserts into "
        "fewer, larger blocks.",
        "A merge on curve_samples has run for 122 min: check the disk's speed and free space, "
        "and avoid OPTIMIZE … FINAL on large tables."]
    assert "The cold disk has 4 % free: add capacity or shorten retention." in \
        health.recommendations
    assert "The archive disk has 12 % free: add capacity or shorten retention." in \
        health.recommendations
    assert "4 of 20 recent queries failed (20 %): check the query limits and the queries " \
        "that fail." in health.recommendations


def test_warnings_cost_half_their_weight() -> None:
    state = EngineState(parts=PartsSummary(500, 150, "curves", "20261125", 10.0),
                        merges=[], disks=HEALTHY.disks, queries=HEALTHY.queries)
    health = assess(state)
    assert (health.score, health.status) == (0.85, "warn")
    assert health.check("parts").status == "warn"


def test_tiers_on_one_file_system_are_named_together() -> None:
    state = EngineState(parts=HEALTHY.parts, merges=[], queries=[],
                        disks=_disks({"hot": 0.03, "warm": 0.03, "cold": 0.03, "archive": 0.03}))
    health = assess(state)
    assert health.recommendations == [
        "The hot, warm, cold and archive disks have 3 % free: add capacity or shorten retention."]
    assert health.check("queries").summary == "No queries since the app started."


def test_latency_percentiles() -> None:
    figures = query_stats([QueryOutcome(0.0, i / 100, True) for i in range(1, 101)])
    assert figures.count == 100 and figures.failed == 0
    assert figures.p50_s == pytest.approx(0.505) and figures.p95_s == pytest.approx(0.9505)
    assert query_stats([]).p95_s is None


def test_many_tiny_inserts_raise_a_parts_warning(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    rt.ch.command(f"INSERT INTO {ch_database}.curve_samples SELECT number, now64(3), 'press',"
                  " number, 0, 0 FROM numbers(1000)")
    before = cluster_health(rt, cluster)
    assert before.check("parts").status == "ok"
    assert before.check("merges").status == "ok"
    assert len(before.check("disks").summary.split(";")) == 4
    rt.ch.command(f"SYSTEM STOP MERGES {ch_database}.curve_samples")
    for i in range(120):
        rt.ch.command(f"INSERT INTO {ch_database}.curve_samples"
                      " SELECT {i:UInt64}, now64(3), 'press', 0, 1, 2", parameters={"i": i})
    after = cluster_health(rt, cluster)
    parts = after.check("parts")
    assert parts.status == "warn" and after.score < before.score
    assert parts.recommendations == (
        "Too many small storage parts in curve_samples (121 in one partition): batch inserts into "
        "fewer, larger blocks.",)


def test_failed_queries_are_counted_per_database(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    seen = len(rt.ch.recent.outcomes(ch_database))
    for _ in range(5):
        rt.ch.rows(f"SELECT count() FROM {ch_database}.parts")
    for _ in range(5):
        with pytest.raises(ClickHouseError):
            rt.ch.rows(f"SELECT no_such_column FROM {ch_database}.parts")
    outcomes = rt.ch.recent.outcomes(ch_database)
    assert len(outcomes) == seen + 10 and sum(not o.ok for o in outcomes) == 5
    health = cluster_health(rt, cluster)
    share = round(5 / len(outcomes) * 100)
    assert health.queries.failed == 5 and health.check("queries").status == "bad"
    assert (f"5 of {len(outcomes)} recent queries failed ({share} %): check the query limits "
            "and the queries that fail.") in health.recommendations


def test_recent_queries_keep_a_bounded_ring_per_database() -> None:
    recent = RecentQueries(per_database=3, max_databases=2)
    recent.record("SELECT * FROM plant.curves AS c JOIN system.parts USING (x)", seconds=0.1,
                  ok=True)
    recent.record("INSERT", seconds=0.2, ok=False, database="plant")
    assert [o.ok for o in recent.outcomes("plant")] == [True, False]
    assert recent.outcomes("system") == [] and len(recent.outcomes("c")) == 0
    for i in range(5):
        recent.record(f"SELECT {i} FROM plant.x", seconds=i, ok=True)
    assert [o.seconds for o in recent.outcomes("plant")] == [2, 3, 4]
    recent.record("SELECT 1 FROM a.t", seconds=0, ok=True)
    recent.record("SELECT 1 FROM b.t", seconds=0, ok=True)
    assert recent.outcomes("plant") == [] and len(recent.outcomes("b")) == 1


def test_the_cluster_list_reuses_a_recent_health_and_reassesses_an_old_one(
        rt: Runtime, ch_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = make_cluster(rt, ch_database)
    calls: list[str] = []
    real = health_module.engine_state

    def counted(runtime: Runtime, database: str) -> EngineState:
        calls.append(database)
        return real(runtime, database)

    monkeypatch.setattr(health_module, "engine_state", counted)
    first = recent_health(rt, cluster)
    assert recent_health(rt, cluster) is first and calls == [ch_database]
    assert recent_health(rt, cluster, max_age_s=0) is not first
    assert calls == [ch_database] * 2
    rt.caches.clear()
    recent_health(rt, cluster)
    assert len(calls) == 3
