"""The work pools admit a bounded amount of long work, per pool and per cluster."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from lyceum.settings import PoolSizes
from services.core.work_pools import Busy, StillRunning, WorkPools


@pytest.fixture
def pools() -> Iterator[WorkPools]:
    made = WorkPools(PoolSizes(gateway=4, imports=1, reports=1, maintenance=1, queue=1,
                               per_cluster=2))
    yield made
    made.shutdown(wait=True)


def _blocker(gate: threading.Event, started: list[str], name: str) -> Callable[[], str]:
    def work() -> str:
        started.append(name)
        gate.wait(10)
        return name
    return work


def test_a_cluster_over_its_cap_is_refused_at_once_and_nothing_runs(pools: WorkPools) -> None:
    gate, started = threading.Event(), list[str]()
    futures = [pools.submit("gateway", _blocker(gate, started, f"q{i}"), cluster_id=7)
               for i in range(2)]
    with pytest.raises(Busy) as refused:
        pools.submit("gateway", _blocker(gate, started, "third"), cluster_id=7)
    assert refused.value.status_code == 429
    assert refused.value.user_message == ("This cluster already runs 2 queries; try again "
                                          "when one finishes.")
    other = pools.submit("gateway", _blocker(gate, started, "other"), cluster_id=8)
    assert pools.running("gateway", 7) == 2
    gate.set()
    assert sorted(f.result(5) for f in [*futures, other]) == ["other", "q0", "q1"]
    assert "third" not in started
    assert pools.running("gateway") == 0 and pools.running("gateway", 7) == 0
    assert pools.submit("gateway", lambda: "again", cluster_id=7).result(5) == "again"


def test_a_full_pool_refuses_at_once_instead_of_queueing(pools: WorkPools) -> None:
    gate, started = threading.Event(), list[str]()
    running = pools.submit("imports", _blocker(gate, started, "a"), cluster_id=1)
    waiting = pools.submit("imports", _blocker(gate, started, "b"), cluster_id=2)
    with pytest.raises(Busy, match=r"^The server already runs as many imports as it can; "
                                   r"try again in a moment\.$"):
        pools.submit("imports", _blocker(gate, started, "c"), cluster_id=3)
    gate.set()
    assert (running.result(5), waiting.result(5)) == ("a", "b")
    assert started == ["a", "b"]


def test_a_cap_of_one_says_so_in_the_singular() -> None:
    pools = WorkPools(PoolSizes(per_cluster=1))
    gate = threading.Event()
    try:
        pools.submit("imports", gate.wait, cluster_id=1)
        with pytest.raises(Busy, match=r"^This cluster already runs 1 import; "):
            pools.submit("imports", gate.wait, cluster_id=1)
    finally:
        gate.set()
        pools.shutdown(wait=True)


def test_run_returns_the_result_and_raises_the_jobs_error(pools: WorkPools) -> None:
    assert pools.run("maintenance", lambda: 42, cluster_id=1, timeout=5) == 42

    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        pools.run("maintenance", fails, cluster_id=1, timeout=5)
    assert pools.running("maintenance", 1) == 0


def test_run_stops_waiting_after_the_timeout_but_keeps_the_slot(pools: WorkPools) -> None:
    gate = threading.Event()
    with pytest.raises(StillRunning) as late:
        pools.run("reports", gate.wait, cluster_id=3, timeout=0.05)
    assert late.value.status_code == 504
    assert late.value.user_message == "The report is still running after 0 s; try again later."
    assert pools.running("reports", 3) == 1
    gate.set()
    pools.shutdown(wait=True)
    assert pools.running("reports", 3) == 0


def test_work_without_a_cluster_counts_only_against_the_pool(pools: WorkPools) -> None:
    assert pools.submit("reports", lambda: 1, cluster_id=None).result(5) == 1
    assert pools.running("reports") == 0


def test_a_job_cancelled_before_it_starts_frees_its_place() -> None:
    pools = WorkPools(PoolSizes(rankings=1, queue=1, per_cluster=2))
    gate = threading.Event()
    try:
        pools.submit("rankings", gate.wait, cluster_id=1)
        waiting = pools.submit("rankings", lambda: "never", cluster_id=1)
        assert pools.running("rankings", 1) == 2
        assert waiting.cancel()
        assert pools.running("rankings") == pools.running("rankings", 1) == 1
        assert pools.submit("rankings", lambda: "ran", cluster_id=1) is not None
    finally:
        gate.set()
        pools.shutdown(wait=True)
