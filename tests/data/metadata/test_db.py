"""Migrations and models on both metadata engines: SQLite and a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.pool import QueuePool

from data.metadata.db import SQLITE_POOL, Database, head_revision
from data.metadata.models import (
    ClusterRegion,
    ClusterTeamAccess,
    DatabaseCluster,
    ProjectType,
    User,
)

SEED_TABLES = {
    "cluster_events", "wizard_drafts",
    "users", "user_sessions", "database_clusters", "cluster_team_access", "cluster_projects",
    "project_assets", "cluster_usage_metrics", "cluster_access_tokens", "cluster_audit_log",
    "project_types", "cluster_regions",
}


def test_migrates_up_down_and_up_again(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert db.current_revision() is None
        db.migrate()
        assert db.current_revision() == head_revision()
        assert SEED_TABLES <= set(inspect(db.engine).get_table_names())
        db.downgrade("base")
        assert not SEED_TABLES & set(inspect(db.engine).get_table_names())
        db.migrate()
        assert db.current_revision() == head_revision()
    finally:
        db.dispose()


def test_reference_data_is_seeded(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with db.session() as session:
            regions = set(session.scalars(select(ClusterRegion.code)))
            types = set(session.scalars(select(ProjectType.code)))
        assert "local" in regions and len(regions) >= 4
        assert types == {"manufacturing_analytics", "quality_control", "predictive_maintenance",
                         "production_optimisation", "custom"}
    finally:
        db.dispose()


def test_models_round_trip_with_aware_times_and_constraints(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        when = datetime(2026, 11, 25, 7, 40, 1, 123456, tzinfo=UTC)
        with db.session() as session:
            user = User(email="a@example.com", display_name="A", created_at=when)
            cluster = DatabaseCluster(name="Line 1", database_name="line_1",
                                      cluster_type="development", region_code="local",
                                      storage={"hot_gb": 10}, retention={"warm_after_days": 7})
            session.add_all([user, cluster])
            session.flush()
            session.add(ClusterTeamAccess(cluster_id=cluster.id, user_id=user.id, role="editor"))
        with db.session() as session:
            loaded = session.scalars(select(User)).one()
            assert loaded.created_at == when and loaded.created_at.tzinfo is not None
            found = session.scalars(select(DatabaseCluster)).one()
            assert found.storage == {"hot_gb": 10} and found.members[0].role == "editor"
        with pytest.raises(IntegrityError), db.session() as session:
            session.add(ClusterTeamAccess(cluster_id=found.id, user_id=loaded.id, role="viewer"))
        with pytest.raises(IntegrityError), db.session() as session:
            session.add(DatabaseCluster(name="Line 1", database_name="other", cluster_type="x",
                                        region_code="local"))
    finally:
        db.dispose()


def test_naive_datetimes_are_refused(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with pytest.raises(StatementError, match="naive") as caught, db.session() as session:
            session.add(User(email="b@example.com", created_at=datetime(2026, 1, 1)))
            session.flush()
        assert isinstance(caught.value.orig, ValueError)
    finally:
        db.dispose()


def test_a_sqlite_file_keeps_a_connection_for_every_thread(tmp_path: Path) -> None:
    """Threads beyond the pool's kept connections would each open, set up and close one per
    use: 24 threads asking at once all get kept connections."""
    db = Database(f"sqlite:///{tmp_path / 'meta.db'}")
    db.migrate()
    opened: list[object] = []
    event.listen(db.engine, "connect", lambda *_: opened.append(1))
    barrier = threading.Barrier(24)

    def ask() -> None:
        with db.engine.connect() as connection:
            barrier.wait(timeout=10)
            connection.execute(select(1))

    for _ in range(2):
        threads = [threading.Thread(target=ask) for _ in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.size() == SQLITE_POOL >= 24
    assert len(opened) <= 24  # the second round reused every connection of the first
    db.dispose()
