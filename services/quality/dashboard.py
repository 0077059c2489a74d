"""The dashboard's panels through the shared cache: one computation per (cluster, view, panel)
per refresh period, whatever the number of viewers; and at most one request in flight per
viewer and panel (a second one while the first runs is told to keep what it shows)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from lyceum.errors import ValidationError
from services.clusters import catalog as catalogs
from services.clusters.query_session import ClusterSession, for_cluster
from services.core.cache import Cached, shared_cache
from services.core.runtime import Runtime
from services.quality import alerts, kpis, spc_exclusions, spc_panel, spec_limits
from services.quality.kpis import DefectMode, KpiPanel
from services.quality.spc_baseline import BaselineChoice
from services.quality.spc_panel import SpcPanel

T = TypeVar("T")
QUERIES_KEY = "stats:queries"


@dataclass(frozen=True)
class Production:
    """The KPI row and the defect modes of one view."""

    kpis: KpiPanel
    defects: list[DefectMode]


def ttl(runtime: Runtime) -> float:
    """How long a computed panel is fresh: a bit less than the refresh period."""
    return max(1.0, runtime.settings.dashboard_refresh_s * 0.8)


class _Counted:
    """A cluster session that counts the queries it runs (for the shared query counter)."""

    def __init__(self, inner: ClusterSession) -> None:
        self.inner, self.queries = inner, 0

    @property
    def database(self) -> str:
        return self.inner.database

    def rows(self, sql: str, **kwargs: Any) -> list[tuple[Any, ...]]:
        self.queries += 1
        return self.inner.rows(sql, **kwargs)

    def scalar(self, sql: str, **kwargs: Any) -> Any:
        self.queries += 1
        return self.inner.scalar(sql, **kwargs)


_current: threading.local = threading.local()


def _session(runtime: Runtime, cluster_id: int) -> Any:
    """The cluster's session, counted towards the computation running in this thread."""
    counted = _Counted(for_cluster(runtime, cluster_id))
    _current.sessions = [*getattr(_current, "sessions", []), counted]
    return counted


def _cached(runtime: Runtime, key: tuple[Hashable, ...], compute: Callable[[], T],
            *, uncached: bool) -> Cached[T]:
    def counted() -> T:
        _current.sessions = []
        try:
            return compute()
        finally:
            n = sum(s.queries for s in _current.sessions)
            shared_cache(runtime).count(QUERIES_KEY, n)

    if uncached:
        return Cached(counted(), datetime.now(UTC).timestamp(), stale=False, computed_here=True)
    return shared_cache(runtime).get_or_compute(key, counted, ttl=ttl(runtime))


def queries_so_far(runtime: Runtime) -> int:
    """ClickHouse queries run for dashboard panels so far (all processes of this cache)."""
    return shared_cache(runtime).counter(QUERIES_KEY)


def production(runtime: Runtime, view: kpis.View, *, uncached: bool = False) -> Cached[Production]:
    """KPIs with trend and delta, and defect modes, for a view."""
    def compute() -> Production:
        s, now = _session(runtime, view.cluster_id), datetime.now(UTC)
        panel = kpis.kpi_panel(s, view, now=now)
        return Production(panel, kpis.defect_panel(s, view, now=now, kpis=panel))
    key = (view.cluster_id, view.window, view.line, view.station, "production")
    return _cached(runtime, key, compute, uncached=uncached)


def status(runtime: Runtime, view: kpis.View, *,
           uncached: bool = False) -> Cached[list[kpis.StationState]]:
    """Every station's current state."""
    return _cached(runtime, (view.cluster_id, view.line, "status"), lambda: kpis.status_panel(
        _session(runtime, view.cluster_id), view, now=datetime.now(UTC)), uncached=uncached)


def heatmap(runtime: Runtime, view: kpis.View, *, uncached: bool = False) -> Cached[kpis.Heatmap]:
    """Stations × hours by defect rate."""
    key = (view.cluster_id, view.window, view.line, "heatmap")
    return _cached(runtime, key, lambda: kpis.heatmap_panel(
        _session(runtime, view.cluster_id), view, now=datetime.now(UTC)), uncached=uncached)


@dataclass(frozen=True)
class SpcRequest:
    """What the SPC panel shows: feature, chart kind, attribute chart, baseline, rule set."""

    feature: str
    kind: str = "xbar_r"
    attribute: str = "p"
    baseline: BaselineChoice = BaselineChoice()
    rules: str = "nelson"


def control_charts(runtime: Runtime, view: kpis.View, request: SpcRequest, *,
                   uncached: bool = False) -> Cached[tuple[SpcPanel, SpcPanel]]:
    """The feature's variables chart with its capability (spec limits and exclusions read
    afresh each time, so a change shows at once) and the attribute chart of the parts."""
    process, name = spec_limits.parse_feature_key(request.feature)
    spec = spec_limits.limits_for(runtime, view.cluster_id).get((process, name))
    if spec is None:  # a feature without limits: charted, without Cp/Cpk
        info = catalogs.catalog(runtime, view.cluster_id).feature(process, name)
        if info is None:
            raise ValidationError("Choose one of the listed features.")
        spec = (info.unit, None, None)
    excluded = spc_exclusions.excluded_curves(runtime, view.cluster_id, process=process,
                                              feature=name)

    def compute() -> tuple[SpcPanel, SpcPanel]:
        s, now = _session(runtime, view.cluster_id), datetime.now(UTC)
        return (spc_panel.feature_panel(s, view, now=now, process=process, feature=name,
                                        kind=request.kind, baseline=request.baseline,
                                        spec=spec, excluded=excluded, rules=request.rules),
                spc_panel.attribute_panel(s, view, now=now, kind=request.attribute,
                                          baseline=request.baseline, rules=request.rules))
    marks = hashlib.sha256(",".join(map(str, sorted(excluded))).encode()).hexdigest()[:16]
    key = (view.cluster_id, view.window, view.line, view.station, "spc", request.feature,
           request.kind, request.attribute, request.baseline.key(), request.rules, spec, marks)
    return _cached(runtime, key, compute, uncached=uncached)


def open_alerts(runtime: Runtime, cluster_id: int) -> Cached[list[alerts.AlertView]]:
    """The cluster's firing and acknowledged alerts (cached briefly)."""
    return shared_cache(runtime).get_or_compute(
        (cluster_id, "alerts"), lambda: alerts.list_alerts(runtime, cluster_id, limit=20)[0],
        ttl=min(5.0, ttl(runtime)))


def forget_alerts(runtime: Runtime, cluster_id: int) -> None:
    """Drop the cached alert list (after an acknowledgement)."""
    shared_cache(runtime).invalidate((cluster_id, "alerts"))


def filter_choices(runtime: Runtime, cluster_id: int, *,
                   line: str = "") -> tuple[list[str], list[str]]:
    """The lines of the cluster and the stations of ``line`` (every station without one),
    from the cluster's catalog."""
    found = catalogs.catalog(runtime, cluster_id)
    return list(found.lines), list(found.stations_of(line))


def first_feature(runtime: Runtime, cluster_id: int) -> str | None:
    """The SPC chart's first choice: the first listed feature (``None``: the cluster has
    none)."""
    listed = spec_limits.feature_list(runtime, cluster_id)
    return listed[0].key if listed else None


def full_refresh(runtime: Runtime, view: kpis.View, *, uncached: bool = False) -> None:
    """Every panel of one dashboard once (what one viewer's refresh asks the server)."""
    production(runtime, view, uncached=uncached)
    status(runtime, view, uncached=uncached)
    heatmap(runtime, view, uncached=uncached)
    feature = first_feature(runtime, view.cluster_id)
    if feature is not None:
        control_charts(runtime, view, SpcRequest(feature), uncached=uncached)


@contextmanager
def viewer_slot(runtime: Runtime, viewer: str, panel: str, *, wait_s: float = 0.0,
                give_up: Callable[[], bool] | None = None) -> Iterator[bool]:
    """``True`` if this viewer has no request in flight for ``panel``; held until done.

    ``wait_s`` waits that long for the slot: a background job whose predecessor was
    cancelled but cannot be interrupted (its query runs to the end) waits for it to finish
    instead of giving up and leaving the panel empty. ``give_up`` is asked while waiting:
    once it says ``True`` (this job was itself cancelled) the wait ends without the slot.
    """
    deadline = time.monotonic() + wait_s
    while True:
        with shared_cache(runtime).guard(("viewer", viewer[:64], panel), seconds=120) as held:
            if held or time.monotonic() >= deadline or (give_up is not None and give_up()):
                yield held
                return
        time.sleep(0.1)
