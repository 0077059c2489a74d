"""The cluster console's services on real chDB and a migrated SQLite metadata database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from data import engine_stats
from data.ch_schema import TIME_TABLES, TierRetention, schema_statements
from data.clickhouse import ClickHouse, ClickHouseError, QueryOutcome, RecentQueries
from data.cluster_stats import MergeInfo, PartsSummary, create_table_query
from data.models import AuditEntry, ClusterEvent, ClusterUsageMetric, DatabaseCluster, utcnow
from lyceum.errors import NotFound, ValidationError
from lyceum.settings import HostCeilings
from services.clusters import usage as cluster_usage
from services.clusters.console import (
    ClusterStateError,
    cluster_health,
    decommission,
    events_timeline,
    query_limits_of,
    record_usage,
    update_limits,
    update_retention,
    usage_by_tier,
    usage_trend,
)
from services.clusters.health import EngineState, TierDisk, assess, query_stats
from services.clusters.usage import (
    PartTracker,
    TierMove,
    UsageSampler,
    start_usage_sampler,
    stop_usage_sampler,
)
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from tests.waiting import wait_until

GIB = 1024**3
FAST = TierRetention(warm_after_days=1, cold_after_days=10, archive_after_days=30,
                     delete_after_days=60)
SLOW = TierRetention(warm_after_days=20, cold_after_days=40, archive_after_days=60,
                     delete_after_days=120)
OPS = Actor(user_id=None, label="ops@example.com")
LIMITS = {"max_threads": 8, "max_memory_usage": 32 * GIB, "max_execution_time": 60,
          "max_result_rows": 10_000_000}


#: A host larger than any cluster here, so the cluster's own bounds are what is checked.
BIG_HOST = HostCeilings(max_execution_time=3600, max_memory_usage=128 * GIB, max_threads=64)
SMALL_HOST = HostCeilings(max_execution_time=90, max_memory_usage=6 * GIB, max_threads=2)


@pytest.fixture
def rt(runtime: object) -> Runtime:
    assert isinstance(runtime, Runtime)
    runtime.settings = runtime.settings.with_overrides(ceilings=BIG_HOST)
    return runtime


@pytest.fixture
def databases(ch: ClickHouse, ch_database: str) -> Iterator[Callable[[str], str]]:
    """Extra database names derived from ``ch_database``, dropped afterwards."""
    made: list[str] = []

    def make(suffix: str) -> str:
        made.append(f"{ch_database}_{suffix}")
        ch.command(f"DROP DATABASE IF EXISTS {made[-1]}")
        return made[-1]

    yield make
    for name in made:
        ch.command(f"DROP DATABASE IF EXISTS {name}")


def make_cluster(rt: Runtime, database: str, *, retention: TierRetention = FAST,
                 status: str = "running", schema: bool = True) -> DatabaseCluster:
    """A cluster row and its real database (not through provisioning)."""
    statements = schema_statements(database, retention=retention)
    for statement in statements if schema else statements[:1]:
        rt.ch.command(statement)
    with rt.db.session() as session:
        cluster = DatabaseCluster(
            name=f"Plant {database}", database_name=database, cluster_type="manufacturing",
            region_code="local", status=status, vcpu_per_node=8, memory_gb_per_node=64,
            retention=asdict(retention), query_limits=dict(LIMITS), credential_user="svc",
            credential_hash="$argon2id$x", credential_mode="password")
        session.add(cluster)
        session.flush()
    return cluster


def insert_days(ch: ClickHouse, database: str, days: list[int]) -> None:
    """One production event per back-dated day: one part per day partition."""
    ch.command(f"INSERT INTO {database}.production_events SELECT now64(3) - INTERVAL d DAY,"
               " 'Line 1', 'OP10', 'running', '', 60 FROM (SELECT arrayJoin({days:Array(UInt16)})"
               " AS d)", parameters={"days": days})


def disks_by_age(ch: ClickHouse, database: str) -> list[str]:
    return [str(d) for (d,) in ch.rows(
        "SELECT disk_name FROM system.parts WHERE database = {db:String} AND active"
        " AND table = 'production_events' AND rows > 0 ORDER BY partition DESC",
        parameters={"db": database})]


def count(rt: Runtime, model: Any, **where: Any) -> int:
    with rt.db.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def reload(rt: Runtime, cluster_id: int) -> DatabaseCluster:
    with rt.db.session() as session:
        found = session.get(DatabaseCluster, cluster_id)
        assert found is not None
        return found


# --- usage -------------------------------------------------------------------------------------

def test_usage_by_tier_counts_rows_where_the_ttl_put_them(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    insert_days(rt.ch, ch_database, [0, 0, 5, 45, 90])
    rt.ch.command(f"OPTIMIZE TABLE {ch_database}.production_events FINAL")
    assert disks_by_age(rt.ch, ch_database) == ["hot", "warm", "archive"]
    usage = {u.tier: u for u in usage_by_tier(rt, cluster)}
    assert list(usage) == ["hot", "warm", "cold", "archive"]
    assert [usage[t].rows for t in usage] == [2, 1, 0, 1]  # the 90-day row was deleted
    assert usage["cold"].bytes_on_disk == usage["cold"].parts == 0
    assert usage["cold"].compression_ratio == 0.0
    assert usage["hot"].parts >= 1 and usage["hot"].bytes_uncompressed > 0
    assert usage["hot"].compression_ratio > 0


def test_record_usage_samples_every_running_cluster_per_tier(
        rt: Runtime, ch_database: str, databases: Callable[[str], str]) -> None:
    first = make_cluster(rt, ch_database)
    second = make_cluster(rt, databases("b"))
    make_cluster(rt, databases("c"), status="failed")
    insert_days(rt.ch, ch_database, [0, 5])
    tracker = PartTracker()
    assert record_usage(rt, now=utcnow() - timedelta(days=40), tracker=tracker) == 8
    assert record_usage(rt, tracker=tracker) == 8
    assert count(rt, ClusterUsageMetric, cluster_id=first.id) == 8
    assert count(rt, ClusterUsageMetric, cluster_id=second.id) == 8
    assert count(rt, ClusterEvent, kind="tier_move") == 0
    recent = usage_trend(rt, first.id, days=30)
    assert [(p.tier, p.rows) for p in recent] == [("hot", 1), ("warm", 1), ("cold", 0),
                                                  ("archive", 0)]
    assert len(usage_trend(rt, first.id, days=60)) == 8


@pytest.mark.parametrize("days", [0, 366, True, "30"])
def test_usage_trend_refuses_bad_ranges(rt: Runtime, ch_database: str, days: Any) -> None:
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ValidationError, match=r"^Show 1 to 365 days of usage\.$"):
        usage_trend(rt, cluster.id, days=days)


def test_a_tier_move_between_samples_becomes_an_event(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database, retention=SLOW)
    insert_days(rt.ch, ch_database, [0, 5, 25, 45])
    assert disks_by_age(rt.ch, ch_database) == ["hot", "hot", "warm", "cold"]
    tracker = PartTracker()
    record_usage(rt, tracker=tracker)
    update_retention(rt, cluster.id, FAST, actor=OPS)
    wait_until(lambda: disks_by_age(rt.ch, ch_database) == ["hot", "warm", "cold", "archive"],
               within=30, message="the parts did not move to their tiers")
    record_usage(rt, tracker=tracker)
    with rt.db.session() as session:
        moves = list(session.scalars(select(ClusterEvent).where(ClusterEvent.kind == "tier_move")
                                     .order_by(ClusterEvent.id)))
    for event, step in zip(moves, ["hot → warm", "warm → cold", "cold → archive"], strict=True):
        size = cluster_usage.format_bytes(event.detail["bytes"])
        assert event.message == f"1 part ({size}) moved {step}" and event.detail["bytes"] > 0
        assert event.detail["tables"] == {"production_events": 1}
    kinds = [entry.kind for entry in events_timeline(rt, cluster.id)]
    assert kinds.count("tier_move") == 3 and "retention_changed" in kinds


def test_tier_move_messages_read_like_people_write() -> None:
    move = TierMove("hot", "warm", 12, int(3.4 * 1024**2), {"curves": 12})
    assert move.message == "12 parts (3.4 MiB) moved hot → warm"
    assert move.detail() == {"from": "hot", "to": "warm", "parts": 12,
                             "bytes": int(3.4 * 1024**2), "tables": {"curves": 12}}
    assert cluster_usage.format_bytes(512) == "512 B"
    assert cluster_usage.format_bytes(5 * 1024**4) == "5.0 TiB"


def test_the_sampler_runs_in_the_background_and_survives_errors(
        rt: Runtime, ch_database: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    cluster = make_cluster(rt, ch_database)
    real, calls = cluster_usage.record_usage, []

    def flaky(runtime: Runtime, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("engine hiccup")
        return real(runtime, **kwargs)

    monkeypatch.setattr(cluster_usage, "record_usage", flaky)
    sampler = UsageSampler(rt, interval_s=0.02)
    with caplog.at_level(logging.ERROR, logger="services.clusters.usage"):
        sampler.start()
        try:
            assert sampler.running and sampler.wait_for_rounds(3, timeout=20)
        finally:
            sampler.stop()
    assert not sampler.running
    assert "usage sampling failed" in caplog.text
    assert count(rt, ClusterUsageMetric, cluster_id=cluster.id) >= 8
    with pytest.raises(ValueError):
        UsageSampler(rt, interval_s=0)


def test_one_sampler_per_process(rt: Runtime) -> None:
    first = start_usage_sampler(rt, interval_s=60)
    try:
        assert start_usage_sampler(rt, interval_s=5) is first and first.interval_s == 60
        assert first.wait_for_rounds(1, timeout=20)
    finally:
        stop_usage_sampler()
    assert not first.running


# --- health ------------------------------------------------------------------------------------

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
        "Too many small parts in curve_samples (312 in one partition): batch inserts into "
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
        "Too many small parts in curve_samples (121 in one partition): batch inserts into "
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


# --- retention and limits ---------------------------------------------------------------------

def test_retention_edit_rewrites_every_ttl_and_is_audited(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    update_retention(rt, cluster.id, TierRetention(2, 4, 8, None), actor=OPS)
    for table in TIME_TABLES:
        create = create_table_query(rt.ch, ch_database, table) or ""
        assert "toDateTime(ts) + toIntervalDay(8) TO VOLUME 'archive'" in create, table
        assert "toIntervalDay(60)" not in create and "DELETE" not in create
    update_retention(rt, cluster.id, TierRetention(2, 4, 8, 100), actor=OPS)
    create = create_table_query(rt.ch, ch_database, "curves") or ""
    assert "toIntervalDay(8) TO VOLUME 'archive', toDateTime(ts) + toIntervalDay(100)" in create
    assert reload(rt, cluster.id).retention == {"warm_after_days": 2, "cold_after_days": 4,
                                                 "archive_after_days": 8,
                                                 "delete_after_days": 100}
    timeline = events_timeline(rt, cluster.id)
    assert [(e.source, e.kind, e.actor) for e in timeline] == [
        ("event", "retention_changed", OPS.label)] * 2
    assert timeline[0].message == (
        "Retention: warm after 2 d, cold after 4 d, archive after 8 d, deleted after 100 d "
        "(was warm after 2 d, cold after 4 d, archive after 8 d, never deleted).")
    assert count(rt, AuditEntry, action="cluster.retention") == 2


@pytest.mark.parametrize(("retention", "message"), [
    (TierRetention(0, 10, 30, 60), "Warm after: Enter a whole number of days (1 or more)."),
    (TierRetention(7, 7, 30, 60),
     "Cold after: Move data to cold later than to warm (after more than 7 days)."),
    (TierRetention(1, 10, 30, 30),
     "Delete after: Delete data later than it is archived (after more than 30 days)."),
    (TierRetention(1, 10, 30, 3651),
     "Delete after: Delete after at most 3,650 days (10 years), or leave empty to keep data "
     "forever."),
])
def test_bad_retention_is_refused_and_changes_nothing(
        rt: Runtime, ch_database: str, retention: TierRetention, message: str) -> None:
    cluster = make_cluster(rt, ch_database)
    before = create_table_query(rt.ch, ch_database, "parts")
    with pytest.raises(ValidationError) as caught:
        update_retention(rt, cluster.id, retention, actor=OPS)
    assert caught.value.user_message == message
    assert create_table_query(rt.ch, ch_database, "parts") == before
    assert reload(rt, cluster.id).retention == asdict(FAST)
    assert count(rt, ClusterEvent) == count(rt, AuditEntry) == 0


def test_a_retention_change_while_the_cluster_runs_its_share_is_refused(
        rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    before = create_table_query(rt.ch, ch_database, "parts")
    gate = threading.Event()
    held = [rt.pools.submit("maintenance", gate.wait, cluster_id=cluster.id)
            for _ in range(rt.settings.pools.per_cluster)]
    try:
        with pytest.raises(Busy) as caught:
            update_retention(rt, cluster.id, SLOW, actor=OPS)
    finally:
        gate.set()
    assert all(f.result(5) for f in held)
    assert caught.value.user_message == ("This cluster already runs 2 maintenance jobs; try "
                                         "again when one finishes.")
    assert create_table_query(rt.ch, ch_database, "parts") == before
    assert reload(rt, cluster.id).retention == asdict(FAST)
    assert count(rt, ClusterEvent) == count(rt, AuditEntry) == 0
    update_retention(rt, cluster.id, SLOW, actor=OPS)
    assert reload(rt, cluster.id).retention == asdict(SLOW)


def test_an_engine_failure_is_recorded_and_raised(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database, schema=False)  # the database has no tables
    with pytest.raises(ClickHouseError) as caught:
        update_retention(rt, cluster.id, SLOW, actor=OPS)
    assert caught.value.user_message == "The analytics engine could not run this query."
    assert reload(rt, cluster.id).retention == asdict(FAST)
    [entry] = events_timeline(rt, cluster.id)
    assert (entry.kind, entry.outcome) == ("failure", "failure")
    assert entry.message == ("Changing the retention failed: The analytics engine could not "
                             "run this query.")


def test_limits_are_stored_as_clickhouse_settings(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    update_limits(rt, cluster.id, max_threads=4, max_memory_gb=16, max_execution_time_s=120,
                  actor=OPS)
    stored = reload(rt, cluster.id)
    assert stored.query_limits == {"max_threads": 4, "max_memory_usage": 16 * GIB,
                                   "max_execution_time": 120, "max_result_rows": 10_000_000}
    limits = query_limits_of(stored)
    assert (limits.max_threads, limits.max_memory_gb, limits.max_execution_time_s) == (4, 16, 120)
    [entry] = events_timeline(rt, cluster.id)
    assert entry.message == "Query limits: 4 threads, 16 GB memory, 120 s per query."


@pytest.mark.parametrize(("threads", "memory", "seconds", "message"), [
    (0, 16, 60, "Use 1 to 8 threads (the cluster's vCPUs per node)."),
    (9, 16, 60, "Use 1 to 8 threads (the cluster's vCPUs per node)."),
    (True, 16, 60, "Use 1 to 8 threads (the cluster's vCPUs per node)."),
    (4, 65, 60, "Use 1 to 64 GB of memory per query (at most one node's memory)."),
    (4, "16", 60, "Use 1 to 64 GB of memory per query (at most one node's memory)."),
    (4, 16, 3601, "Use 1 to 3600 seconds per query."),
    (4, 16, 1.5, "Use 1 to 3600 seconds per query."),
])
def test_bad_limits_are_refused_and_change_nothing(
        rt: Runtime, ch_database: str, threads: Any, memory: Any, seconds: Any,
        message: str) -> None:
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ValidationError) as caught:
        update_limits(rt, cluster.id, max_threads=threads, max_memory_gb=memory,
                      max_execution_time_s=seconds, actor=OPS)
    assert caught.value.user_message == message
    assert reload(rt, cluster.id).query_limits == LIMITS
    assert count(rt, AuditEntry) == 0


@pytest.mark.parametrize(("threads", "memory", "seconds", "message"), [
    (3, 4, 60, "This server allows at most 2 threads per query."),
    (2, 7, 60, "This server allows at most 6 GB of memory per query."),
    (2, 4, 91, "This server allows at most 90 seconds per query."),
    (2, 16, 3600, "This server allows at most 6 GB of memory per query. This server allows "
                  "at most 90 seconds per query."),
])
def test_limits_above_the_hosts_ceilings_are_refused_and_change_nothing(
        rt: Runtime, ch_database: str, threads: int, memory: int, seconds: int,
        message: str) -> None:
    rt.settings = rt.settings.with_overrides(ceilings=SMALL_HOST)
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ValidationError) as caught:
        update_limits(rt, cluster.id, max_threads=threads, max_memory_gb=memory,
                      max_execution_time_s=seconds, actor=OPS)
    assert caught.value.user_message == message
    assert reload(rt, cluster.id).query_limits == LIMITS
    assert count(rt, AuditEntry) == 0
    update_limits(rt, cluster.id, max_threads=2, max_memory_gb=6, max_execution_time_s=90,
                  actor=OPS)
    assert reload(rt, cluster.id).query_limits["max_memory_usage"] == 6 * GIB


# --- decommission and the timeline ------------------------------------------------------------

def test_decommission_needs_the_exact_name(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    for typed in (cluster.name.lower(), f" {cluster.name}", ""):
        with pytest.raises(ValidationError) as caught:
            decommission(rt, cluster.id, typed_name=typed, actor=OPS)
        assert caught.value.user_message == "Type the cluster's name exactly to confirm."
    assert engine_stats.database_exists(rt.ch, ch_database)
    assert reload(rt, cluster.id).status == "running"
    assert count(rt, AuditEntry) == 0


def test_decommission_drops_the_data_and_keeps_the_record(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    insert_days(rt.ch, ch_database, [0])
    with rt.db.session() as session:
        audit.record(session, "member.set", actor=OPS, target_type="user", target_id=7,
                     cluster_id=cluster.id, detail={"role": "editor"})
    decommission(rt, cluster.id, typed_name=cluster.name, actor=OPS)
    assert not engine_stats.database_exists(rt.ch, ch_database)
    gone = reload(rt, cluster.id)
    assert (gone.status, gone.name, gone.retention) == ("decommissioned", cluster.name,
                                                        asdict(FAST))
    assert gone.decommissioned_at is not None
    assert (gone.credential_user, gone.credential_hash, gone.credential_mode) == ("", None, "")
    timeline = events_timeline(rt, cluster.id)
    assert [(e.kind, e.message) for e in timeline] == [
        ("decommissioned", f"Decommissioned; the database {ch_database} was dropped."),
        ("member.set", "Role editor given to user 7")]
    assert [u.rows for u in usage_by_tier(rt, gone)] == [0, 0, 0, 0]


def test_a_decommissioned_cluster_refuses_every_change(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    decommission(rt, cluster.id, typed_name=cluster.name, actor=OPS)
    gone = reload(rt, cluster.id)
    refusals: list[tuple[Callable[[], object], str]] = [
        (lambda: update_retention(rt, cluster.id, SLOW, actor=OPS), "change its retention"),
        (lambda: update_limits(rt, cluster.id, max_threads=2, max_memory_gb=2,
                               max_execution_time_s=10, actor=OPS), "change its query limits"),
        (lambda: decommission(rt, cluster.id, typed_name=cluster.name, actor=OPS),
         "be decommissioned"),
    ]
    for call, action in refusals:
        with pytest.raises(ClusterStateError) as caught:
            call()
        states = "running or failed" if action == "be decommissioned" else "running"
        assert caught.value.user_message == (
            f"Only a {states} cluster can {action}; {cluster.name} is decommissioned.")
    with pytest.raises(ClusterStateError, match="running clusters only"):
        cluster_health(rt, gone)
    assert record_usage(rt, tracker=PartTracker()) == 0
    assert count(rt, AuditEntry) == 1 and reload(rt, cluster.id).retention == asdict(FAST)


def test_unknown_clusters_are_not_found(rt: Runtime) -> None:
    calls: list[Callable[[], object]] = [
        lambda: update_retention(rt, 999, SLOW, actor=OPS),
        lambda: update_limits(rt, 999, max_threads=1, max_memory_gb=1, max_execution_time_s=1,
                              actor=OPS),
        lambda: decommission(rt, 999, typed_name="x", actor=OPS),
        lambda: events_timeline(rt, 999),
        lambda: usage_trend(rt, 999),
    ]
    for call in calls:
        with pytest.raises(NotFound, match=r"^That cluster does not exist\.$"):
            call()


def test_the_timeline_is_newest_first_and_limited(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    with rt.db.session() as session:
        audit.record(session, "cluster.create", actor=audit.SYSTEM, target_type="cluster",
                     target_id=cluster.id, cluster_id=cluster.id, detail={"name": "x"})
        audit.record(session, "cluster.provision", actor=audit.SYSTEM, outcome="failure",
                     cluster_id=cluster.id, detail={"error": "disk full"})
    update_limits(rt, cluster.id, max_threads=2, max_memory_gb=2, max_execution_time_s=30,
                  actor=OPS)
    timeline = events_timeline(rt, cluster.id)
    assert [(e.source, e.message) for e in timeline] == [
        ("event", "Query limits: 2 threads, 2 GB memory, 30 s per query."),
        ("audit", "Cluster provision (failure: disk full)"),
        ("audit", "Cluster created")]
    assert [e.kind for e in events_timeline(rt, cluster.id, limit=1)] == ["limits_changed"]
    with pytest.raises(ValidationError, match=r"^Show 1 to 500 entries\.$"):
        events_timeline(rt, cluster.id, limit=0)
