"""Cluster membership: who has which role on which cluster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from data.metadata import memberships
from data.metadata import team as team_data
from data.metadata import users as users_data
from data.metadata.db import Database
from lyceum.errors import Forbidden, NotFound, ValidationError
from services.access import tokens
from services.core import audit
from services.core.audit import Actor
from services.core.roles import ROLE_NAMES

LAST_ADMIN = ("A cluster keeps at least one admin: make someone else admin first, then "
              "change or remove this member.")


@dataclass(frozen=True)
class Member:
    """One member of a cluster's team as pages and the API show it."""

    user_id: int
    email: str
    display_name: str
    role: str
    since: datetime
    is_active: bool


def _check_role(role: object) -> str:
    if not isinstance(role, str) or role not in ROLE_NAMES:
        raise ValidationError(f"Choose a role: {', '.join(ROLE_NAMES)}.",
                              fields={"role": "unknown"})
    return role


def _require_cluster(session: object, cluster_id: int) -> None:
    if memberships.get_cluster(session, cluster_id) is None:  # type: ignore[arg-type]
        raise NotFound("That cluster does not exist.")


def list_members(db: Database, *, cluster_id: int) -> list[Member]:
    """The cluster's members with their roles, by e-mail."""
    with db.session() as session:
        _require_cluster(session, cluster_id)
        return [Member(user_id=u.id, email=u.email, display_name=u.display_name, role=a.role,
                       since=a.created_at, is_active=u.is_active)
                for a, u in team_data.list_members(session, cluster_id)]


def add_member(db: Database, *, cluster_id: int, email: str, role: str, actor: Actor) -> Member:
    """Give an existing account a role on the cluster; refuses existing members."""
    role = _check_role(role)
    with db.session() as session:
        _require_cluster(session, cluster_id)
        user = users_data.get_user_by_email(session, (email or "")[:254])
        if user is None or not user.is_active:
            raise ValidationError("No active account uses that e-mail address; invite them "
                                  "instead.", fields={"email": "unknown"})
        if team_data.get_member(session, cluster_id=cluster_id, user_id=user.id) is not None:
            raise ValidationError(f"{user.email} is already a member; change their role "
                                  "instead.", fields={"email": "member"})
        row = memberships.set_member(session, cluster_id=cluster_id, user_id=user.id, role=role,
                                     granted_by=actor.user_id)
        audit.record(session, "member.add", actor=actor, target_type="user",
                     target_id=user.id, cluster_id=cluster_id,
                     detail={"email": user.email, "role": role})
        return Member(user_id=user.id, email=user.email, display_name=user.display_name,
                      role=role, since=row.created_at, is_active=user.is_active)


def change_role(db: Database, *, cluster_id: int, user_id: int, role: str,
                actor: Actor) -> bool:
    """Change a member's role (``False`` if it already was that); the last admin cannot be
    demoted."""
    role = _check_role(role)
    with db.session() as session:
        row = team_data.get_member(session, cluster_id=cluster_id, user_id=user_id)
        if row is None:
            raise NotFound("That person is not a member of this cluster.")
        if row.role == role:
            return False
        if row.role == "admin" and team_data.count_admins(session, cluster_id) <= 1:
            _refuse(db, "member.role", actor=actor, cluster_id=cluster_id, user_id=user_id)
        before, row.role = row.role, role
        audit.record(session, "member.role", actor=actor, target_type="user",
                     target_id=user_id, cluster_id=cluster_id,
                     detail={"before": before, "after": role})
        return True


def remove_member(db: Database, *, cluster_id: int, user_id: int, actor: Actor) -> None:
    """Remove a member from the cluster and revoke their API tokens for it (each audited);
    the last admin cannot be removed."""
    with db.session() as session:
        row = team_data.get_member(session, cluster_id=cluster_id, user_id=user_id)
        if row is None:
            raise NotFound("That person is not a member of this cluster.")
        if row.role == "admin" and team_data.count_admins(session, cluster_id) <= 1:
            _refuse(db, "member.remove", actor=actor, cluster_id=cluster_id, user_id=user_id)
        team_data.remove_member(session, cluster_id=cluster_id, user_id=user_id)
        audit.record(session, "member.remove", actor=actor, target_type="user",
                     target_id=user_id, cluster_id=cluster_id, detail={"role": row.role})
        tokens.revoke_owner_tokens(session, user_id=user_id, cluster_id=cluster_id,
                                   actor=actor, reason="owner removed from the cluster")


def _refuse(db: Database, action: str, *, actor: Actor, cluster_id: int, user_id: int) -> None:
    with db.session() as session:
        audit.record(session, action, actor=actor, outcome="refused", target_type="user",
                     target_id=user_id, cluster_id=cluster_id, detail={"reason": "last admin"})
    raise Forbidden(LAST_ADMIN)
