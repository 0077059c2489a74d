"""Queries on the SQL console's history (newest first, a bounded number per user and cluster)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data.metadata.models_sql_console import SqlHistoryEntry


def add(session: Session, entry: SqlHistoryEntry, *, keep: int) -> SqlHistoryEntry:
    """Store ``entry`` and drop the user's oldest entries on that cluster beyond ``keep``."""
    session.add(entry)
    session.flush()
    kept = select(SqlHistoryEntry.id).where(
        SqlHistoryEntry.user_id == entry.user_id,
        SqlHistoryEntry.cluster_id == entry.cluster_id,
    ).order_by(SqlHistoryEntry.id.desc()).limit(keep)
    session.execute(delete(SqlHistoryEntry).where(
        SqlHistoryEntry.user_id == entry.user_id,
        SqlHistoryEntry.cluster_id == entry.cluster_id,
        SqlHistoryEntry.id.not_in(kept.scalar_subquery())))
    return entry


def recent(session: Session, *, user_id: int, cluster_id: int, limit: int
           ) -> list[SqlHistoryEntry]:
    """The user's statements on the cluster, newest first."""
    return list(session.scalars(select(SqlHistoryEntry).where(
        SqlHistoryEntry.user_id == user_id, SqlHistoryEntry.cluster_id == cluster_id,
    ).order_by(SqlHistoryEntry.id.desc()).limit(limit)))


def get(session: Session, *, entry_id: int, user_id: int, cluster_id: int
        ) -> SqlHistoryEntry | None:
    """One of the user's entries on the cluster (None for anybody else's)."""
    return session.scalars(select(SqlHistoryEntry).where(
        SqlHistoryEntry.id == entry_id, SqlHistoryEntry.user_id == user_id,
        SqlHistoryEntry.cluster_id == cluster_id)).first()
