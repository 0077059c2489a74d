"""The outlier ranking as a pooled job: its answer is the page's ranking, for its own cluster
only, as often as overlapping polls ask; a page's earlier job not yet started is cancelled
and answers nothing; a full pool says so."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest

from lyceum.errors import NotFound
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.explorer import outliers_jobs, view
from services.explorer.outliers_jobs import RankingJobs
from services.explorer.state import ExplorerState

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
