"""Queries on clusters for provisioning: what is taken, regions, users, the event timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.metadata.models import (
    ClusterEvent,
    ClusterRegion,
    ClusterTeamAccess,
    DatabaseCluster,
    User,
)
from lyceum.errors import ValidationError


def taken_names(session: Session) -> tuple[set[str], set[str]]:
    """Cluster names and database names already used by any cluster (whatever its status)."""
    names: set[str] = set()
    databases: set[str] = set()
    for name, database in session.execute(
        select(DatabaseCluster.name, DatabaseCluster.database_name)
    ):
        names.add(name)
        databases.add(database)
    return names, databases


def region_factors(session: Session) -> dict[str, float]:
    """Every region code with its price factor."""
    rows = session.execute(select(ClusterRegion.code, ClusterRegion.price_factor))
    return {code: float(factor) for code, factor in rows}


def active_user_ids(session: Session) -> set[int]:
    """The ids of users who may be given a role (active accounts)."""
    return set(session.scalars(select(User.id).where(User.is_active.is_(True))))


def insert_cluster(session: Session, cluster: DatabaseCluster) -> DatabaseCluster:
    """Insert a new cluster and flush it; a name or database taken meanwhile is refused."""
    session.add(cluster)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ValidationError(
            "A cluster with this name or database already exists.",
            fields={"name": "A cluster with this name already exists."},
        ) from exc
    return cluster


def add_event(session: Session, *, cluster_id: int, kind: str, message: str,
              detail: dict[str, Any] | None = None) -> ClusterEvent:
    """Append one entry to the cluster's timeline."""
    event = ClusterEvent(cluster_id=cluster_id, kind=kind, message=message, detail=detail or {})
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, cluster_id: int) -> list[ClusterEvent]:
    """The cluster's timeline, oldest first."""
    return list(session.scalars(
        select(ClusterEvent).where(ClusterEvent.cluster_id == cluster_id)
        .order_by(ClusterEvent.at, ClusterEvent.id)
    ))


def cluster_ids_with_status(session: Session, status: str) -> list[int]:
    """Ids of the clusters whose status is ``status``."""
    return list(session.scalars(
        select(DatabaseCluster.id).where(DatabaseCluster.status == status)
        .order_by(DatabaseCluster.id)
    ))


def set_team(session: Session, *, cluster_id: int, roles: dict[int, str],
             granted_by: int | None) -> list[ClusterTeamAccess]:
    """Give each user in ``roles`` their role on a new cluster."""
    rows = [ClusterTeamAccess(cluster_id=cluster_id, user_id=user_id, role=role,
                              granted_by=granted_by) for user_id, role in roles.items()]
    session.add_all(rows)
    session.flush()
    return rows
