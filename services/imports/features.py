"""Generic features for curves that arrived without them: imports compute them as they
commit (``data.analytics.import_staging.CURVE_FEATURES``); this fills in the curves that have none
(imported before, or written through SQL), once per start, in the background."""

from __future__ import annotations

import logging

from data.analytics import import_staging as staging
from data.metadata import memberships
from services.clusters import catalog as catalogs
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime

log = logging.getLogger(__name__)


def fill_missing(runtime: Runtime, cluster_id: int) -> int:
    """Give the cluster's curves without features their generic ones; how many got them."""
    done = staging.fill_missing_features(
        for_cluster(runtime, cluster_id, background=True))
    if done:
        catalogs.data_changed(runtime, cluster_id)
    return done


def fill_missing_everywhere(runtime: Runtime) -> int:
    """:func:`fill_missing` for every running cluster but the demo's, whose generator and
    feed give every curve its features (one that fails is logged and skipped)."""
    with runtime.db.session() as session:
        cluster_ids = [c.id for c in memberships.list_clusters(session)
                       if c.status == "running" and not c.is_demo]
    total = 0
    for cluster_id in cluster_ids:
        try:
            total += fill_missing(runtime, cluster_id)
        except Exception:  # noqa: BLE001 - a broken cluster must not stop the others
            log.exception("computing missing curve features failed for cluster %s",
                          cluster_id)
    return total
