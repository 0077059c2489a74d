"""The one alert evaluator of an app process: a thread that evaluates every cluster's rules
once per cycle. With several processes sharing a cache (diskcache or Redis) a cycle is
claimed in that cache, so each cycle is evaluated once in total, whatever the viewers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from data.metadata import alerts as repo
from services.core.cache import shared_cache
from services.core.periodic import OnePerProcess, Periodic
from services.core.runtime import Runtime
from services.quality import alerts

log = logging.getLogger(__name__)


def run_cycle(runtime: Runtime, *, interval_s: float, now: datetime | None = None) -> int:
    """Evaluate every cluster's rules for the current cycle unless another process did.

    Returns the number of rules evaluated (0 if this cycle was already claimed).
    """
    now = now or datetime.now(UTC)
    cycle = int(now.timestamp() // interval_s)
    if not shared_cache(runtime).claim(("alerts", "cycle", cycle), seconds=interval_s * 2):
        return 0
    with runtime.db.session() as session:
        demo = [c.id for c in repo.demo_clusters(session)]
    for cluster_id in demo:
        alerts.ensure_default_rules(runtime, cluster_id)
    with runtime.db.session() as session:
        cluster_ids = repo.clusters_with_rules(session)
    evaluated = 0
    for cluster_id in cluster_ids:
        try:
            evaluated += alerts.evaluate_cluster(runtime, cluster_id, now=now, cycle=cycle)
        except Exception:  # noqa: BLE001 - a broken cluster must not stop the others
            log.exception("alert evaluation failed for cluster %s", cluster_id)
    return evaluated


class Evaluator(Periodic):
    """A daemon thread calling :func:`run_cycle` every ``interval_s`` seconds."""

    name = "alert-evaluator"

    def __init__(self, runtime: Runtime, *, interval_s: float) -> None:
        super().__init__(interval_s=interval_s)
        self.runtime = runtime

    def work(self) -> None:
        """One evaluation cycle."""
        run_cycle(self.runtime, interval_s=self.interval_s)


_evaluator: OnePerProcess[Evaluator] = OnePerProcess()


def start_alert_evaluator(runtime: Runtime, interval_s: float = 30.0) -> Evaluator:
    """Start this process's one evaluator (or return the one already running)."""
    return _evaluator.start(lambda: Evaluator(runtime, interval_s=interval_s))


def stop_alert_evaluator(*, timeout: float = 10.0) -> None:
    """Stop this process's evaluator, if one runs."""
    _evaluator.stop(timeout=timeout)
