"""Queries over long cluster operations: begin one (at most one running per cluster), move
its progress, end it, read the latest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.metadata.models import utcnow
from data.metadata.models_operations import RUNNING, ClusterOperation


class OperationRunning(Exception):
    """Another operation runs on the cluster (the row that runs is attached)."""

    def __init__(self, running: ClusterOperation | None) -> None:
        super().__init__("an operation already runs on this cluster")
        self.running = running


def running_for(session: Session, cluster_id: int) -> ClusterOperation | None:
    """The cluster's running operation, if any."""
    return session.scalar(select(ClusterOperation).where(
        ClusterOperation.cluster_id == cluster_id, ClusterOperation.state == RUNNING))


def begin(session: Session, *, cluster_id: int, kind: str, total: int, actor_label: str,
          stale_before: datetime) -> ClusterOperation:
    """Record a new running operation. A running one whose progress stopped before
    ``stale_before`` lost its process and is marked ``interrupted`` first; a live one makes
    this raise :class:`OperationRunning` (the database's unique index decides, so two
    processes cannot both begin)."""
    session.execute(update(ClusterOperation).where(
        ClusterOperation.cluster_id == cluster_id, ClusterOperation.state == RUNNING,
        ClusterOperation.updated_at < stale_before).values(
        state="interrupted", finished_at=utcnow(),
        message="Interrupted: the process running it stopped."))
    row = ClusterOperation(cluster_id=cluster_id, kind=kind, state=RUNNING, done=0,
                           total=total, message="", actor_label=actor_label[:320])
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise OperationRunning(running_for(session, cluster_id)) from None
    return row


def step(session: Session, operation_id: int, *, done: int) -> None:
    """Record how many of its parts a running operation has done."""
    session.execute(update(ClusterOperation).where(
        ClusterOperation.id == operation_id, ClusterOperation.state == RUNNING).values(
        done=done, updated_at=utcnow()))


def finish(session: Session, operation_id: int, *, state: str, message: str) -> None:
    """End a running operation as ``done`` or ``failed`` with a message for people."""
    now = utcnow()
    session.execute(update(ClusterOperation).where(
        ClusterOperation.id == operation_id, ClusterOperation.state == RUNNING).values(
        state=state, message=message[:500], updated_at=now, finished_at=now))


def get(session: Session, operation_id: int) -> ClusterOperation | None:
    """One operation by id."""
    return session.get(ClusterOperation, operation_id)


def latest(session: Session, cluster_id: int) -> ClusterOperation | None:
    """The cluster's newest operation, running or ended."""
    return session.scalar(select(ClusterOperation)
                          .where(ClusterOperation.cluster_id == cluster_id)
                          .order_by(ClusterOperation.id.desc()).limit(1))
