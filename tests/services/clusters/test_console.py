"""The cluster console's actions on real chDB and SQLite: retention, limits, decommission."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest

from data.analytics import engine_stats
from data.analytics.ch_schema import TIME_TABLES, TierRetention
from data.analytics.clickhouse import ClickHouseError
from data.analytics.cluster_stats import create_table_query
from data.metadata.models import (
    AuditEntry,
    ClusterEvent,
)
from data.metadata.users import add_user
from lyceum.errors import NotFound, ValidationError
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
from services.clusters.usage import (
    PartTracker,
)
from services.core import audit
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from tests.services.clusters.console_world import (
    FAST,
    GIB,
    LIMITS,
    OPS,
    SLOW,
    SMALL_HOST,
    count,
    insert_days,
    make_cluster,
    reload,
)

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
        ana = add_user(session, email="ana@plant.example", display_name="Ana",
                       password_hash=None)
        audit.record(session, "member.remove", actor=OPS, target_type="user",
                     target_id=ana.id, cluster_id=cluster.id, detail={"role": "viewer"})
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
        ("member.remove", "Removed from the team: ana@plant.example"),
        ("member.set", "Role editor given to user 7")]  # no such account (any more)
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
