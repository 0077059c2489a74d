"""Long operations: run in the maintenance pool, progress any process can read, endings in
words, one at a time per cluster; and the retention change built on them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from data.analytics.ch_schema import TierRetention
from lyceum.errors import NotFound, ValidationError
from services.clusters import operations
from services.clusters.console import (
    start_decommission,
    start_limits_change,
    start_retention_change,
)
from services.clusters.operations import OperationView, Progress
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from tests.services.clusters.console_world import OPS, make_cluster, reload
from tests.waiting import wait_until


def ended(rt: Runtime, cluster_id: int) -> OperationView:
    """The cluster's newest operation once it has ended."""
    wait_until(lambda: (op := operations.latest(rt, cluster_id)) is not None and not op.running,
               within=60, message="the operation did not end")
    found = operations.latest(rt, cluster_id)
    assert found is not None
    return found


def test_an_operation_records_its_progress_and_ending(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    gate, seen = threading.Event(), list[int]()

    def work(progress: Progress) -> str:
        progress(1)
        gate.wait(10)
        progress(2)
        return "Both parts done."

    started = operations.start(rt, cluster.id, kind="retention", total=3, actor=OPS, work=work)
    assert started.running and started.summary == "0 of 3 tables"
    wait_until(lambda: (op := operations.latest(rt, cluster.id)) is not None and op.done == 1,
               within=10, message="no progress recorded")
    running = operations.latest(rt, cluster.id)
    assert running is not None and (running.percent, running.label) == (33, "Retention change")
    def never(_progress: Progress) -> str:
        seen.append(1)
        return ""

    with pytest.raises(Busy, match=r"already running a retention change \(1 of 3 tables\)"):
        operations.start(rt, cluster.id, kind="retention", total=1, actor=OPS, work=never)
    gate.set()
    done = ended(rt, cluster.id)
    assert (done.state, done.done, done.summary) == ("done", 2, "Both parts done.")
    assert done.actor_label == OPS.label and seen == []


@pytest.mark.parametrize(("error", "message"), [
    (ValidationError("The engine said no."), "The engine said no."),
    (RuntimeError("secret detail"), "The operation failed; the log has the details."),
])
def test_a_failing_operation_ends_failed_with_a_message_for_people(
        rt: Runtime, ch_database: str, error: Exception, message: str) -> None:
    cluster = make_cluster(rt, ch_database)

    def work(_progress: Progress) -> str:
        raise error

    operations.start(rt, cluster.id, kind="retention", total=1, actor=OPS, work=work)
    failed = ended(rt, cluster.id)
    assert (failed.state, failed.message) == ("failed", message)


def test_a_retention_change_runs_as_an_operation_over_every_table(
        rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    new = TierRetention(warm_after_days=3, cold_after_days=9, archive_after_days=27,
                        delete_after_days=None)
    started = start_retention_change(rt, cluster.id, new, actor=OPS)
    assert started.total >= 5 and started.running
    done = ended(rt, cluster.id)
    assert done.state == "done" and done.done == started.total
    assert done.message == f"Retention applied to all {started.total} tables."
    assert reload(rt, cluster.id).retention["warm_after_days"] == 3


def test_a_bad_retention_is_refused_before_anything_starts(rt: Runtime,
                                                           ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    bad: Callable[[], object] = lambda: start_retention_change(  # noqa: E731
        rt, cluster.id, TierRetention(30, 10, 90, None), actor=OPS)
    with pytest.raises(ValidationError):
        bad()
    assert operations.latest(rt, cluster.id) is None


def test_a_limit_change_runs_as_an_operation_and_bad_values_start_nothing(
        rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ValidationError, match="threads"):
        start_limits_change(rt, cluster.id, max_threads=0, max_memory_gb=4,
                            max_execution_time_s=60, actor=OPS)
    assert operations.latest(rt, cluster.id) is None
    started = start_limits_change(rt, cluster.id, max_threads=2, max_memory_gb=4,
                                  max_execution_time_s=60, actor=OPS)
    assert (started.kind, started.label, started.running) == ("limits", "Limit change", True)
    done = ended(rt, cluster.id)
    assert done.state == "done" and done.percent == 100
    assert reload(rt, cluster.id).query_limits["max_threads"] == 2


def test_a_decommission_runs_as_an_operation_after_the_exact_name(
        rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ValidationError, match="name exactly"):
        start_decommission(rt, cluster.id, typed_name=cluster.name.upper(), actor=OPS)
    assert operations.latest(rt, cluster.id) is None
    waited = start_decommission(rt, cluster.id, typed_name=cluster.name, actor=OPS, wait_s=60)
    assert (waited.state, waited.message) == (
        "done", "The database was dropped; the records remain.")
    assert reload(rt, cluster.id).status == "decommissioned"


def test_an_operation_is_read_only_under_its_own_cluster(rt: Runtime,
                                                         ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    def work(progress: Progress) -> str:
        progress(1)
        return "One step."

    waited = operations.run(rt, cluster.id, kind="limits", total=1, actor=OPS, work=work,
                            timeout=30)
    assert operations.get(rt, cluster.id, waited.id).message == "One step."
    for wrong in (waited.id + 1000, str(waited.id), True):
        with pytest.raises(NotFound):
            operations.get(rt, cluster.id, wrong)
    with pytest.raises(NotFound):
        operations.get(rt, cluster.id + 1000, waited.id)


def test_waiting_for_a_failed_operation_raises_its_error(rt: Runtime,
                                                         ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)

    def work(_progress: Progress) -> str:
        raise ValidationError("The engine said no.")

    with pytest.raises(ValidationError, match="The engine said no."):
        operations.run(rt, cluster.id, kind="limits", total=1, actor=OPS, work=work,
                       timeout=30)
    assert ended(rt, cluster.id).state == "failed"
