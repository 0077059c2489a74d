"""Migration 0003 (team invitations) on SQLite and the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from data.metadata import memberships
from data.metadata.db import Database
from data.metadata.models import DatabaseCluster, utcnow
from data.metadata.models_team import TeamInvitation


def test_invitations_table_round_trips(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        columns = {c["name"] for c in inspect(db.engine).get_columns("team_invitations")}
        assert {"email", "role", "cluster_id", "token_hash", "expires_at", "used_at",
                "invited_by"} <= columns
        with db.session() as session:
            cluster = memberships.add_cluster(session, DatabaseCluster(
                name="m", database_name="m", cluster_type="manufacturing",
                region_code="local"))
            session.add(TeamInvitation(cluster_id=cluster.id, email="a@b.c", role="viewer",
                                       token_hash="h" * 64,
                                       expires_at=utcnow() + timedelta(days=7)))
        with db.session() as session:
            row = session.scalars(select(TeamInvitation)).one()
            assert row.created_at.tzinfo is not None and row.used_at is None
        with pytest.raises(IntegrityError), db.session() as session:
            session.add(TeamInvitation(cluster_id=cluster.id, email="x@b.c", role="viewer",
                                       token_hash="h" * 64, expires_at=utcnow()))
    finally:
        db.dispose()
