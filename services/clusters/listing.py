"""The cluster list as a user sees it: status, health, size, estimate and their role."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from data.analytics import engine_stats
from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from lyceum.errors import AppError
from services.clusters.health import recent_health
from services.core.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterRow:
    """One line of the cluster list."""

    id: int
    name: str
    database_name: str
    cluster_type: str
    status: str
    status_reason: str
    health_score: float | None
    health_status: str
    bytes_on_disk: int
    rows: int
    monthly_estimate: float
    role: str


def visible_clusters(runtime: Runtime, *, user_id: int, is_admin: bool,
                     scope: tuple[int, str] | None = None
                     ) -> tuple[list[DatabaseCluster], dict[int, str]]:
    """The clusters a user may see (all for global admins) and their role on each.

    ``scope`` is an API token's (cluster id, role), already checked against its owner's
    current role: the token sees that one cluster with that role, whether its owner is a
    member or a global administrator.
    """
    with runtime.db.session() as session:
        if scope is not None:
            found = memberships.list_clusters(session, cluster_ids=[scope[0]])
            return found, {c.id: scope[1] for c in found}
        roles = memberships.roles_by_cluster(session, user_id=user_id)
        clusters = memberships.list_clusters(session,
                                             cluster_ids=None if is_admin else list(roles))
    if is_admin:
        roles = {c.id: "admin" for c in clusters}
    return clusters, roles


def _matches(cluster: DatabaseCluster, *, search: str, status: str, kind: str) -> bool:
    text = search.strip().lower()
    return ((not text or text in cluster.name.lower() or text in cluster.database_name)
            and (not status or cluster.status == status)
            and (not kind or cluster.cluster_type == kind))


def cluster_rows(runtime: Runtime, *, user_id: int, is_admin: bool, search: str = "",
                 status: str = "", kind: str = "") -> list[ClusterRow]:
    """The filtered list, with health computed from the engine for running clusters."""
    clusters, roles = visible_clusters(runtime, user_id=user_id, is_admin=is_admin)
    sizes = engine_stats.database_sizes(runtime.ch)
    rows = []
    for cluster in clusters:
        if not _matches(cluster, search=search, status=status, kind=kind):
            continue
        score, health = None, "—"
        if cluster.status == "running":
            try:
                found = recent_health(runtime, cluster)
                score, health = found.score, found.status
            except AppError as exc:
                log.warning("health of %s failed: %s", cluster.database_name, exc)
                health = "unknown"
        size, count = sizes.get(cluster.database_name, (0, 0))
        rows.append(ClusterRow(
            id=cluster.id, name=cluster.name, database_name=cluster.database_name,
            cluster_type=cluster.cluster_type, status=cluster.status,
            status_reason=cluster.status_reason, health_score=score, health_status=health,
            bytes_on_disk=size, rows=count, monthly_estimate=cluster.monthly_estimate,
            role=roles.get(cluster.id, "viewer")))
    return rows
