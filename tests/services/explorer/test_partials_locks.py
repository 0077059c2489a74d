"""The partials' build locks belong to the runtime's caches: one build at a time per
(database, process) within a runtime, none shared between runtimes, kept by ``clear``."""

from __future__ import annotations

from data.analytics.clickhouse import ClickHouse
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches
from services.explorer import partials


def _session(ch: ClickHouse, database: str, caches: ProcessCaches) -> ClusterSession:
    return ClusterSession(ch=ch, database=database, limits={}, caches=caches)


def test_sessions_of_one_runtime_share_the_lock_of_a_process(ch: ClickHouse) -> None:
    caches = ProcessCaches()
    first, second = _session(ch, "plant_a", caches), _session(ch, "plant_a", caches)
    lock = partials._lock(first, "press")
    assert partials._lock(second, "press") is lock
    assert partials._lock(first, "weld") is not lock
    assert partials._lock(_session(ch, "plant_b", caches), "press") is not lock
    with lock:  # a build holds it: another build of the same process waits
        assert not partials._lock(second, "press").acquire(blocking=False)


def test_another_runtime_has_its_own_locks_and_clear_keeps_them(ch: ClickHouse) -> None:
    caches = ProcessCaches()
    lock = partials._lock(_session(ch, "plant_a", caches), "press")
    assert partials._lock(_session(ch, "plant_a", ProcessCaches()), "press") is not lock
    caches.clear()
    assert partials._lock(_session(ch, "plant_a", caches), "press") is lock
