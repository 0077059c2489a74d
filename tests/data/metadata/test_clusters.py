"""Provisioning queries: taken names, region factors, active users, insert, timeline, team."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.metadata import clusters
from data.metadata.db import Database
from data.metadata.models import ClusterTeamAccess, DatabaseCluster
from lyceum.errors import ValidationError
from tests.data.metadata import rows


def test_taken_names_keep_their_case_and_count_every_status(db: Database) -> None:
    with db.session() as session:
        rows.cluster(session, "Line", status="running")
        rows.cluster(session, "press", database_name="press_x", status="decommissioned")
        assert clusters.taken_names(session) == ({"Line", "press"}, {"Line_db", "press_x"})


def test_region_factors_are_the_seeded_regions(db: Database) -> None:
    with db.session() as session:
        factors = clusters.region_factors(session)
    assert {"local", "eu-central", "eu-west", "us-east", "us-west", "ap-southeast"} <= set(factors)
    assert all(isinstance(f, float) and f > 0 for f in factors.values())


def test_active_user_ids_leave_out_inactive_accounts(db: Database) -> None:
    with db.session() as session:
        ada = rows.user(session, "ada")
        rows.user(session, "gone", is_active=False)
        assert clusters.active_user_ids(session) == {ada.id}


def test_insert_refuses_a_taken_name_with_a_field_message(db: Database) -> None:
    with db.session() as session:
        first = clusters.insert_cluster(session, DatabaseCluster(
            name="line", database_name="line", cluster_type="manufacturing",
            region_code="local"))
        assert first.id is not None
        session.commit()
        with pytest.raises(ValidationError) as refused:
            clusters.insert_cluster(session, DatabaseCluster(
                name="line", database_name="other", cluster_type="manufacturing",
                region_code="local"))
        assert refused.value.user_message == \
            "A cluster with this name or database already exists."
        assert refused.value.fields == {"name": "A cluster with this name already exists."}
        session.rollback()
        assert session.scalar(select(func.count()).select_from(DatabaseCluster)) == 1


def test_timeline_oldest_first_and_statuses(db: Database) -> None:
    with db.session() as session:
        line = rows.cluster(session, "line", status="running")
        press = rows.cluster(session, "press", status="stopped")
        rows.cluster(session, "mill", status="running")
        clusters.add_event(session, cluster_id=line.id, kind="created", message="made")
        clusters.add_event(session, cluster_id=line.id, kind="started", message="up",
                           detail={"nodes": 1})
        clusters.add_event(session, cluster_id=press.id, kind="created", message="made")
        events = clusters.list_events(session, line.id)
        assert [(e.kind, e.message, e.detail) for e in events] == [
            ("created", "made", {}), ("started", "up", {"nodes": 1})]
        assert clusters.list_events(session, 999) == []
        assert clusters.cluster_ids_with_status(session, "running") == [line.id, line.id + 2]
        assert clusters.cluster_ids_with_status(session, "stopped") == [press.id]
        assert clusters.cluster_ids_with_status(session, "failed") == []


def test_set_team_writes_one_row_per_user(db: Database) -> None:
    with db.session() as session:
        ada, bob = rows.user(session, "ada"), rows.user(session, "bob")
        line = rows.cluster(session, "line")
        made = clusters.set_team(session, cluster_id=line.id,
                                 roles={ada.id: "admin", bob.id: "viewer"}, granted_by=ada.id)
        assert all(r.id is not None for r in made)
        stored = session.execute(select(ClusterTeamAccess.user_id, ClusterTeamAccess.role,
                                        ClusterTeamAccess.granted_by)
                                 .order_by(ClusterTeamAccess.user_id)).all()
        assert [tuple(r) for r in stored] == [(ada.id, "admin", ada.id),
                                              (bob.id, "viewer", ada.id)]
        assert clusters.set_team(session, cluster_id=line.id, roles={}, granted_by=None) == []
