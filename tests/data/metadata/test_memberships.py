"""A user's view of clusters: roles per cluster, clusters by id, database and credential."""

from __future__ import annotations

from datetime import UTC, datetime

from data.metadata import memberships
from data.metadata.db import Database
from tests.data.metadata import rows


def test_roles_are_per_user_and_cluster_and_set_member_updates_in_place(db: Database) -> None:
    with db.session() as session:
        ada, bob = rows.user(session, "ada"), rows.user(session, "bob")
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        first = memberships.set_member(session, cluster_id=line.id, user_id=ada.id,
                                       role="viewer", granted_by=None)
        memberships.set_member(session, cluster_id=press.id, user_id=ada.id, role="admin",
                               granted_by=bob.id)
        again = memberships.set_member(session, cluster_id=line.id, user_id=ada.id,
                                       role="editor", granted_by=bob.id)
        assert again.id == first.id and again.role == "editor"
        assert again.granted_by is None  # a role change keeps who first granted access
        assert memberships.role_on_cluster(session, user_id=ada.id, cluster_id=line.id) == "editor"
        assert memberships.role_on_cluster(session, user_id=bob.id, cluster_id=line.id) is None
        assert memberships.roles_by_cluster(session, user_id=ada.id) == {
            line.id: "editor", press.id: "admin"}
        assert memberships.roles_by_cluster(session, user_id=bob.id) == {}


def test_clusters_by_id_database_and_name_order(db: Database) -> None:
    with db.session() as session:
        zeta = memberships.add_cluster(session, rows.cluster(session, "zeta"))
        alpha = rows.cluster(session, "alpha")
        assert zeta.id is not None
        assert memberships.get_cluster(session, alpha.id) is alpha
        assert memberships.get_cluster(session, 999) is None
        assert memberships.get_cluster_by_database(session, "zeta_db") is zeta
        assert memberships.get_cluster_by_database(session, "zeta_db' OR '1'='1") is None
        assert [c.name for c in memberships.list_clusters(session)] == ["alpha", "zeta"]
        assert [c.name for c in memberships.list_clusters(session, cluster_ids=[zeta.id])] \
            == ["zeta"]
        assert memberships.list_clusters(session, cluster_ids=[]) == []


def test_credential_user_prefers_the_live_cluster_then_the_newest(db: Database) -> None:
    gone = datetime(2026, 11, 1, tzinfo=UTC)
    with db.session() as session:
        old = rows.cluster(session, "old", credential_user="line_app", decommissioned_at=gone)
        live = rows.cluster(session, "live", credential_user="line_app")
        older_gone = rows.cluster(session, "older", credential_user="press_app",
                                  decommissioned_at=gone)
        newer_gone = rows.cluster(session, "newer", credential_user="press_app",
                                  decommissioned_at=gone)
        rows.cluster(session, "blank")  # credential_user "" is never matched
        assert memberships.get_cluster_by_credential_user(session, "line_app") is live
        assert memberships.get_cluster_by_credential_user(session, "press_app") is newer_gone
        assert older_gone.id < newer_gone.id and old.id < live.id
        assert memberships.get_cluster_by_credential_user(session, "") is None
        assert memberships.get_cluster_by_credential_user(session, "nobody") is None


def test_credential_state_reads_the_cluster_the_credential_opens(db: Database) -> None:
    gone = datetime(2026, 11, 1, tzinfo=UTC)
    with db.session() as session:
        rows.cluster(session, "old", credential_user="line_app", decommissioned_at=gone)
        live = rows.cluster(session, "live", credential_user="line_app", status="running",
                            credential_hash="h1", query_limits={"max_threads": 2})
        rows.cluster(session, "blank")
        session.commit()
    state = memberships.credential_state(db.engine, "line_app")
    assert state == memberships.CredentialState(
        cluster_id=live.id, name="live", status="running", decommissioned_at=None,
        credential_hash="h1", database_name="live_db", query_limits={"max_threads": 2})
    assert memberships.credential_state(db.engine, "") is None
    assert memberships.credential_state(db.engine, "nobody") is None
