"""Migration 0010 on SQLite and PostgreSQL: one pending secret per cluster, replaced by a
newer one, removed with its cluster, found when expired, and the way back down."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect

from data.metadata import pending_secrets
from data.metadata.db import Database
from data.metadata.models import utcnow
from data.metadata.models_credentials import PendingClusterSecret
from tests.data.metadata.migration_checks import add_clusters, check_down_and_up, delete_cluster


def _row(cluster_id: int, sealed: str, *, expires_in: timedelta) -> PendingClusterSecret:
    now = utcnow()
    return PendingClusterSecret(cluster_id=cluster_id, purpose="deploy", sealed_secret=sealed,
                                created_at=now, expires_at=now + expires_in)


def test_pending_secrets_round_trip_and_downgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        assert "pending_cluster_secrets" in inspect(db.engine).get_table_names()
        p, q = add_clusters(db, "p", "q")
        with db.session() as session:
            pending_secrets.put(session, _row(p, "first", expires_in=timedelta(hours=1)))
            pending_secrets.put(session, _row(q, "old", expires_in=-timedelta(seconds=1)))
        with db.session() as session:
            pending_secrets.put(session, _row(p, "second", expires_in=timedelta(hours=1)))
        with db.session() as session:
            row = pending_secrets.get(session, p)
            assert row is not None and row.sealed_secret == "second"
            assert row.expires_at.tzinfo is not None and row.created_by is None
            assert [r.cluster_id for r in pending_secrets.expired(session, now=utcnow())] == [q]
            assert pending_secrets.remove(session, q) and not pending_secrets.remove(session, q)
        delete_cluster(db, p)
        with db.session() as session:
            assert pending_secrets.get(session, p) is None
        check_down_and_up(db, "pending_cluster_secrets", down_to="0009")
    finally:
        db.dispose()
