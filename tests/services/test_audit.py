"""The audit log is append-only and hash-chained: editing a row is detected."""

from __future__ import annotations

from sqlalchemy import text

from data.db import Database
from services import audit
from services.audit import Actor


def test_chain_verifies_and_catches_an_edited_row(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        actor = Actor(user_id=1, label="ana@example.com", ip="127.0.0.1")
        with db.session() as session:
            for i in range(5):
                audit.record(session, "cluster.update", actor=actor, target_type="cluster",
                             target_id=i, cluster_id=1, detail={"n": i})
        with db.session() as session:
            report = audit.verify_chain(session)
        assert report.ok and report.checked == 5
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE cluster_audit_log SET outcome = 'denied' WHERE id = 3"))
        with db.session() as session:
            report = audit.verify_chain(session)
        assert not report.ok and report.broken_at == 3
    finally:
        db.dispose()


def test_deleting_a_row_breaks_the_chain(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with db.session() as session:
            for _ in range(3):
                audit.record(session, "login.success", actor=audit.SYSTEM)
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM cluster_audit_log WHERE id = 2"))
        with db.session() as session:
            assert audit.verify_chain(session).broken_at == 3
    finally:
        db.dispose()


def test_concurrent_writers_keep_one_chain(database_url: str) -> None:
    """Threads appending at once (each in its own transaction) never fork the chain."""
    from concurrent.futures import ThreadPoolExecutor

    db = Database(database_url)
    try:
        db.migrate()

        def write(worker: int) -> None:
            for i in range(8):
                with db.session() as session:
                    audit.record(session, "cluster.update", actor=audit.SYSTEM,
                                 detail={"worker": worker, "i": i})
                    audit.record(session, "cluster.update", actor=audit.SYSTEM,
                                 detail={"worker": worker, "i": i, "second": True})

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(write, range(6)))
        with db.session() as session:
            report = audit.verify_chain(session)
        assert report.ok and report.checked == 96
    finally:
        db.dispose()
