"""The dashboard's first draw: every panel of a view read at once while the page is built,
so the page arrives with its content instead of asking for each panel a round later.

The panels are read concurrently (their queries run in the engine service; here they
mostly wait) through the same shared cache as the refresh callbacks
(:mod:`services.quality.dashboard`). A panel that has to be computed afresh is drawn as
computed last, when that is recent, marked stale; one not ready within the wait is left
out. Either way its computation goes on into the cache, and the page's first tick (at
once) redraws it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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
#: Seconds a panel computed afresh is waited for before the value computed last is taken.
FRESH_WAIT_S = 0.25


#: Panel reads of first draws running at once in this process, all pages together (more
#: wait their turn; a page whose panels are not read within its wait is sent without them).
READERS = 16
_readers: ThreadPoolExecutor | None = None
_readers_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _readers
    with _readers_lock:
        if _readers is None:
            _readers = ThreadPoolExecutor(max_workers=READERS,
                                          thread_name_prefix="dashboard-first")
        return _readers


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
    #: Some panel is drawn as computed last, while it is computed again.
    stale: bool = False


def first_draw(runtime: Runtime, view: kpis.View, request: SpcRequest | None, *,
               wait_s: float = WAIT_S, fresh_wait_s: float = FRESH_WAIT_S) -> FirstDraw:
    """The view's production, station states, heatmap, open alerts and alert rules, and
    (for ``request``) the SPC charts with the feature's limits and exclusions, read
    concurrently; those not ready after ``wait_s`` are ``None``. A cached panel being
    computed afresh after ``fresh_wait_s`` is taken as last computed, when that is at most
    two refresh periods old (``stale``: the page's first tick redraws it). The caller has
    checked the viewer role on the cluster."""
    tasks: dict[str, Callable[[], Any]] = {
        "production": lambda: dashboard.production(runtime, view),
        "status": lambda: dashboard.status(runtime, view),
        "heatmap": lambda: dashboard.heatmap(runtime, view),
        "alerts": lambda: dashboard.open_alerts(runtime, view.cluster_id),
        "rules": lambda: alerts.rules_of(runtime, view.cluster_id),
    }
    if request is not None:
        tasks["spc"] = lambda: dashboard.control_charts(runtime, view, request)
        tasks["feature"] = lambda: _feature(runtime, view.cluster_id, request.feature)
    pool = _pool()
    fresh = {name: pool.submit(task) for name, task in tasks.items()}
    wait(fresh.values(), timeout=fresh_wait_s)
    # While a panel is computed, the shared cache answers another read of it with the
    # value computed last (or waits for the new one when there is none). A panel still
    # running when the page is sent finishes into the cache.
    last = {name: pool.submit(tasks[name]) for name in CACHED
            if name in fresh and not fresh[name].done()}
    oldest = time.time() - 2 * runtime.settings.dashboard_refresh_s
    deadline = time.monotonic() + wait_s
    chosen: dict[str, Future[Any]] = {}
    while True:
        for name, future in fresh.items():
            if future.done():
                chosen[name] = future
            elif name in last and last[name].done() and _served(last[name], oldest):
                chosen[name] = last[name]
        pending = [f for n, f in fresh.items() if n not in chosen]
        left = deadline - time.monotonic()
        if not pending or left <= 0:
            break
        waiting = [last[n] for n in fresh if n in last and n not in chosen
                   and not last[n].done()]
        wait([*pending, *waiting], timeout=left, return_when=FIRST_COMPLETED)
    return _draw(list(tasks), chosen)


#: The panels read through the shared cache (the others are read afresh every time).
CACHED = ("production", "status", "heatmap", "alerts", "spc")


def _served(future: Future[Any], oldest: float) -> bool:
    """A finished read of the value computed last, not older than ``oldest`` (Unix time)."""
    if future.exception() is not None:
        return False
    got = future.result()
    return isinstance(got, Cached) and got.computed_at >= oldest


def _draw(names: list[str], chosen: dict[str, Future[Any]]) -> FirstDraw:
    """The panels read (values of cached ones unwrapped), the messages and the missing."""
    read: dict[str, Any] = {}
    errors: list[str] = []
    stale = False
    for name, future in chosen.items():
        value, message = _outcome(name, future)
        if message:
            errors.append(message)
        elif value is not None:
            if isinstance(value, Cached) and name != "production":
                stale, value = stale or value.stale, value.value
            read[name] = value
    stale = stale or bool(read.get("production") and read["production"].stale)
    return FirstDraw(**read, errors=tuple(dict.fromkeys(errors)), stale=stale,
                     missing=tuple(name for name in names if name not in read))


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
