"""The explorer's refine callback answers only a request for the state on screen, with
numeric ranges, from an account with access; anything else changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from flask import Flask

from callbacks.explorer import refine
from callbacks.explorer.view import state_token
from services.core.runtime import Runtime
from services.explorer.state import ExplorerState, encode_state
from tests.access_world import World
from tests.callbacks.signed_in import guarded_body, signed_in

on_refine = guarded_body(refine.refine)
ENCODED = encode_state(ExplorerState())


@pytest.fixture(scope="module")
def runtime(mod_runtime: Runtime) -> Runtime:
    return mod_runtime


@pytest.fixture(scope="module")
def world(demo_world: World) -> World:
    return demo_world


@pytest.fixture(scope="module")
def server(demo_server: Flask) -> Flask:
    return demo_server


def _ask(server: Flask, runtime: Runtime, world: World, key: str, asked: Any, *,
         cluster: Any = None, encoded: Any = ENCODED) -> Any:
    store = {"cluster": world.a if cluster is None else cluster, "s": ""}
    with signed_in(server, runtime, world, key):
        return on_refine(asked, store, encoded)


def test_a_viewer_gets_the_view_redrawn_with_its_summary(
        server: Flask, runtime: Runtime, world: World) -> None:
    refined = _ask(server, runtime, world, "viewer",
                   {"token": state_token(ENCODED), "x": [0, 1], "y": [0, 2]})
    # the image goes to the page with the ranges it was drawn for; the browser puts it on the
    # chart only while the chart still shows those ranges
    assert (refined["x"], refined["y"]) == ([0.0, 1.0], [0.0, 2.0])
    assert refined["image"]["source"].startswith("data:image/png;base64,") \
        or refined["image"] == {"source": "", "visible": False}
    assert "filtered curves" in refined["summary"] and "x 0…1, y 0…2" in refined["summary"]


@pytest.mark.parametrize("asked", [
    None, "token", {"token": "stale"}, {"token": None},
    {"token": "TOKEN", "x": ["a", "b"]}, {"token": "TOKEN", "y": [{"$gt": 1}, 2]},
    {"token": "TOKEN", "x": [None, 1]}])
def test_a_stale_or_hostile_request_changes_nothing(
        server: Flask, runtime: Runtime, world: World, asked: Any) -> None:
    if isinstance(asked, dict) and asked.get("token") == "TOKEN":
        asked = {**asked, "token": state_token(ENCODED)}
    with pytest.raises(PreventUpdate):
        _ask(server, runtime, world, "viewer", asked)


@pytest.mark.parametrize(("key", "cluster"), [("outsider", None), ("b_admin", None),
                                              ("viewer", "../1")])
def test_without_access_nothing_is_drawn(server: Flask, runtime: Runtime, world: World,
                                         key: str, cluster: Any) -> None:
    with pytest.raises(PreventUpdate):
        _ask(server, runtime, world, key, {"token": state_token(ENCODED)}, cluster=cluster)


def test_a_refine_that_fails_says_why_for_the_view_it_was_asked_for(
        server: Flask, runtime: Runtime, world: World) -> None:
    gone = encode_state(ExplorerState(process="no-such-process"))
    refined = _ask(server, runtime, world, "viewer",
                   {"token": state_token(gone), "x": [0, 1], "y": None}, encoded=gone)
    # no image: the page keeps what it drew and says why instead of "refining…"
    assert set(refined) == {"x", "y", "failed"}
    assert (refined["x"], refined["y"]) == ([0.0, 1.0], None)
    assert isinstance(refined["failed"], str) and refined["failed"]
    assert refine.NOT_REFINED == "not refined: "
