"""Each app process's background work, and the duties one process does for the deployment.

Every web process runs its own Celery consumer (when ``REDIS_URL`` is set), warms its own
explorer caches and keeps its leases (:mod:`services.core.leases`). The work that must happen
once per deployment, whatever the number of processes (the demo feed, the alert evaluator,
usage sampling with tier-move observation, the purge of expired secrets), runs only in the
process that holds the ``duties`` lease; another takes it over when that one dies.
"""

from __future__ import annotations

import logging
import threading
import time

from services.clusters.credentials import start_secret_purger, stop_secret_purger
from services.clusters.usage import start_usage_sampler, stop_usage_sampler
from services.core.jobs import start_embedded_worker, stop_embedded_worker
from services.core.leases import Duties
from services.core.runtime import Runtime
from services.demo.live_feed import start_live_feed, stop_live_feed
from services.explorer import curve_queries
from services.explorer.partials_follower import start_partials_follower, stop_partials_follower
from services.imports import features
from services.quality.alerts_evaluator import start_alert_evaluator, stop_alert_evaluator

log = logging.getLogger(__name__)
USAGE_INTERVAL_S = 300.0


def start_duties(runtime: Runtime) -> None:
    """Start the once-per-deployment schedulers in this process: usage sampling (and tier-move
    detection) every 5 minutes, the alert evaluator every refresh period, the secret purger,
    the demo feed when the demo is on, the explorer's stored density partials unless switched
    off (``explorer_partials``)."""
    start_usage_sampler(runtime, interval_s=USAGE_INTERVAL_S)
    start_alert_evaluator(runtime, interval_s=float(runtime.settings.dashboard_refresh_s))
    start_secret_purger(runtime)
    if runtime.settings.demo != "off":
        start_live_feed(runtime)
    if runtime.settings.explorer_partials:
        start_partials_follower(runtime)  # the explorer's stored density partials, kept current
    # once per deployment too: curves that arrived before features were computed at import
    threading.Thread(target=_fill_features, args=(runtime,), name="curve-features",
                     daemon=True).start()
    log.info("duties: usage sampler every %.0f s, alert evaluator every %d s, demo feed %s, "
             "explorer partials %s", USAGE_INTERVAL_S, runtime.settings.dashboard_refresh_s,
             "on" if runtime.settings.demo != "off" else "off",
             "on" if runtime.settings.explorer_partials else "off")


def stop_duties() -> None:
    """Stop the once-per-deployment schedulers of this process."""
    stop_live_feed()
    stop_partials_follower()
    stop_alert_evaluator()
    stop_secret_purger()
    stop_usage_sampler()


def start_background(runtime: Runtime) -> Duties:
    """Start this process's background work and its bid for the deployment's duties."""
    runtime.leases.start()
    duties = Duties(runtime.leases, start=lambda: start_duties(runtime), stop=stop_duties)
    duties.start()
    start_embedded_worker(runtime)  # background callbacks via Celery, when REDIS_URL is set
    threading.Thread(target=_warm_explorer, args=(runtime,), name="explorer-warm-up",
                     daemon=True).start()
    return duties


def _warm_explorer(runtime: Runtime) -> None:
    """Compile the explorer's kernels and hold the running clusters' first processes."""
    began = time.perf_counter()
    try:
        loaded = curve_queries.warm(runtime)
    except Exception:  # noqa: BLE001 - the explorer still works, only its first view is slower
        log.exception("explorer warm-up failed")
        return
    log.info("explorer: %d process(es) in memory after %.1f s", loaded,
             time.perf_counter() - began)


def _fill_features(runtime: Runtime) -> None:
    """Give curves that arrived without features (before features were computed at import)
    their generic ones, once per start."""
    began = time.perf_counter()
    done = features.fill_missing_everywhere(runtime)
    if done:
        log.info("curve features computed for %d curve(s) in %.1f s", done,
                 time.perf_counter() - began)


def stop_background(runtime: Runtime | None = None, duties: Duties | None = None) -> None:
    """Stop this process's background work and give its leases up (tests, shutdown)."""
    stop_embedded_worker()
    if duties is not None:
        duties.stop()
    stop_duties()
    if runtime is not None:
        runtime.leases.stop()
