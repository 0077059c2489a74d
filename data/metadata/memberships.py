"""Queries on clusters as seen by one user: memberships and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from data.metadata.models import ClusterTeamAccess, DatabaseCluster


def role_on_cluster(session: Session, *, user_id: int, cluster_id: int) -> str | None:
    """The user's role on the cluster, or ``None`` if not a member."""
    return session.scalar(
        select(ClusterTeamAccess.role).where(
            ClusterTeamAccess.user_id == user_id, ClusterTeamAccess.cluster_id == cluster_id
        )
    )


def roles_by_cluster(session: Session, *, user_id: int) -> dict[int, str]:
    """Every cluster id the user is a member of, with the role."""
    rows = session.execute(
        select(ClusterTeamAccess.cluster_id, ClusterTeamAccess.role).where(
            ClusterTeamAccess.user_id == user_id
        )
    )
    return {cluster_id: role for cluster_id, role in rows}


def get_cluster(session: Session, cluster_id: int) -> DatabaseCluster | None:
    """The cluster with this id, or ``None``."""
    return session.get(DatabaseCluster, cluster_id)


def get_cluster_by_database(session: Session, database_name: str) -> DatabaseCluster | None:
    """The cluster whose ClickHouse database is ``database_name``, or ``None``."""
    return session.scalar(
        select(DatabaseCluster).where(DatabaseCluster.database_name == database_name)
    )


def list_clusters(session: Session, *, cluster_ids: list[int] | None = None
                  ) -> list[DatabaseCluster]:
    """Clusters by name; all of them, or only those in ``cluster_ids``."""
    query = select(DatabaseCluster).order_by(DatabaseCluster.name)
    if cluster_ids is not None:
        query = query.where(DatabaseCluster.id.in_(cluster_ids))
    return list(session.scalars(query))


def add_cluster(session: Session, cluster: DatabaseCluster) -> DatabaseCluster:
    """Insert a cluster and return it with its id."""
    session.add(cluster)
    session.flush()
    return cluster


def set_member(session: Session, *, cluster_id: int, user_id: int, role: str,
               granted_by: int | None) -> ClusterTeamAccess:
    """Give ``user_id`` the ``role`` on the cluster (insert or update)."""
    row = session.scalar(
        select(ClusterTeamAccess).where(
            ClusterTeamAccess.cluster_id == cluster_id, ClusterTeamAccess.user_id == user_id
        )
    )
    if row is None:
        row = ClusterTeamAccess(cluster_id=cluster_id, user_id=user_id, role=role,
                                granted_by=granted_by)
        session.add(row)
    else:
        row.role = role
    session.flush()
    return row


@dataclass(frozen=True)
class CredentialState:
    """What a cluster's credential opens, as the metadata database says now."""

    cluster_id: int
    name: str
    status: str
    decommissioned_at: datetime | None
    credential_hash: str | None
    database_name: str
    query_limits: dict[str, Any]


#: The columns :func:`credential_state` reads (built once: it runs on every statement of a
#: credential at the engine service).
_CREDENTIAL_STATE = (
    select(DatabaseCluster.id, DatabaseCluster.name, DatabaseCluster.status,
           DatabaseCluster.decommissioned_at, DatabaseCluster.credential_hash,
           DatabaseCluster.database_name, DatabaseCluster.query_limits)
    .where(DatabaseCluster.credential_user == bindparam("username"))
    .order_by(DatabaseCluster.decommissioned_at.is_not(None), DatabaseCluster.id.desc())
    .limit(1))


def credential_state(engine: Engine, username: str) -> CredentialState | None:
    """The current state of the cluster whose app credential's user is ``username`` (the
    cluster :func:`get_cluster_by_credential_user` finds), read as plain columns in one
    query on a pooled connection of ``engine`` (no ORM session: a third of the cost);
    ``None`` if there is none."""
    if not username:
        return None
    with engine.connect() as connection:
        row = connection.execute(_CREDENTIAL_STATE, {"username": username}).first()
    if row is None:
        return None
    return CredentialState(int(row[0]), str(row[1]), str(row[2]), row[3], row[4], str(row[5]),
                           dict(row[6] or {}))


def get_cluster_by_credential_user(session: Session, username: str) -> DatabaseCluster | None:
    """The cluster whose app credential's user is ``username`` (a live one before a
    decommissioned one), or ``None``."""
    if not username:
        return None
    return session.scalar(
        select(DatabaseCluster).where(DatabaseCluster.credential_user == username)
        .order_by(DatabaseCluster.decommissioned_at.is_not(None), DatabaseCluster.id.desc())
        .limit(1))
