"""Queries on pending cluster secrets (stored sealed; see :mod:`services.clusters.credentials`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import data.metadata.models_credentials  # noqa: F401  (registers the table on Base.metadata)
from data.metadata.models_credentials import PendingClusterSecret


def put(session: Session, row: PendingClusterSecret) -> PendingClusterSecret:
    """Store ``row`` as its cluster's pending secret, replacing an earlier one."""
    existing = session.get(PendingClusterSecret, row.cluster_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add(row)
    session.flush()
    return row


def get(session: Session, cluster_id: int) -> PendingClusterSecret | None:
    """The cluster's pending secret row, or ``None``."""
    return session.get(PendingClusterSecret, cluster_id)


def remove(session: Session, cluster_id: int) -> bool:
    """Erase the cluster's pending secret; True if there was one."""
    result = session.execute(delete(PendingClusterSecret)
                             .where(PendingClusterSecret.cluster_id == cluster_id))
    return bool(getattr(result, "rowcount", 0))


def expired(session: Session, *, now: datetime) -> list[PendingClusterSecret]:
    """Every pending secret that expired by ``now``."""
    return list(session.scalars(select(PendingClusterSecret)
                                .where(PendingClusterSecret.expires_at <= now)))
