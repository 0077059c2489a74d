"""Queries on cluster teams and invitations (the team feature's tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

import data.metadata.models_team  # noqa: F401  (registers the invitations table on Base.metadata)
from data.metadata.models import ClusterTeamAccess, User
from data.metadata.models_team import TeamInvitation


def list_members(session: Session, cluster_id: int) -> list[tuple[ClusterTeamAccess, User]]:
    """The cluster's members with their accounts, by e-mail."""
    rows = session.execute(
        select(ClusterTeamAccess, User).join(User, User.id == ClusterTeamAccess.user_id)
        .where(ClusterTeamAccess.cluster_id == cluster_id).order_by(User.email))
    return [(access, user) for access, user in rows]


def get_member(session: Session, *, cluster_id: int, user_id: int) -> ClusterTeamAccess | None:
    """One membership row, or ``None``."""
    return session.scalar(select(ClusterTeamAccess).where(
        ClusterTeamAccess.cluster_id == cluster_id, ClusterTeamAccess.user_id == user_id))


def count_admins(session: Session, cluster_id: int) -> int:
    """How many members hold the admin role on the cluster (active accounts only)."""
    return session.scalar(
        select(func.count()).select_from(ClusterTeamAccess)
        .join(User, User.id == ClusterTeamAccess.user_id)
        .where(ClusterTeamAccess.cluster_id == cluster_id, ClusterTeamAccess.role == "admin",
               User.is_active.is_(True))) or 0


def remove_member(session: Session, *, cluster_id: int, user_id: int) -> int:
    """Delete a membership; returns how many rows went."""
    result = session.execute(delete(ClusterTeamAccess).where(
        ClusterTeamAccess.cluster_id == cluster_id, ClusterTeamAccess.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def add_invitation(session: Session, row: TeamInvitation) -> TeamInvitation:
    """Insert an invitation and return it with its id."""
    session.add(row)
    session.flush()
    return row


def invitation_by_hash(session: Session, token_hash: str) -> TeamInvitation | None:
    """The invitation whose link hashes to ``token_hash``, or ``None``."""
    return session.scalar(select(TeamInvitation).where(TeamInvitation.token_hash == token_hash))


def get_invitation(session: Session, invitation_id: int) -> TeamInvitation | None:
    """The invitation with this id, or ``None``."""
    return session.get(TeamInvitation, invitation_id)


def list_invitations(session: Session, cluster_id: int, *, now: datetime
                     ) -> list[TeamInvitation]:
    """The cluster's open invitations (not used, revoked or expired), newest first."""
    return list(session.scalars(
        select(TeamInvitation).where(TeamInvitation.cluster_id == cluster_id,
                                     TeamInvitation.used_at.is_(None),
                                     TeamInvitation.revoked_at.is_(None),
                                     TeamInvitation.expires_at > now)
        .order_by(TeamInvitation.id.desc())))
