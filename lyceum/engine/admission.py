"""How many statements run at once: overall, and per cluster; beyond that, refused at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from lyceum.engine.protocol import EngineFailure


class Admission:
    """Counts running statements; :meth:`enter` refuses (never waits) when a bound is full."""

    def __init__(self, *, overall: int, per_cluster: int) -> None:
        self.overall = overall
        self.per_cluster = per_cluster
        self._running: Counter[str] = Counter()
        self._total = 0
        self._lock = threading.Lock()

    def enter(self, key: str, *, bounded: bool) -> Callable[[], None]:
        """Take a place for ``key`` (a cluster, or the app when not ``bounded`` per key);
        return the function that gives it back (safe to call more than once)."""
        with self._lock:
            if self._total >= self.overall:
                raise EngineFailure(202, "TOO_MANY_SIMULTANEOUS_QUERIES",
                                    f"Too many simultaneous queries. Maximum: {self.overall}")
            if bounded and self._running[key] >= self.per_cluster:
                raise EngineFailure(202, "TOO_MANY_SIMULTANEOUS_QUERIES",
                                    "Too many simultaneous queries for this cluster. "
                                    f"Maximum: {self.per_cluster}")
            self._running[key] += 1
            self._total += 1
        released = threading.Event()

        def release() -> None:
            with self._lock:
                if released.is_set():
                    return
                released.set()
                self._running[key] -= 1
                self._total -= 1
                if self._running[key] <= 0:
                    del self._running[key]
        return release

    def running(self, key: str | None = None) -> int:
        """Statements running now (for ``key``, or overall)."""
        with self._lock:
            return self._total if key is None else self._running[key]
