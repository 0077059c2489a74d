"""Metadata queries of the cluster console: clusters by state, usage samples, events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

# Every table with a key to a cluster is in the metadata once its model module is imported.
from data.metadata import (  # noqa: F401 - imported for their tables
    models_accounts,
    models_alerts,
    models_credentials,
    models_explorer,
    models_imports,
    models_leases,
    models_operations,
    models_spc,
    models_specs,
    models_sql_console,
    models_team,
)
from data.metadata.models import Base, ClusterEvent, ClusterUsageMetric, DatabaseCluster
from lyceum.errors import AppError, NotFound


class ClusterStateError(AppError):
    """The cluster is not in a state that allows this operation."""

    status_code = 409
    code = "conflict"


def require_cluster(session: Session, cluster_id: int, *,
                    allowed: Iterable[str] | None = None, action: str = "") -> DatabaseCluster:
    """The cluster with this id; :class:`NotFound` if none, :class:`ClusterStateError` if its
    status is not in ``allowed`` (``action`` completes "Only a running cluster can …")."""
    cluster = session.get(DatabaseCluster, cluster_id) if isinstance(cluster_id, int) else None
    if cluster is None:
        raise NotFound("That cluster does not exist.")
    if allowed is not None:
        states = tuple(allowed)
        if cluster.status not in states:
            raise ClusterStateError(
                f"Only a {' or '.join(states)} cluster can {action or 'do this'}; "
                f"{cluster.name} is {cluster.status}.")
    return cluster


def clusters_with_status(session: Session, status: str) -> list[DatabaseCluster]:
    """Every cluster in ``status``, by id."""
    return list(session.scalars(
        select(DatabaseCluster).where(DatabaseCluster.status == status)
        .order_by(DatabaseCluster.id)))


def add_usage_samples(session: Session, samples: Iterable[ClusterUsageMetric]) -> int:
    """Insert usage samples; return how many."""
    rows = list(samples)
    session.add_all(rows)
    session.flush()
    return len(rows)


def usage_since(session: Session, *, cluster_id: int, since: datetime) -> list[ClusterUsageMetric]:
    """The cluster's usage samples from ``since`` on, oldest first."""
    return list(session.scalars(
        select(ClusterUsageMetric)
        .where(ClusterUsageMetric.cluster_id == cluster_id,
               ClusterUsageMetric.sampled_at >= since)
        .order_by(ClusterUsageMetric.sampled_at, ClusterUsageMetric.id)))


def add_event(session: Session, *, cluster_id: int, kind: str, message: str,
              detail: dict[str, Any] | None = None, at: datetime | None = None) -> ClusterEvent:
    """Append one event to the cluster's timeline."""
    event = ClusterEvent(cluster_id=cluster_id, kind=kind, message=message,
                         detail=detail or {})
    if at is not None:
        event.at = at
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, *, cluster_id: int, limit: int,
                kind: str | None = None) -> list[ClusterEvent]:
    """The cluster's newest events first, optionally of one kind."""
    query = (select(ClusterEvent).where(ClusterEvent.cluster_id == cluster_id)
             .order_by(ClusterEvent.at.desc(), ClusterEvent.id.desc()).limit(limit))
    if kind is not None:
        query = query.where(ClusterEvent.kind == kind)
    return list(session.scalars(query))


#: What a purge keeps besides the cluster's row: its operations (the purge is one of them)
#: and its team (so its admins still read its audit log and see that it was purged).
KEPT_ON_PURGE = frozenset({"cluster_operations", "cluster_team_access"})


def purge_cluster_rows(session: Session, cluster_id: int) -> dict[str, int]:
    """Delete every row that belongs to the cluster (tokens, projects, events, usage,
    alerts, …: each table with a key to it, found from the schema, and what hangs off those
    rows through their own cascading keys), except :data:`KEPT_ON_PURGE` and its row;
    the audit log names clusters by id without a key and is kept. Rows deleted per table."""
    counts: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT_ON_PURGE:
            continue
        for key in table.foreign_keys:
            if key.column.table.name == DatabaseCluster.__tablename__:
                done = session.execute(delete(table).where(key.parent == cluster_id))
                counts[table.name] = counts.get(table.name, 0) + int(
                    getattr(done, "rowcount", 0) or 0)
    return {name: n for name, n in counts.items() if n}
