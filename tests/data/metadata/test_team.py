"""Team queries: members by e-mail, admins counted among active accounts, invitations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.metadata import team
from data.metadata.db import Database
from data.metadata.models import ClusterTeamAccess
from data.metadata.models_team import TeamInvitation
from tests.data.metadata import rows

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_members_admins_and_removal(db: Database) -> None:
    with db.session() as session:
        zed, ada = rows.user(session, "zed"), rows.user(session, "ada")
        gone = rows.user(session, "gone", is_active=False)
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        session.add_all([
            ClusterTeamAccess(cluster_id=line.id, user_id=zed.id, role="admin"),
            ClusterTeamAccess(cluster_id=line.id, user_id=ada.id, role="viewer"),
            ClusterTeamAccess(cluster_id=line.id, user_id=gone.id, role="admin"),
            ClusterTeamAccess(cluster_id=press.id, user_id=ada.id, role="admin"),
        ])
        session.flush()
        members = team.list_members(session, line.id)
        assert [(u.email, a.role) for a, u in members] == [
            ("ada@example.com", "viewer"), ("gone@example.com", "admin"),
            ("zed@example.com", "admin")]
        assert team.count_admins(session, line.id) == 1
        assert team.count_admins(session, 999) == 0
        found = team.get_member(session, cluster_id=press.id, user_id=ada.id)
        assert found is not None and found.role == "admin"
        assert team.get_member(session, cluster_id=press.id, user_id=zed.id) is None
        assert team.remove_member(session, cluster_id=line.id, user_id=zed.id) == 1
        assert team.remove_member(session, cluster_id=line.id, user_id=zed.id) == 0
        assert team.count_admins(session, line.id) == 0
        assert [u.email for _, u in team.list_members(session, press.id)] == ["ada@example.com"]


def _invite(cluster_id: int, token: str, **fields: object) -> TeamInvitation:
    fields.setdefault("expires_at", NOW + timedelta(days=1))
    return TeamInvitation(cluster_id=cluster_id, email=f"{token}@example.com", role="viewer",
                          token_hash=token.ljust(64, "0"), **fields)


def test_open_invitations_are_unused_unrevoked_and_unexpired(db: Database) -> None:
    with db.session() as session:
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        first = team.add_invitation(session, _invite(line.id, "a"))
        team.add_invitation(session, _invite(line.id, "used", used_at=NOW))
        team.add_invitation(session, _invite(line.id, "revoked", revoked_at=NOW))
        team.add_invitation(session, _invite(line.id, "late", expires_at=NOW))
        newest = team.add_invitation(session, _invite(line.id, "b"))
        team.add_invitation(session, _invite(press.id, "c"))
        assert [i.id for i in team.list_invitations(session, line.id, now=NOW)] == [
            newest.id, first.id]
        assert team.list_invitations(session, line.id, now=NOW + timedelta(days=2)) == []
        assert team.invitation_by_hash(session, "a".ljust(64, "0")) is first
        assert team.invitation_by_hash(session, "x".ljust(64, "0")) is None
        assert team.get_invitation(session, newest.id) is newest
        assert team.get_invitation(session, 999) is None
