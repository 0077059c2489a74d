"""Everything the cluster console page shows, gathered in one call."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from lyceum.errors import AppError, Forbidden, NotFound
from services.clusters import console as cluster_console
from services.clusters import credentials, operations
from services.clusters.connection import Connection, connection
from services.clusters.credentials import PendingSecret
from services.clusters.health import Health
from services.clusters.operations import OperationView
from services.clusters.query_session import AppliedLimit, applied_limits, applied_or_recorded
from services.clusters.usage import TierUsage, UsagePoint
from services.core.audit import Actor
from services.core.runtime import Runtime

log = logging.getLogger(__name__)

CREDENTIAL_MODES = {
    "app_gateway": (
        "App-enforced credential. The embedded engine (chDB) has no users of its own, so "
        "the app checks this username and secret where the engine is served (the URL "
        "below) and lets it reach only this cluster's database, within its query limits."),
    "clickhouse_user": (
        "A real ClickHouse user with grants on this database only and a settings profile "
        "with the cluster's query limits."),
}


@dataclass(frozen=True)
class ConsoleView:
    """The console of one cluster, as the signed-in user may see it."""

    cluster: DatabaseCluster
    role: str
    notes: dict[str, str]
    #: The query limits as the cluster's queries get them, with where and why they were capped.
    limits: list[AppliedLimit] = field(default_factory=list)
    #: The newest long operation (a retention change), running or ended.
    operation: OperationView | None = None
    usage: list[TierUsage] = field(default_factory=list)
    trend: list[UsagePoint] = field(default_factory=list)
    health: Health | None = None
    timeline: list[Any] = field(default_factory=list)
    pending_secret: PendingSecret | None = None
    problems: list[str] = field(default_factory=list)
    connection: Connection | None = None

    @property
    def busy(self) -> bool:
        """True while a long operation runs on the cluster."""
        return self.operation is not None and self.operation.running

    @property
    def state_key(self) -> str:
        """Changes when the status changes, the cluster is hidden or shown, or an operation
        starts or ends: the console then rebuilds its forms (so they show the new values, and
        their buttons follow)."""
        op = self.operation
        status = self.cluster.status + ("/hidden" if self.cluster.hidden_at else "")
        return f"{status}|{op.id}:{op.state}" if op else status

    @property
    def credential_text(self) -> str:
        """The credential mechanism in words."""
        return CREDENTIAL_MODES.get(self.cluster.credential_mode, "No credential yet.")


def _load(runtime: Runtime, cluster_id: int) -> DatabaseCluster:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None:
            raise NotFound("That cluster does not exist.")
        return cluster


def console_view(runtime: Runtime, cluster_id: int, *, role: str,
                 actor: Actor | None = None) -> ConsoleView:
    """The cluster with its notes and events; usage and health too while it is running.

    For an admin ``actor``, the credential's new secret while it waits to be saved (every
    view shows it again until an admin confirms it was saved; see
    :mod:`services.clusters.credentials`).
    """
    # The operation first: one read as ended ended before the cluster is read, so the forms
    # rebuilt for its end show what it changed (read after, a change could be missed for good).
    operation = operations.latest(runtime, cluster_id)
    cluster = _load(runtime, cluster_id)
    notes = applied_or_recorded(cluster, bundled=runtime.ch.bundled,
                                on_cluster=runtime.settings.clickhouse_cluster)
    secret = None
    if actor is not None and role == "admin":
        try:
            secret = credentials.pending_secret(runtime, cluster_id, actor=actor)
        except Forbidden:  # an admin token of someone who is no longer an admin
            secret = None
    usage, trend, health, problems = [], [], None, []
    if cluster.status == "running":
        try:
            usage = cluster_console.usage_by_tier(runtime, cluster)
            trend = cluster_console.usage_trend(runtime, cluster_id, days=30)
            health = cluster_console.cluster_health(runtime, cluster)
        except AppError as exc:
            log.warning("console of %s: %s", cluster.database_name, exc)
            problems.append(exc.user_message)
    timeline = cluster_console.events_timeline(runtime, cluster_id, limit=30)
    try:
        details = connection(runtime, cluster_id, role=role)
    except AppError as exc:
        log.warning("connection of %s: %s", cluster.database_name, exc)
        details = None
    limits = applied_limits(cluster, ceilings=runtime.settings.ceilings)
    return ConsoleView(cluster=cluster, role=role, notes=notes, limits=limits,
                       operation=operation, usage=usage,
                       trend=trend,
                       health=health, timeline=timeline, pending_secret=secret,
                       problems=problems, connection=details)


def cluster_fields(cluster: DatabaseCluster, *, role: str) -> dict[str, Any]:
    """The public fields of a cluster as plain JSON-ready data (never its credential hash)."""
    return {
        "id": cluster.id, "name": cluster.name, "database": cluster.database_name,
        "type": cluster.cluster_type, "region": cluster.region_code, "status": cluster.status,
        "status_reason": cluster.status_reason, "nodes": cluster.nodes,
        "vcpu_per_node": cluster.vcpu_per_node,
        "memory_gb_per_node": cluster.memory_gb_per_node, "storage": cluster.storage,
        "retention": cluster.retention, "query_limits": cluster.query_limits,
        "credential_user": cluster.credential_user, "credential_mode": cluster.credential_mode,
        "monthly_estimate": cluster.monthly_estimate, "created_at":
        cluster.created_at.isoformat(), "your_role": role,
    }
