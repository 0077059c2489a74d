"""The dashboard's first draw: every panel of a view read at once while the page is built,
so the page arrives with its content instead of asking for each panel a round later.

The panels are read concurrently (their queries run in the engine service; here they
mostly wait) through the same shared cache as the refresh callbacks
(:mod:`services.quality.dashboard`). A panel not ready within the wait is left out (its
computation goes on and fills the cache): the page's first refresh draws it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from data.metadata.models_alerts import AlertRule
from lyceum.errors import AppError
from services.core.cache import Cached
from services.core.runtime import Runtime
from services.quality import alerts, dashboard, kpis, spc_exclusions, spec_limits
from services.quality.dashboard import Production, SpcRequest
from services.quality.spc_exclusions import Exclusion
from services.quality.spc_panel import SpcPanel
from services.quality.spec_limits import SpecLimit

log = logging.getLogger(__name__)

#: Seconds the page waits for its panels before it is sent without the missing ones (a
#: cold cache on a busy machine; the panels usually take well under a second). Shorter,
#: the refresh callbacks would compute the same panels again.
WAIT_S = 5.0


@dataclass(frozen=True)
class FirstDraw:
    """The panels read for a page's first draw; ``None``: not read (see ``errors``, or it
    was not ready in time)."""

    production: Cached[Production] | None = None
    status: list[kpis.StationState] | None = None
    heatmap: kpis.Heatmap | None = None
    alerts: list[alerts.AlertView] | None = None
    spc: tuple[SpcPanel, SpcPanel] | None = None
    #: The cluster's alert rules.
    rules: list[AlertRule] | None = None
    #: The charted feature's spec limits (``None`` inside: it has none) and exclusions.
    feature: tuple[SpecLimit | None, list[Exclusion]] | None = None
    #: What users are told about the panels that could not be read (``AppError`` messages).
    errors: tuple[str, ...] = field(default_factory=tuple)
    #: The panels asked for and not read (failed, or not ready in time).
    missing: tuple[str, ...] = field(default_factory=tuple)


def first_draw(runtime: Runtime, view: kpis.View, request: SpcRequest | None, *,
               wait_s: float = WAIT_S) -> FirstDraw:
    """The view's production, station states, heatmap, open alerts and alert rules, and
    (for ``request``) the SPC charts with the feature's limits and exclusions, read
    concurrently; those not ready after ``wait_s`` are ``None``. The caller has checked
    the viewer role on the cluster."""
    tasks: dict[str, Callable[[], Any]] = {
        "production": lambda: dashboard.production(runtime, view),
        "status": lambda: dashboard.status(runtime, view).value,
        "heatmap": lambda: dashboard.heatmap(runtime, view).value,
        "alerts": lambda: dashboard.open_alerts(runtime, view.cluster_id).value,
        "rules": lambda: alerts.rules_of(runtime, view.cluster_id),
    }
    if request is not None:
        tasks["spc"] = lambda: dashboard.control_charts(runtime, view, request).value
        tasks["feature"] = lambda: _feature(runtime, view.cluster_id, request.feature)
    pool = ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="dashboard-first")
    try:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
    finally:
        pool.shutdown(wait=False)  # a panel still running finishes into the cache
    wait(futures.values(), timeout=wait_s)
    read: dict[str, Any] = {}
    errors: list[str] = []
    for name, future in futures.items():
        value, message = _outcome(name, future)
        if message:
            errors.append(message)
        elif value is not None:
            read[name] = value
    return FirstDraw(**read, errors=tuple(dict.fromkeys(errors)),
                     missing=tuple(name for name in tasks if name not in read))


def _feature(runtime: Runtime, cluster_id: int,
             key: str) -> tuple[SpecLimit | None, list[Exclusion]]:
    """The spec limits and the exclusions of the feature ``key``."""
    process, name = spec_limits.parse_feature_key(key)
    return (spec_limits.limit_of(runtime, cluster_id, process=process, feature=name),
            spc_exclusions.list_exclusions(runtime, cluster_id, process=process,
                                           feature=name))


def _outcome(name: str, future: Future[Any]) -> tuple[Any, str | None]:
    """A finished panel's value, or the message of its ``AppError``; ``(None, None)`` when
    it is not finished or failed otherwise (logged: the refresh callback reports it)."""
    if not future.done():
        return None, None
    error = future.exception()
    if error is None:
        return future.result(), None
    if isinstance(error, AppError):
        return None, error.user_message
    log.error("dashboard panel %s failed on first draw", name, exc_info=error)
    return None, None
