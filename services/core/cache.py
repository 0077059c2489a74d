"""The shared server-side cache: diskcache in the instance folder, or Redis when REDIS_URL is set.

Dashboard panels are cached per (cluster, window, panel, …) with a short time to live, so the
number of ClickHouse queries in a refresh period is bounded by the number of distinct views,
not by the number of viewers: the first viewer whose entry is too old takes a lock and
computes; everyone else gets the previous value (marked stale) until it is done. Both
backends are shared between processes, so several app workers share one cache.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from lyceum.errors import AppError
from lyceum.settings import Settings

T = TypeVar("T")
PREFIX = "lyceum:"
COMPUTES_KEY = "stats:computes"
#: How long a computing viewer holds a key's lock at most (a crashed worker frees it then).
LOCK_SECONDS = 60.0
#: How long an old value is kept to be served (stale) while a new one is computed.
STALE_SECONDS = 900.0


class Clearable(Protocol):
    """An in-process cache: anything that can forget what it holds."""

    def clear(self) -> None: ...


C = TypeVar("C", bound=Clearable)


class ProcessCaches:
    """The in-process caches one :class:`~services.core.runtime.Runtime` owns, one per kind.

    ``caches.of(Kind)`` is the runtime's ``Kind()``, made on first use; each kind keeps its
    own bounds (size, time to live) and lock. A second runtime (a test, the CLI) starts with
    empty caches, and :meth:`clear` empties every one (data reloads, tests).
    """

    def __init__(self) -> None:
        self._made: dict[type[Any], Any] = {}
        self._lock = threading.Lock()

    def of(self, kind: type[C]) -> C:
        """This runtime's cache of ``kind`` (made by ``kind()`` the first time)."""
        with self._lock:
            if kind not in self._made:
                self._made[kind] = kind()
            found: C = self._made[kind]
        return found

    def clear(self) -> None:
        """Empty every cache made so far."""
        with self._lock:
            made: list[Clearable] = list(self._made.values())
        for cache in made:
            cache.clear()


class CacheBusy(AppError):
    """Nothing cached yet and another viewer is computing it right now."""

    status_code = 503
    code = "busy"


class Backend(Protocol):
    """What the cache needs from a store: atomic add, expiry, counters."""

    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: Any, *, expire: float) -> None: ...
    def add(self, key: str, value: Any, *, expire: float) -> bool: ...
    def delete(self, key: str) -> None: ...
    def incr(self, key: str, amount: int = 1) -> int: ...
    def counter(self, key: str) -> int: ...


class DiskBackend:
    """diskcache (SQLite in the instance folder): safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        import diskcache

        path.mkdir(parents=True, exist_ok=True)
        self.cache = diskcache.Cache(str(path), timeout=5)

    def get(self, key: str) -> Any:
        return self.cache.get(key)

    def set(self, key: str, value: Any, *, expire: float) -> None:
        self.cache.set(key, value, expire=expire)

    def add(self, key: str, value: Any, *, expire: float) -> bool:
        return bool(self.cache.add(key, value, expire=expire))

    def delete(self, key: str) -> None:
        self.cache.delete(key)

    def incr(self, key: str, amount: int = 1) -> int:
        return int(self.cache.incr(key, amount, default=0))

    def counter(self, key: str) -> int:
        return int(self.cache.get(key) or 0)


class RedisBackend:
    """Redis, shared by every worker that points at the same REDIS_URL."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def get(self, key: str) -> Any:
        raw = self.client.get(key)
        return None if raw is None else pickle.loads(bytes(raw))  # type: ignore[arg-type]

    def set(self, key: str, value: Any, *, expire: float) -> None:
        self.client.set(key, pickle.dumps(value), px=max(1, int(expire * 1000)))

    def add(self, key: str, value: Any, *, expire: float) -> bool:
        return bool(self.client.set(key, pickle.dumps(value), px=max(1, int(expire * 1000)),
                                    nx=True))

    def delete(self, key: str) -> None:
        self.client.delete(key)

    def incr(self, key: str, amount: int = 1) -> int:
        return int(self.client.incr(key, amount))

    def counter(self, key: str) -> int:
        return int(self.client.get(key) or 0)


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A value from the cache: when it was computed, and whether it is older than asked."""

    value: T
    computed_at: float
    stale: bool
    computed_here: bool = False


def _name(key: tuple[Hashable, ...] | str) -> str:
    return PREFIX + (key if isinstance(key, str) else ":".join(str(part) for part in key))


class SharedCache:
    """Get-or-compute with one computation per key at a time, across threads and processes."""

    def __init__(self, backend: Backend, *, label: str) -> None:
        self.backend = backend
        self.label = label

    def get_or_compute(self, key: tuple[Hashable, ...], compute: Callable[[], T], *,
                       ttl: float, wait_s: float = 10.0) -> Cached[T]:
        """The cached value if younger than ``ttl``; else compute it once for everybody.

        While another caller computes, an older value is returned marked ``stale``; if there
        is none, this waits up to ``wait_s`` for it and then raises :class:`CacheBusy`.
        """
        name = _name(key)
        entry = self.backend.get(name)
        if entry is not None and time.time() - entry[1] < ttl:
            return Cached(entry[0], entry[1], stale=False)
        if self.backend.add(name + ":lock", 1, expire=LOCK_SECONDS):
            try:
                # Someone may have finished between our read and taking the lock.
                entry = self.backend.get(name)
                if entry is not None and time.time() - entry[1] < ttl:
                    return Cached(entry[0], entry[1], stale=False)
                value = compute()
                at = time.time()
                self.backend.set(name, (value, at), expire=max(STALE_SECONDS, ttl))
                self.backend.incr(_name(COMPUTES_KEY))
                return Cached(value, at, stale=False, computed_here=True)
            finally:
                self.backend.delete(name + ":lock")
        if entry is not None:
            return Cached(entry[0], entry[1], stale=True)
        return self._wait(name, wait_s)

    def _wait(self, name: str, wait_s: float) -> Cached[Any]:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            time.sleep(0.05)
            entry = self.backend.get(name)
            if entry is not None:
                return Cached(entry[0], entry[1], stale=False)
        raise CacheBusy("This panel is still being computed; it will appear at the next "
                        "refresh.")

    @contextmanager
    def guard(self, key: tuple[Hashable, ...], *, seconds: float = LOCK_SECONDS) -> Iterator[bool]:
        """Hold a short lock (``True``) or learn that someone holds it (``False``)."""
        name = _name(key) + ":guard"
        held = self.backend.add(name, 1, expire=seconds)
        try:
            yield held
        finally:
            if held:
                self.backend.delete(name)

    def claim(self, key: tuple[Hashable, ...], *, seconds: float) -> bool:
        """True once per ``key`` until it expires (e.g. one evaluation per cycle)."""
        return self.backend.add(_name(key), 1, expire=seconds)

    def count(self, name: str, amount: int = 1) -> None:
        """Add ``amount`` to a shared counter (every process of this cache sees it)."""
        if amount > 0:
            self.backend.incr(_name(name), amount)

    def counter(self, name: str) -> int:
        """The value of a shared counter."""
        return self.backend.counter(_name(name))

    def computes(self) -> int:
        """How many values were computed so far (every process, this cache)."""
        return self.backend.counter(_name(COMPUTES_KEY))

    def invalidate(self, key: tuple[Hashable, ...]) -> None:
        """Forget one cached value."""
        self.backend.delete(_name(key))


_caches: dict[str, SharedCache] = {}
_lock = threading.Lock()


def open_cache(*, redis_url: str | None, folder: Path) -> SharedCache:
    """A :class:`SharedCache` on Redis (``redis_url``) or diskcache in ``folder``."""
    label = redis_url or str(folder)
    with _lock:
        if label not in _caches:
            backend: Backend = RedisBackend(redis_url) if redis_url else DiskBackend(folder)
            _caches[label] = SharedCache(backend, label="redis" if redis_url else "diskcache")
        return _caches[label]


class _HasSettings(Protocol):
    @property
    def settings(self) -> Settings: ...


def shared_cache(runtime: _HasSettings) -> SharedCache:
    """The process's shared cache for ``runtime`` (Redis when REDIS_URL is set)."""
    return open_cache(redis_url=runtime.settings.redis_url,
                      folder=runtime.settings.instance_path / "cache" / "dashboard")
