"""The explorer's outlier ranking as a job of the ``rankings`` pool, off the threads that
serve pages: the page starts one after each draw and polls for its answer
(:func:`services.explorer.view.analyse`). A page that draws again before its ranking
started cancels the one it no longer shows. A job belongs to the cluster it was started
for; jobs are kept for ``KEEP_S`` (at most ``MAX_JOBS``, the oldest dropped first).

The page's polls may reach another web process of the deployment (``LYCEUM_WORKERS``):
each job's state and answer are also published in the shared cache (diskcache in the
instance folder, or Redis), where any process finds them."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial

from lyceum.errors import AppError, NotFound
from services.core.published import Published
from services.core.runtime import Runtime
from services.explorer import view
from services.explorer.state import ExplorerState

#: Seconds a job (and its answer) is kept; jobs kept at most.
KEEP_S, MAX_JOBS = 300.0, 64
#: Every job's state, for the other web processes.
PUBLISHED = Published("ranking", KEEP_S)


@dataclass
class _Job:
    cluster_id: int
    future: Future[view.Analysis]
    started: float = field(default_factory=time.monotonic)


@dataclass
class RankingJobs:
    """The ranking jobs of one runtime (``caches.of(RankingJobs)``)."""

    jobs: OrderedDict[str, _Job] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        """Forget every job (running ones finish unseen)."""
        with self.lock:
            self.jobs.clear()


def start(runtime: Runtime, cluster_id: int, state: ExplorerState, *, width: int,
          ranges: tuple[Sequence[float], Sequence[float]] | None = None,
          replaces: str | None = None) -> str:
    """Start ranking ``state``'s curves (:class:`services.core.work_pools.Busy` when the
    pool or this cluster's share of it is full); the job's id. ``replaces``: the job this
    page started before, cancelled if it has not started yet."""
    kept = runtime.caches.of(RankingJobs)
    if replaces:
        with kept.lock:
            old = kept.jobs.get(replaces)
        if old is not None and old.cluster_id == cluster_id:
            old.future.cancel()  # kept: its page's polls still in flight get no answer
    future = runtime.pools.submit(
        "rankings", partial(view.analyse, runtime, cluster_id, state, width=width,
                            ranges=ranges), cluster_id=cluster_id)
    job_id = secrets.token_urlsafe(12)
    _publish(runtime, job_id, cluster_id, future)
    future.add_done_callback(lambda done: _publish(runtime, job_id, cluster_id, done))
    now = time.monotonic()
    with kept.lock:
        kept.jobs[job_id] = _Job(cluster_id=cluster_id, future=future, started=now)
        for stale in [k for k, j in kept.jobs.items() if now - j.started > KEEP_S]:
            del kept.jobs[stale]
        while len(kept.jobs) > MAX_JOBS:
            kept.jobs.popitem(last=False)
    return job_id


def answer(runtime: Runtime, cluster_id: int, job_id: str) -> view.Analysis | None:
    """The job's ranking once it is done, as often as it is asked (a page's polls overlap
    until the first answer stops them); ``None`` while it runs, and for a job a newer draw
    replaced (that page polls the newer one next). Its ``AppError`` is raised here. Another
    cluster's job, or one no longer kept: :class:`NotFound`."""
    kept = runtime.caches.of(RankingJobs)
    with kept.lock:
        job = kept.jobs.get(job_id)
    if job is None:  # started by another web process: its published state
        return _published(runtime, cluster_id, job_id)
    if job.cluster_id != cluster_id:
        raise NotFound(GONE)
    if job.future.cancelled() or not job.future.done():
        return None
    return job.future.result()


GONE = "This ranking is no longer kept: draw the view again."


def _publish(runtime: Runtime, job_id: str, cluster_id: int,
             future: Future[view.Analysis]) -> None:
    """Publish the job's state (and its answer or error once done) for every process."""
    if future.cancelled() or not future.done():
        state: tuple[str, int, object] = ("running", cluster_id, None)
    elif isinstance(future.exception(), AppError):
        state = ("failed", cluster_id, future.exception())
    elif future.exception() is not None:
        state = ("failed", cluster_id, AppError("The ranking failed; draw the view again."))
    else:
        state = ("done", cluster_id, future.result())
    PUBLISHED.put(runtime, job_id, state)


def _published(runtime: Runtime, cluster_id: int, job_id: str) -> view.Analysis | None:
    found = PUBLISHED.get(runtime, job_id)
    if not isinstance(found, tuple) or len(found) != 3 or found[1] != cluster_id:
        raise NotFound(GONE)
    state, _cluster, value = found
    if state == "failed" and isinstance(value, AppError):
        raise value
    return value if state == "done" and isinstance(value, view.Analysis) else None
