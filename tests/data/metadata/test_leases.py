"""Leases in the metadata database: one holder at a time, renewal, expiry, release."""

from __future__ import annotations

from data.metadata import leases
from data.metadata.db import Database


def _db(url: str) -> Database:
    db = Database(url)
    db.migrate()
    return db


def test_one_holder_at_a_time_until_it_expires(database_url: str) -> None:
    db = _db(database_url)
    try:
        assert leases.take(db, name="duties", holder="a", now=100.0, seconds=20)
        assert not leases.take(db, name="duties", holder="b", now=110.0, seconds=20)
        assert leases.take(db, name="duties", holder="a", now=115.0, seconds=20)  # renewed
        assert not leases.take(db, name="duties", holder="b", now=130.0, seconds=20)
        assert leases.holder_of(db, name="duties", now=130.0) == "a"
        assert leases.take(db, name="duties", holder="b", now=135.0, seconds=20)  # expired
        assert leases.holder_of(db, name="duties", now=136.0) == "b"
        assert not leases.take(db, name="duties", holder="a", now=140.0, seconds=20)
    finally:
        db.dispose()


def test_release_frees_the_lease_only_for_its_holder(database_url: str) -> None:
    db = _db(database_url)
    try:
        assert leases.take(db, name="duties", holder="a", now=100.0, seconds=20)
        leases.release(db, name="duties", holder="b")
        assert leases.holder_of(db, name="duties", now=101.0) == "a"
        leases.release(db, name="duties", holder="a")
        assert leases.holder_of(db, name="duties", now=101.0) is None
        assert leases.take(db, name="duties", holder="b", now=102.0, seconds=20)
    finally:
        db.dispose()


def test_live_lists_unexpired_leases_by_prefix(database_url: str) -> None:
    db = _db(database_url)
    try:
        leases.take(db, name="process:h:1:x", holder="h:1:x", now=100.0, seconds=20)
        leases.take(db, name="process:h:2:y", holder="h:2:y", now=90.0, seconds=5)
        leases.take(db, name="process_", holder="z", now=100.0, seconds=20)
        leases.take(db, name="duties", holder="h:1:x", now=100.0, seconds=20)
        assert leases.live(db, prefix="process:", now=101.0) == {"process:h:1:x": "h:1:x"}
    finally:
        db.dispose()
