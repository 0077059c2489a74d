"""The dashboard's production panel and filter choices: members of the cluster read them,
anyone else gets the error and no figures, and a forged window or filter is refused."""

from __future__ import annotations

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask import Flask

from callbacks.dashboard import panels
from services.core.runtime import Runtime
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

refresh_production = guarded_body(panels.refresh_production)
refresh_status = guarded_body(panels.refresh_status)
filter_choices = guarded_body(panels.filter_choices)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def test_a_viewer_of_an_empty_cluster_gets_zero_parts_and_no_error(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "viewer"):
        shown = refresh_production(0, "24h", None, None, str(world.a), "viewer-tab-1")
    assert shown["error"] is None
    assert shown["parts"] == "0"
    assert set(shown) == set(panels.PRODUCTION)
    assert "No NOK parts in this window." in text(shown["defects"])


@pytest.mark.parametrize("key", ["outsider", "b_admin"])
def test_an_account_without_access_gets_the_error_and_no_figures(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        shown = refresh_production(0, "24h", None, None, str(world.a), "tab")
    assert "You do not have access to this cluster." in text(shown["error"])
    assert all(v is no_update for k, v in shown.items() if k != "error")


@pytest.mark.parametrize("window", ["1y; DROP TABLE parts", "-24h", "9999999d", "24h\x00"])
def test_a_forged_window_is_refused_with_a_message(
        server: Flask, runtime: Runtime, world: World, window: str) -> None:
    with signed_in(server, runtime, world, "viewer"):
        shown = refresh_production(0, window, None, None, str(world.a), "tab")
    assert shown["error"] is not None and text(shown["error"])
    assert shown["parts"] is no_update


@pytest.mark.parametrize("key", ["viewer", "outsider"])
def test_the_status_refresh_sets_the_period_without_end(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    """The page's one first tick (when it could not draw every panel) is followed by a
    refresh every period, for a refusal too (it is shown in the panel)."""
    with signed_in(server, runtime, world, key):
        states, interval, max_intervals = refresh_status(1, "24h", None, None, str(world.a),
                                                         f"tab-{key}")
    assert interval == runtime.settings.dashboard_refresh_s * 1000 and max_intervals == -1
    refused = "You do not have access to this cluster." in text(states)
    assert refused is (key == "outsider")


def test_the_filter_choices_start_with_all(server: Flask, runtime: Runtime,
                                           world: World) -> None:
    with signed_in(server, runtime, world, "viewer"):
        lines, stations = filter_choices(str(world.a), None)
    assert lines[0]["label"] == "All lines" and stations[0]["label"] == "All stations"


def test_the_filter_choices_are_not_given_to_an_outsider(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "outsider"), pytest.raises(PreventUpdate):
        filter_choices(str(world.a), None)
