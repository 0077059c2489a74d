"""The throttling counters on SQLite and PostgreSQL: parallel reservations never pass the
limit, a refusal counts nothing, a full window doubles the next one."""

from __future__ import annotations

import threading

from data.metadata import throttle
from data.metadata.db import Database
from data.metadata.models_accounts import LoginThrottle


def _row(db: Database, key: str) -> LoginThrottle | None:
    with db.session() as session:
        return session.get(LoginThrottle, key)


def test_parallel_reservations_stop_at_the_limit(db: Database) -> None:
    start, passed = threading.Barrier(24), []

    def attempt() -> None:
        start.wait()
        if throttle.reserve(db, [("acct:a|1", 5), ("addr:1", 20)], now=1000.0, base=900,
                            cap=14400) is None:
            passed.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 5
    assert _row(db, "acct:a|1").failures == 5  # type: ignore[union-attr]
    assert _row(db, "addr:1").failures == 5  # type: ignore[union-attr]  # refusals undone


def test_a_refusal_by_the_address_counts_nothing_for_the_pair(db: Database) -> None:
    for n in range(3):
        assert throttle.reserve(db, [(f"acct:{n}|1", 5), ("addr:1", 3)], now=10.0, base=60,
                                cap=600) is None
    refused = throttle.reserve(db, [("acct:x|1", 5), ("addr:1", 3)], now=20.0, base=60, cap=600)
    assert refused is not None and (refused.key, refused.until) == ("addr:1", 70.0)
    assert _row(db, "acct:x|1") is None


def test_backoff_and_release(db: Database) -> None:
    keys = [("acct:b|2", 2)]
    for _ in range(2):
        assert throttle.reserve(db, keys, now=0.0, base=100, cap=300) is None
    assert throttle.reserve(db, keys, now=50.0, base=100, cap=300) is not None
    assert throttle.reserve(db, keys, now=100.0, base=100, cap=300) is None  # window over
    row = _row(db, "acct:b|2")
    assert row is not None and (row.failures, row.penalty, row.window_end) == (1, 200, 300)
    throttle.reserve(db, keys, now=110.0, base=100, cap=300)
    assert throttle.reserve(db, keys, now=400.0, base=100, cap=300) is None
    assert _row(db, "acct:b|2").penalty == 300  # type: ignore[union-attr]  # capped
    throttle.release(db, reset="acct:b|2", refund="addr:none")
    assert _row(db, "acct:b|2") is None


def test_counters_whose_window_ended_long_ago_are_pruned(db: Database) -> None:
    for n in range(3):
        throttle.reserve(db, [(f"acct:old{n}|3", 5)], now=0.0, base=100, cap=400)
    throttle.reserve(db, [("acct:recent|3", 5)], now=350.0, base=100, cap=400)
    assert _row(db, "acct:old0|3") is not None  # ended at 100, not yet 400 s ago
    throttle.reserve(db, [("acct:new|3", 5)], now=600.0, base=100, cap=400)
    assert [_row(db, f"acct:old{n}|3") for n in range(3)] == [None, None, None]
    assert _row(db, "acct:recent|3") is not None and _row(db, "acct:new|3") is not None
