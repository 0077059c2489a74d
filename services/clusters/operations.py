"""Long operations on a cluster (a retention change rewrites the TTL of every table and can
take tens of seconds; limit changes, credential rotation and decommissioning run the same
way): they run in the maintenance pool, never on a page thread, and record
their progress in the metadata database, so whichever web process answers the console's next
refresh shows how far they got, and the console updates itself when they end.

One runs at a time per cluster (the database refuses a second); a running operation whose
progress stops moving for :data:`STALE_AFTER` lost its process and is marked interrupted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from data.metadata import cluster_operations as ops_data
from data.metadata.cluster_operations import OperationRunning
from data.metadata.models import utcnow
from data.metadata.models_operations import ClusterOperation
from lyceum.errors import AppError, NotFound
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.core.work_pools import Busy, StillRunning

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=5)
#: What each kind of operation is called, and what its parts are.
KINDS: dict[str, tuple[str, str]] = {"retention": ("Retention change", "tables"),
                                     "limits": ("Limit change", "steps"),
                                     "rotation": ("Credential rotation", "steps"),
                                     "decommission": ("Decommission", "steps"),
                                     "purge": ("Purge", "steps"),
                                     "density": ("Density partials build", "curves")}
NOT_FOUND = "That operation does not exist on this cluster."
#: Called with the number of parts done so far.
Progress = Callable[[int], None]
#: An operation's work: called with its progress, returns the message people see at the end.
Work = Callable[[Progress], str]


@dataclass(frozen=True)
class OperationView:
    """One operation as the console shows it."""

    id: int
    kind: str
    state: str
    done: int
    total: int
    message: str
    actor_label: str
    started_at: datetime
    finished_at: datetime | None

    @property
    def running(self) -> bool:
        """True until it ends."""
        return self.state == "running"

    @property
    def label(self) -> str:
        """``Retention change`` and the like."""
        return KINDS.get(self.kind, (self.kind, "parts"))[0]

    @property
    def percent(self) -> int:
        """How far it got, 0 to 100."""
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def summary(self) -> str:
        """``3 of 6 tables`` while it runs; its outcome once it ended."""
        if self.running:
            return f"{self.done} of {self.total} {KINDS.get(self.kind, ('', 'parts'))[1]}"
        return self.message


def _view(row: ClusterOperation) -> OperationView:
    return OperationView(id=row.id, kind=row.kind, state=row.state, done=row.done,
                         total=row.total, message=row.message, actor_label=row.actor_label,
                         started_at=row.started_at, finished_at=row.finished_at)


def latest(runtime: Runtime, cluster_id: int) -> OperationView | None:
    """The cluster's newest operation (running or ended), or ``None``."""
    with runtime.db.session() as session:
        row = ops_data.latest(session, cluster_id)
        return _view(row) if row is not None else None


def get(runtime: Runtime, cluster_id: int, operation_id: object) -> OperationView:
    """One operation of the cluster (any web process answers: it is read from the metadata
    database); :class:`NotFound` for an id that is not one of this cluster's."""
    if isinstance(operation_id, bool) or not isinstance(operation_id, int):
        raise NotFound(NOT_FOUND)
    with runtime.db.session() as session:
        row = ops_data.get(session, operation_id)
        if row is None or row.cluster_id != cluster_id:
            raise NotFound(NOT_FOUND)
        return _view(row)


def operation_fields(view: OperationView) -> dict[str, Any]:
    """An operation as JSON-ready values (for the API)."""
    return {"id": view.id, "kind": view.kind, "label": view.label, "state": view.state,
            "done": view.done, "total": view.total, "percent": view.percent,
            "summary": view.summary, "message": view.message,
            "actor": view.actor_label, "started_at": view.started_at.isoformat(),
            "finished_at": view.finished_at.isoformat() if view.finished_at else None}


def start(runtime: Runtime, cluster_id: int, *, kind: str, total: int, actor: Actor,
          work: Callable[[Progress], str]) -> OperationView:
    """Record the operation and run ``work(progress)`` in the maintenance pool; return at
    once. ``work`` returns the message people see when it ends; an :class:`AppError` it
    raises ends it as failed with that error's message.

    Raises :class:`Busy` (nothing runs, nothing is recorded) when the cluster already runs an
    operation or the pool is full."""
    return _begin(runtime, cluster_id, kind=kind, total=total, actor=actor, work=work)[0]


def run(runtime: Runtime, cluster_id: int, *, kind: str, total: int, actor: Actor,
        work: Callable[[Progress], str], timeout: float) -> OperationView:
    """:func:`start`, then wait for the end at most ``timeout`` seconds (an API call made
    without ``Prefer: respond-async``). An operation that failed raises its error again;
    one still running raises :class:`StillRunning` (it goes on; its progress is readable)."""
    operation, future = _begin(runtime, cluster_id, kind=kind, total=total, actor=actor,
                               work=work)
    try:
        failure = future.result(timeout=timeout)
    except FutureTimeout as exc:
        raise StillRunning(f"The {operation.label.lower()} is still running after "
                           f"{timeout:.0f} s; its progress is at "
                           f"/api/v1/clusters/{cluster_id}/operations/{operation.id}.") from exc
    if failure is not None:
        raise failure
    return get(runtime, cluster_id, operation.id)


def _begin(runtime: Runtime, cluster_id: int, *, kind: str, total: int, actor: Actor,
           work: Callable[[Progress], str]) -> tuple[OperationView, Future[AppError | None]]:
    with runtime.db.session() as session:
        try:
            row = ops_data.begin(session, cluster_id=cluster_id, kind=kind, total=total,
                                 actor_label=actor.label or "system",
                                 stale_before=utcnow() - STALE_AFTER)
        except OperationRunning as exc:
            found = _view(exc.running) if exc.running is not None else None
            what = f"{found.label.lower()} ({found.summary})" if found else "an operation"
            raise Busy(f"This cluster is already running a {what}; try again when it "
                       "finishes.") from None
        operation = _view(row)

    def progress(done: int) -> None:
        with runtime.db.session() as session:
            ops_data.step(session, operation.id, done=done)

    def job() -> AppError | None:
        state, message = "failed", "The operation failed; the log has the details."
        failure: AppError | None = AppError(message)
        try:
            message, state, failure = work(progress), "done", None
        except AppError as exc:
            message, failure = exc.user_message, exc
        except Exception:  # noqa: BLE001 - recorded for people, the details go to the log
            log.exception("cluster %s: %s failed", cluster_id, kind)
        finally:
            with runtime.db.session() as session:
                ops_data.finish(session, operation.id, state=state, message=message)
        return failure

    try:
        future = runtime.pools.submit("maintenance", job, cluster_id=cluster_id)
    except Busy:
        with runtime.db.session() as session:
            ops_data.finish(session, operation.id, state="failed",
                            message="Not started: the server was busy.")
        raise
    return operation, future
