"""Bounded pools for long work, apart from the threads that serve pages.

Gateway queries, imports, reports, maintenance (retention changes), curve exports and the
explorer's outlier rankings each run in their own small pool of worker threads. Every pool
admits at most ``workers + queue`` jobs, and at most ``per_cluster`` of one cluster; work
beyond either is refused at once with :class:`Busy` (HTTP 429) instead of queueing without
bound. A request that waits for its
pooled job waits at most a given time (the job's own limit), so the server threads a request
can hold are bounded by what the pools admit; ``load_settings`` checks the server has more
than that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from lyceum.errors import AppError
from lyceum.settings import PoolSizes, Settings

T = TypeVar("T")

#: The pools, with the word for one job of each in messages.
POOLS: dict[str, tuple[str, str]] = {
    "gateway": ("query", "queries"),
    "imports": ("import", "imports"),
    "reports": ("report", "reports"),
    "maintenance": ("maintenance job", "maintenance jobs"),
    "exports": ("export", "exports"),
    "rankings": ("outlier ranking", "outlier rankings"),
}

#: Seconds a request waits beyond the host's longest query (checks, transfer of the rows).
WAIT_GRACE_S = 15.0


def request_wait_s(settings: Settings) -> float:
    """How long a request waits for its pooled query or change: the host's longest query,
    plus a grace period; the engine stops the query itself by then."""
    return settings.ceilings.max_execution_time + WAIT_GRACE_S


class Busy(AppError):
    """The cluster or the server already runs as much of this work as it may; try later."""

    status_code = 429
    code = "busy"


class StillRunning(AppError):
    """The pooled job did not finish within the time the request waits for it."""

    status_code = 504
    code = "still_running"


@dataclass
class _Pool:
    """One named pool: its executor, its admission count and its per-cluster counts."""

    name: str
    executor: ThreadPoolExecutor
    capacity: int
    admitted: int = 0


class WorkPools:
    """The named pools of one app process (owned by :class:`services.core.runtime.Runtime`)."""

    def __init__(self, sizes: PoolSizes) -> None:
        self.sizes = sizes
        self._lock = threading.Lock()
        self._pools = {
            name: _Pool(name, ThreadPoolExecutor(max_workers=sizes.workers(name),
                                                 thread_name_prefix=f"lyceum-{name}"),
                        capacity=sizes.workers(name) + sizes.queue)
            for name in POOLS}
        self._per_cluster: dict[tuple[str, int], int] = {}

    def running(self, pool: str, cluster_id: int | None = None) -> int:
        """Jobs admitted (running or waiting) in ``pool``, or of one cluster in it."""
        with self._lock:
            if cluster_id is None:
                return self._pools[pool].admitted
            return self._per_cluster.get((pool, cluster_id), 0)

    @contextmanager
    def _slot(self, pool: str, cluster_id: int | None) -> Iterator[Callable[[], None]]:
        """Admit one job or raise :class:`Busy`; yields the function that frees the slot."""
        entry = self._pools[pool]
        one, many = POOLS[pool]
        key = (pool, cluster_id) if cluster_id is not None else None
        with self._lock:
            if key is not None and self._per_cluster.get(key, 0) >= self.sizes.per_cluster:
                cap = self.sizes.per_cluster
                raise Busy(f"This cluster already runs {cap} {one if cap == 1 else many}; "
                           "try again when one finishes.")
            if entry.admitted >= entry.capacity:
                raise Busy(f"The server already runs as many {many} as it can; "
                           "try again in a moment.")
            entry.admitted += 1
            if key is not None:
                self._per_cluster[key] = self._per_cluster.get(key, 0) + 1
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                entry.admitted -= 1
                if key is not None:
                    left = self._per_cluster[key] - 1
                    if left:
                        self._per_cluster[key] = left
                    else:
                        del self._per_cluster[key]

        try:
            yield release
        except BaseException:
            release()
            raise

    def submit(self, pool: str, fn: Callable[[], T], *, cluster_id: int | None) -> Future[T]:
        """Run ``fn()`` in ``pool`` for a cluster; :class:`Busy` (and nothing runs) when the
        pool or the cluster's share of it is full. Cancelling the future before the job
        starts frees its place."""
        with self._slot(pool, cluster_id) as release:
            def job() -> T:
                try:
                    return fn()
                finally:
                    release()

            future = self._pools[pool].executor.submit(job)
            # a job cancelled before it started never runs: its slot is freed here
            future.add_done_callback(lambda done: release() if done.cancelled() else None)
            return future

    def run(self, pool: str, fn: Callable[[], T], *, cluster_id: int | None,
            timeout: float) -> T:
        """Run ``fn()`` in ``pool`` and wait for its result at most ``timeout`` seconds.

        Its exceptions reach the caller; :class:`StillRunning` when it takes longer (it keeps
        its slot until it ends, bounded by its own limits)."""
        future = self.submit(pool, fn, cluster_id=cluster_id)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as exc:
            one = POOLS[pool][0]
            raise StillRunning(f"The {one} is still running after {timeout:.0f} s; "
                               "try again later.") from exc

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop taking work; running jobs finish (``wait`` waits for them)."""
        for entry in self._pools.values():
            entry.executor.shutdown(wait=wait, cancel_futures=True)
