"""The outlier ranking as a pooled job: its answer is the page's ranking, for its own cluster
only, as often as overlapping polls ask; a page's earlier job not yet started is cancelled
and answers nothing; a full pool says so."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest

from lyceum.errors import AppError, NotFound
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.explorer import outliers_jobs, view
from services.explorer.outliers_jobs import RankingJobs
from services.explorer.state import ExplorerState
from tests.waiting import wait_until

STATE = ExplorerState(process="press")


def _collect(runtime: Runtime, cluster_id: int, job: str) -> view.Analysis:
    """The job's answer, waiting for the pool to finish it."""
    kept = runtime.caches.of(RankingJobs)
    with kept.lock:
        future = kept.jobs[job].future
    future.result(timeout=60)
    found = outliers_jobs.answer(runtime, cluster_id, job)
    assert found is not None
    return found


def test_the_job_answers_what_the_page_ranked_once(mod_runtime: Runtime,
                                                   cluster_id: int) -> None:
    job = outliers_jobs.start(mod_runtime, cluster_id, STATE, width=200)
    with pytest.raises(NotFound):  # another cluster's page never sees it
        outliers_jobs.answer(mod_runtime, cluster_id + 1, job)
    found = _collect(mod_runtime, cluster_id, job)
    direct = view.analyse(mod_runtime, cluster_id, STATE, width=200)
    assert found.rows == direct.rows and found.n_ranked == direct.n_ranked == 7
    assert found.bounded == "" and found.n_matching == 7
    assert outliers_jobs.answer(mod_runtime, cluster_id, job) is found  # overlapping polls
    with pytest.raises(NotFound) as gone:
        outliers_jobs.answer(mod_runtime, cluster_id, "no-such-job")
    assert gone.value.user_message == "This ranking is no longer kept: draw the view again."


def test_a_new_draw_cancels_the_ranking_not_yet_started_and_a_full_pool_refuses(
        mod_runtime: Runtime, cluster_id: int) -> None:
    """The pool's one worker is held by a blocker: the page's first ranking waits, the next
    draw's replaces it (cancelled, its slot freed); once every place is taken, Busy."""
    release = threading.Event()
    blocker: Future[bool] = mod_runtime.pools.submit(
        "rankings", lambda: release.wait(30), cluster_id=None)
    try:
        first = outliers_jobs.start(mod_runtime, cluster_id, STATE, width=200)
        second = outliers_jobs.start(mod_runtime, cluster_id, STATE, width=200,
                                     replaces=first)
        assert outliers_jobs.answer(mod_runtime, cluster_id, first) is None  # replaced
        assert outliers_jobs.answer(mod_runtime, cluster_id, second) is None  # waiting
        third = outliers_jobs.start(mod_runtime, cluster_id, STATE, width=200)
        with pytest.raises(Busy):  # the cluster's share of the pool (2) is taken
            outliers_jobs.start(mod_runtime, cluster_id, STATE, width=200)
    finally:
        release.set()
    blocker.result(timeout=30)
    for job in (second, third):
        assert _collect(mod_runtime, cluster_id, job).n_ranked == 7


def test_another_web_process_answers_the_poll(mod_runtime: Runtime, cluster_id: int) -> None:
    """With several web processes a page's poll may reach one that did not start the job:
    it answers from the job's published state (running, the ranking, or its error)."""
    other = Runtime.open(mod_runtime.settings)  # a second process: its own caches
    release = threading.Event()
    blocker: Future[bool] = mod_runtime.pools.submit(
        "rankings", lambda: release.wait(30), cluster_id=None)
    try:
        job = outliers_jobs.start(mod_runtime, cluster_id, STATE, width=200)
        assert outliers_jobs.answer(other, cluster_id, job) is None  # still running
        failing = outliers_jobs.start(mod_runtime, cluster_id,
                                      ExplorerState(process="no-such-process"), width=200)
        release.set()
        found = _collect(mod_runtime, cluster_id, job)
        # published by the job's done-callback, just after its future is done
        elsewhere = wait_until(lambda: outliers_jobs.answer(other, cluster_id, job),
                               within=30, message="the ranking was never published")
        assert elsewhere is not None and elsewhere.rows == found.rows
        with pytest.raises(NotFound):  # another cluster's page never sees it
            outliers_jobs.answer(other, cluster_id + 1, job)
        kept = mod_runtime.caches.of(RankingJobs)
        with kept.lock:
            error = kept.jobs[failing].future.exception(timeout=60)
        assert isinstance(error, AppError)

        def refused() -> str:
            try:
                outliers_jobs.answer(other, cluster_id, failing)
            except AppError as exc:
                return exc.user_message
            return ""
        assert wait_until(refused, within=30, message="the error was never published") \
            == error.user_message
    finally:
        release.set()
        other.close()
    blocker.result(timeout=30)
