"""The shared cache on diskcache and on a real redis-server: one computation per key."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from services.core.cache import CacheBusy, DiskBackend, ProcessCaches, RedisBackend, SharedCache


@pytest.fixture(params=["diskcache", "redis"])
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> SharedCache:
    if request.param == "diskcache":
        return SharedCache(DiskBackend(tmp_path / "cache"), label="diskcache")
    backend = RedisBackend(request.getfixturevalue("redis_url"))
    backend.client.flushdb()
    return SharedCache(backend, label="redis")


def test_values_are_computed_once_within_the_ttl(cache: SharedCache) -> None:
    calls: list[int] = []
    def compute(value: int) -> int:
        calls.append(1)
        return value

    first = cache.get_or_compute(("c", 1, "24h", "kpis"), lambda: compute(42), ttl=30)
    again = cache.get_or_compute(("c", 1, "24h", "kpis"), lambda: compute(43), ttl=30)
    assert (first.value, again.value, len(calls)) == (42, 42, 1)
    assert first.computed_here and not again.computed_here
    other = cache.get_or_compute(("c", 1, "7d", "kpis"), lambda: 7, ttl=30)
    assert other.value == 7 and cache.computes() == 2


def test_an_expired_value_is_recomputed(cache: SharedCache) -> None:
    cache.get_or_compute(("k",), lambda: 1, ttl=30)
    assert cache.get_or_compute(("k",), lambda: 2, ttl=0).value == 2


def test_many_concurrent_viewers_cause_one_computation(cache: SharedCache) -> None:
    calls: list[int] = []
    gate = threading.Event()

    def slow() -> str:
        calls.append(1)
        gate.wait(5)
        return "fresh"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(
        cache.get_or_compute(("slow",), slow, ttl=30).value)) for _ in range(20)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    gate.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and results == ["fresh"] * 20


def test_a_slow_refresh_serves_the_old_value_marked_stale(cache: SharedCache) -> None:
    cache.get_or_compute(("p",), lambda: "old", ttl=30)
    gate, started = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        gate.wait(5)
        return "new"

    worker = threading.Thread(target=lambda: cache.get_or_compute(("p",), slow, ttl=0))
    worker.start()
    assert started.wait(5)
    seen = cache.get_or_compute(("p",), lambda: "never", ttl=0)
    gate.set()
    worker.join(5)
    assert (seen.value, seen.stale) == ("old", True)
    assert cache.get_or_compute(("p",), lambda: "x", ttl=30).value == "new"


def test_nothing_cached_and_busy_says_so(cache: SharedCache) -> None:
    with cache.guard(("busy",)) as held:
        assert held
        assert cache.backend.add("lyceum:empty:lock", 1, expire=5)
        with pytest.raises(CacheBusy, match="still being computed"):
            cache.get_or_compute(("empty",), lambda: 1, ttl=30, wait_s=0.2)
        with cache.guard(("busy",)) as second:
            assert not second


def test_claims_are_granted_once(cache: SharedCache) -> None:
    assert cache.claim(("cycle", 7), seconds=30)
    assert not cache.claim(("cycle", 7), seconds=30)
    assert cache.claim(("cycle", 8), seconds=30)


def test_shared_counters_add_up(cache: SharedCache) -> None:
    cache.count("stats:queries", 3)
    cache.count("stats:queries", 0)
    cache.count("stats:queries", 2)
    assert cache.counter("stats:queries") == 5


class _Kept:
    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def clear(self) -> None:
        self.items.clear()


class _Other(_Kept):
    pass


def test_process_caches_make_each_kind_once_and_clear_them_all() -> None:
    caches = ProcessCaches()
    kept = caches.of(_Kept)
    kept.items["a"] = 1
    assert caches.of(_Kept) is kept and caches.of(_Other) is not kept
    caches.of(_Other).items["b"] = 2
    assert ProcessCaches().of(_Kept).items == {}  # another runtime's caches start empty
    caches.clear()
    assert caches.of(_Kept) is kept and kept.items == {} and caches.of(_Other).items == {}


def test_process_caches_make_a_kind_once_under_concurrent_first_use() -> None:
    caches = ProcessCaches()
    made: list[_Kept] = []
    barrier = threading.Barrier(8)

    def first_use() -> None:
        barrier.wait()
        made.append(caches.of(_Kept))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 8 and all(found is made[0] for found in made)
