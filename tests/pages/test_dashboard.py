"""The dashboard page: it arrives drawn with the panels of the view it opens, refreshed after
the server's period (never a URL parameter); a page that could not draw them asks for its
first refresh at once."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from dash import dcc
from flask import Flask

from components.ids.dashboard import (
    Dashboard,
    DashboardRuleForm,
    DashboardRules,
    DashboardSpc,
    DashboardSpecs,
    dashboard_kpi,
)
from services.core.runtime import Runtime
from services.quality import dashboard
from services.quality.kpis import View
from tests.access_world import World
from tests.callbacks.signed_in import signed_in, text


def _walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def _by_id(frame: Any) -> dict[str, Any]:
    return {str(c.id): c for c in _walk(frame) if getattr(c, "id", None) is not None}


def test_the_refresh_period_is_not_taken_from_the_url(server: Flask) -> None:
    from pages.dashboard import FIRST_REFRESH_MS, layout

    assert "refresh_s" not in inspect.signature(layout).parameters
    with server.test_request_context("/clusters/3/dashboard?refresh_s=1"):
        frame = layout(cluster_id="3", refresh_s="1")
    ticks = [c for c in _walk(frame) if getattr(c, "id", None) == Dashboard.tick]
    assert len(ticks) == 1 and isinstance(ticks[0], dcc.Interval)
    # Nothing could be read here: the first refresh comes at once and sets the period
    # (callbacks.dashboard.panels.refresh_status), whatever the address says.
    props = ticks[0].to_plotly_json()["props"]
    assert props["interval"] == FIRST_REFRESH_MS and props["max_intervals"] == 1


@pytest.fixture(scope="module")
def world(demo_world: World) -> World:
    return demo_world


def test_the_page_arrives_drawn_and_refreshes_after_the_period(
        demo_server: Flask, mod_runtime: Runtime, world: World) -> None:
    from pages.dashboard import layout

    with signed_in(demo_server, mod_runtime, world, "viewer"):
        shown = _by_id(layout(cluster_id=str(world.a), window="7d"))
    got = dashboard.production(mod_runtime, View(world.a, "7d")).value
    assert got.kpis.parts > 0
    assert shown[Dashboard.parts].children == f"{got.kpis.parts:,}"
    yield_value = shown[str(dashboard_kpi(Dashboard.KPI_VALUE, "yield"))].children
    assert yield_value.endswith("%") and yield_value != "—"
    bars = shown[Dashboard.defects].figure["data"]
    assert bars[0]["y"] == [m.mode for m in got.defects] and bars[0]["y"]
    heat = dashboard.heatmap(mod_runtime, View(world.a, "7d")).value
    assert shown[Dashboard.heatmap].figure["data"][0]["z"] == heat.rates
    for chart in (Dashboard.spc, Dashboard.pchart, DashboardSpc.capability):
        assert any(t.get("x") for t in shown[chart].figure["data"]), chart
    assert shown[DashboardSpc.points].data
    assert "Station" in text(shown[Dashboard.status].children)
    assert text(shown[Dashboard.alerts].children)
    assert text(shown[DashboardRules.list].children)
    assert "spec limits" in text(shown[DashboardSpecs.editor].children).lower()
    assert shown[DashboardRuleForm.container].children is None  # editors only
    assert shown[Dashboard.error].children is None
    assert shown[Dashboard.tick].interval == mod_runtime.settings.dashboard_refresh_s * 1000
    assert shown[Dashboard.tick].max_intervals == -1


@pytest.mark.parametrize(("key", "can_edit"), [("viewer", False), ("editor", True)])
def test_the_forms_drawn_with_the_page_follow_the_role(
        demo_server: Flask, mod_runtime: Runtime, world: World, key: str,
        can_edit: bool) -> None:
    from pages.dashboard import layout

    with signed_in(demo_server, mod_runtime, world, key):
        shown = _by_id(layout(cluster_id=str(world.a)))
    assert (shown[DashboardRuleForm.container].children is not None) is can_edit
    assert (DashboardSpc.exclude in shown) is can_edit
