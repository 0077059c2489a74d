"""Metadata queries of the cluster console: clusters by state, usage samples, events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.metadata.models import ClusterEvent, ClusterUsageMetric, DatabaseCluster
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
