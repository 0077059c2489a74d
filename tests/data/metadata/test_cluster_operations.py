"""Migration 0013 on SQLite and PostgreSQL: one running operation per cluster (the database
decides), progress, endings, stale operations taken over, and the way back down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect

from data.metadata import cluster_operations as ops
from data.metadata.cluster_operations import OperationRunning
from data.metadata.db import Database
from data.metadata.models import DatabaseCluster, utcnow


def test_one_running_operation_per_cluster_with_progress_and_endings(
        database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with db.session() as session:
            clusters = [DatabaseCluster(name=n, database_name=n, cluster_type="manufacturing",
                                        region_code="local") for n in ("p", "q")]
            session.add_all(clusters)
            session.flush()
            p, q = (c.id for c in clusters)
        old = utcnow() - timedelta(minutes=5)
        with db.session() as session:
            first = ops.begin(session, cluster_id=p, kind="retention", total=6,
                              actor_label="ada", stale_before=old).id
            ops.begin(session, cluster_id=q, kind="retention", total=6, actor_label="ada",
                      stale_before=old)  # another cluster: no conflict
        with db.session() as session, pytest.raises(OperationRunning) as caught:
            ops.begin(session, cluster_id=p, kind="retention", total=6, actor_label="bo",
                      stale_before=old)
        assert caught.value.running is not None and caught.value.running.id == first
        with db.session() as session:
            ops.step(session, first, done=4)
        with db.session() as session:
            found = ops.latest(session, p)
            assert found is not None and (found.state, found.done, found.total) == (
                "running", 4, 6)
            ops.finish(session, first, state="done", message="Retention applied.")
            ops.step(session, first, done=5)  # an ended operation no longer moves
        with db.session() as session:
            found = ops.latest(session, p)
            assert found is not None and (found.state, found.done) == ("done", 4)
            assert found.finished_at is not None and found.message == "Retention applied."
            second = ops.begin(session, cluster_id=p, kind="retention", total=6,
                               actor_label="bo", stale_before=old).id
        # A running one whose progress stopped long ago lost its process: taken over.
        with db.session() as session:
            third = ops.begin(session, cluster_id=p, kind="retention", total=6,
                              actor_label="cy", stale_before=utcnow() + timedelta(seconds=1))
            assert third.id != second
        with db.session() as session:
            assert ops.running_for(session, p) is not None
            latest = ops.latest(session, p)
            assert latest is not None and latest.id == third.id
        db.downgrade("0012")
        assert "cluster_operations" not in inspect(db.engine).get_table_names()
    finally:
        db.dispose()
