"""The overview: the clusters a user may see, with live figures from ClickHouse."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from data.analytics import engine_stats
from data.analytics.engine_stats import DatabaseStats
from data.metadata import memberships
from data.metadata.models import utcnow
from lyceum.errors import AppError
from services.core.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterCard:
    """One cluster as the overview shows it."""

    id: int
    name: str
    database_name: str
    cluster_type: str
    status: str
    role: str
    is_demo: bool
    stats: DatabaseStats | None
    stats_error: str | None

    @property
    def yield_24h(self) -> float | None:
        """First-time-through share of OK parts over the last 24 h, or ``None`` with no parts."""
        if self.stats is None or self.stats.parts_24h == 0:
            return None
        return self.stats.ok_24h / self.stats.parts_24h


def cluster_cards(runtime: Runtime, *, user_id: int, is_admin: bool) -> list[ClusterCard]:
    """The clusters this user may see (all for global admins), with their current figures;
    not those an admin hid (decommissioned or purged: they stay on the cluster list)."""
    with runtime.db.session() as session:
        roles = memberships.roles_by_cluster(session, user_id=user_id)
        clusters = memberships.list_clusters(session,
                                             cluster_ids=None if is_admin else list(roles))
    cards = []
    now = utcnow()
    for cluster in clusters:
        if cluster.hidden_at is not None:
            continue
        stats, error = None, None
        if cluster.status == "running":
            try:
                stats = engine_stats.database_stats(runtime.ch, cluster.database_name, now=now)
            except AppError as exc:
                log.warning("stats for %s failed: %s", cluster.database_name, exc)
                error = exc.user_message
        cards.append(ClusterCard(
            id=cluster.id, name=cluster.name, database_name=cluster.database_name,
            cluster_type=cluster.cluster_type, status=cluster.status,
            role=roles.get(cluster.id, "admin" if is_admin else "viewer"),
            is_demo=cluster.is_demo, stats=stats, stats_error=error,
        ))
    return cards
