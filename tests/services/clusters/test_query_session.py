"""Every query of a cluster runs under its limits, and never above the host's ceilings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from data.metadata.models import DatabaseCluster
from lyceum.settings import HostCeilings
from services.clusters.query_session import (
    BACKGROUND_NICE,
    applied_limits,
    cluster_query_settings,
    for_cluster,
)
from services.core.runtime import Runtime

GIB = 1024**3
HOST = HostCeilings(max_execution_time=120, max_memory_usage=4 * GIB, max_threads=2)


def _cluster(limits: dict[str, object]) -> DatabaseCluster:
    return DatabaseCluster(
        name="Press shop", database_name="press_shop", cluster_type="manufacturing",
        region_code="local", status="running", vcpu_per_node=32, memory_gb_per_node=64,
        retention={}, query_limits=limits, credential_user="svc",
        credential_hash="$argon2id$x", credential_mode="password")


def test_limits_above_the_host_are_clamped_to_its_ceilings() -> None:
    raised = _cluster({"max_execution_time": 3600, "max_memory_usage": 16 * GIB,
                       "max_threads": 32, "max_result_rows": 10_000_000})
    assert cluster_query_settings(raised, ceilings=HOST) == {
        "max_execution_time": 120, "max_memory_usage": 4 * GIB, "max_threads": 2,
        "max_result_rows": 10_000_000, "os_thread_priority": 10}


def test_limits_below_the_ceilings_stay_and_missing_ones_are_the_ceilings() -> None:
    modest = _cluster({"max_execution_time": 30, "max_threads": 1, "max_memory_usage": 0,
                       "bogus": 5, "max_result_rows": True})
    assert cluster_query_settings(modest, ceilings=HOST) == {
        "max_execution_time": 30, "max_threads": 1, "max_memory_usage": 4 * GIB,
        "os_thread_priority": 10}
    as_pages = replace(HOST, query_nice=0)
    assert "os_thread_priority" not in cluster_query_settings(modest, ceilings=as_pages)


def test_without_ceilings_given_those_of_the_environment_apply(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LYCEUM_HOST_MAX_EXECUTION_S", "7")
    monkeypatch.setenv("LYCEUM_HOST_MAX_MEMORY_GB", "1")
    monkeypatch.setenv("LYCEUM_HOST_MAX_THREADS", "1")
    monkeypatch.setenv("LYCEUM_QUERY_NICE", "15")
    raised = _cluster({"max_execution_time": 3600, "max_memory_usage": 16 * GIB})
    assert cluster_query_settings(raised) == {"max_execution_time": 7,
                                              "max_memory_usage": GIB, "max_threads": 1,
                                              "os_thread_priority": 15}


def test_queries_of_a_cluster_run_under_the_runtimes_ceilings(runtime: object) -> None:
    assert isinstance(runtime, Runtime)
    runtime.settings = runtime.settings.with_overrides(ceilings=HOST)
    with runtime.db.session() as session:
        cluster = _cluster({"max_execution_time": 3600, "max_memory_usage": 16 * GIB,
                            "max_threads": 32})
        session.add(cluster)
        session.flush()
        cluster_id = cluster.id
    cs = for_cluster(runtime, cluster_id)
    assert cs.rows("SELECT getSetting('max_execution_time'), getSetting('max_memory_usage'), "
                   "getSetting('max_threads'), getSetting('os_thread_priority')",
                   settings={"max_execution_time": 9999}) == [(120, 4 * GIB, 2, 10)]


def test_applied_limits_say_where_a_limit_was_capped_and_why() -> None:
    host = HostCeilings(max_execution_time=90, max_memory_usage=4 * 1024**3, max_threads=2)
    cluster = DatabaseCluster(query_limits={"max_threads": 8, "max_execution_time": 60})
    limits = {limit.name: limit for limit in applied_limits(cluster, ceilings=host)}
    assert (limits["max_threads"].asked, limits["max_threads"].applied) == (8, 2)
    assert limits["max_threads"].reason == (
        "capped from 8 by this machine's ceiling (LYCEUM_HOST_MAX_THREADS)")
    assert (limits["max_execution_time"].applied, limits["max_execution_time"].reason) == (
        60, "")
    assert limits["max_memory_usage"].asked is None
    assert limits["max_memory_usage"].applied == 4 * 1024**3
    assert "not set by the cluster" in limits["max_memory_usage"].reason
    assert list(limits) == ["max_threads", "max_memory_usage", "max_execution_time"]


def test_background_work_of_a_cluster_runs_at_the_lowest_priority(runtime: object) -> None:
    """Imports, partials builds, alert evaluation, reports and the demo feed yield the CPU to
    what people wait for (issue 17: the dashboard's refresh while ingesting)."""
    assert isinstance(runtime, Runtime)
    runtime.settings = runtime.settings.with_overrides(ceilings=HOST)
    with runtime.db.session() as session:
        cluster = _cluster({"max_threads": 1})
        session.add(cluster)
        session.flush()
        cluster_id = cluster.id
    ask = "SELECT getSetting('max_threads'), getSetting('os_thread_priority')"
    background = for_cluster(runtime, cluster_id, background=True)
    assert background.rows(ask, settings={"os_thread_priority": 0}) == [(1, BACKGROUND_NICE)]
    assert for_cluster(runtime, cluster_id).rows(ask) == [(1, 10)]
    assert BACKGROUND_NICE == 19
