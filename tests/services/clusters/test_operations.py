"""Long operations: run in the maintenance pool, progress any process can read, endings in
words, one at a time per cluster; and the retention change built on them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from data.analytics.ch_schema import TierRetention
from lyceum.errors import ValidationError
from services.clusters import operations
from services.clusters.console import start_retention_change
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
