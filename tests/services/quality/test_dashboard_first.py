"""The dashboard's first draw on real chDB: every panel of a view read at once, the same as
the refresh callbacks read them; a panel that fails says why, one that is late is left out
and still fills the cache."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from services.core.runtime import Runtime
from services.quality import dashboard, dashboard_first, kpis
from services.quality.dashboard import SpcRequest
from tests.access_world import register_cluster

DB = "dash_first"


@pytest.fixture
def cluster_id(runtime: Runtime, demo_db: str) -> int:
    return register_cluster(runtime, demo_db, name="Demo plant", is_demo=True)


def _request(runtime: Runtime, cluster_id: int) -> SpcRequest:
    feature = dashboard.first_feature(runtime, cluster_id)
    assert feature is not None
    return SpcRequest(feature)


def test_every_panel_is_read_as_the_refreshes_read_it(runtime: Runtime,
                                                      cluster_id: int) -> None:
    view = kpis.View(cluster_id, "7d")
    request = _request(runtime, cluster_id)
    drawn = dashboard_first.first_draw(runtime, view, request, wait_s=60)
    assert drawn.missing == () and drawn.errors == ()
    assert drawn.production is not None and drawn.production.value.kpis.parts > 0
    # The same values the refresh callbacks get from the shared cache.
    assert drawn.production.value == dashboard.production(runtime, view).value
    assert drawn.status == dashboard.status(runtime, view).value
    assert drawn.heatmap == dashboard.heatmap(runtime, view).value
    assert drawn.alerts == dashboard.open_alerts(runtime, cluster_id).value
    assert drawn.spc == dashboard.control_charts(runtime, view, request).value
    assert drawn.spc is not None and drawn.spc[0].series


def test_without_an_spc_request_the_charts_are_not_read(runtime: Runtime,
                                                        cluster_id: int) -> None:
    drawn = dashboard_first.first_draw(runtime, kpis.View(cluster_id, "24h"), None,
                                       wait_s=60)
    assert drawn.spc is None and drawn.missing == () and drawn.status is not None


def test_a_panel_that_cannot_be_read_says_why(runtime: Runtime, cluster_id: int) -> None:
    drawn = dashboard_first.first_draw(runtime, kpis.View(cluster_id + 1000, "24h"), None,
                                       wait_s=60)
    assert drawn.production is None and drawn.heatmap is None and drawn.status is None
    assert set(drawn.missing) >= {"production", "status", "heatmap"}
    assert drawn.errors and all(isinstance(m, str) and m for m in drawn.errors)
    assert len(drawn.errors) == len(set(drawn.errors))  # each message once


def test_a_late_panel_is_left_out_and_still_fills_the_cache(
        runtime: Runtime, cluster_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    view = kpis.View(cluster_id, "24h")
    release, started, finished = threading.Event(), threading.Event(), threading.Event()
    real = dashboard.heatmap

    def held_heatmap(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert release.wait(60)
        try:
            return real(*args, **kwargs)
        finally:
            finished.set()

    # The other panels cached first: each is then read in milliseconds, well within the
    # wait even on a busy machine (computed afresh they could take longer than it).
    dashboard.production(runtime, view)
    dashboard.status(runtime, view)
    dashboard.open_alerts(runtime, cluster_id)
    monkeypatch.setattr(dashboard, "heatmap", held_heatmap)
    try:
        drawn = dashboard_first.first_draw(runtime, view, None, wait_s=3)
        assert started.is_set()
        assert drawn.missing == ("heatmap",) and drawn.heatmap is None
        assert drawn.production is not None and drawn.errors == ()
    finally:
        release.set()
    monkeypatch.undo()
    # The late panel went on in the background: the next read is a fresh cache hit.
    assert finished.wait(60)
    again = dashboard.heatmap(runtime, view)
    assert not again.computed_here and not again.stale and again.value.stations


def test_a_panel_computed_again_is_drawn_as_computed_last_meanwhile(
        runtime: Runtime, cluster_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    view = kpis.View(cluster_id, "24h")
    last = dashboard.heatmap(runtime, view).value
    release, finished = threading.Event(), threading.Event()
    real = kpis.heatmap_panel

    def held_heatmap(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(60)
        try:
            return real(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(dashboard, "ttl", lambda _runtime: 0.0)  # every panel expired
    monkeypatch.setattr(kpis, "heatmap_panel", held_heatmap)
    try:
        drawn = dashboard_first.first_draw(runtime, view, None, wait_s=60)
        assert not finished.is_set()  # drawn while the heatmap was still being computed
        assert drawn.heatmap == last and drawn.stale and drawn.missing == ()
    finally:
        release.set()
    assert finished.wait(60)


def test_a_panel_never_computed_is_waited_for(runtime: Runtime, cluster_id: int) -> None:
    drawn = dashboard_first.first_draw(runtime, kpis.View(cluster_id, "1h"), None,
                                       wait_s=60, fresh_wait_s=0.0)
    assert drawn.missing == () and not drawn.stale and drawn.heatmap is not None
