"""Queries on API tokens (only hashes and prefixes are stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.metadata.models import ClusterAccessToken


def add_token(session: Session, token: ClusterAccessToken) -> ClusterAccessToken:
    """Insert a token row and return it with its id."""
    session.add(token)
    session.flush()
    return token


def by_hash(session: Session, token_hash: str) -> ClusterAccessToken | None:
    """The token with this hash, or ``None``."""
    return session.scalar(select(ClusterAccessToken).where(
        ClusterAccessToken.token_hash == token_hash))


def get_token(session: Session, token_id: int) -> ClusterAccessToken | None:
    """The token with this id, or ``None``."""
    return session.get(ClusterAccessToken, token_id)


def list_for_cluster(session: Session, cluster_id: int) -> list[ClusterAccessToken]:
    """A cluster's tokens, newest first."""
    return list(session.scalars(select(ClusterAccessToken)
                                .where(ClusterAccessToken.cluster_id == cluster_id)
                                .order_by(ClusterAccessToken.id.desc())))


def touch(session: Session, token: ClusterAccessToken, *, now: datetime) -> None:
    """Record a use of the token."""
    token.last_used_at = now


def live_for_owner(session: Session, *, user_id: int, cluster_id: int | None = None
                   ) -> list[ClusterAccessToken]:
    """The owner's tokens that are not revoked (on one cluster when ``cluster_id`` is given)."""
    query = select(ClusterAccessToken).where(ClusterAccessToken.user_id == user_id,
                                             ClusterAccessToken.revoked_at.is_(None))
    if cluster_id is not None:
        query = query.where(ClusterAccessToken.cluster_id == cluster_id)
    return list(session.scalars(query.order_by(ClusterAccessToken.id)))
