"""The explorer's follow-new-data callback: it redraws when the data version moved since the
figure was drawn, stays quiet when nothing changed, and answers nothing to an account without
access or to a forged state."""

from __future__ import annotations

from typing import Any

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask import Flask

from callbacks.explorer import fresh
from services.core.runtime import Runtime
from services.explorer.state import ExplorerState, encode_state
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in

follow_data = guarded_body(fresh.follow_data)
ENCODED = encode_state(ExplorerState())


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _follow(server: Flask, runtime: Runtime, world: World, key: str, *, cluster: Any = None,
            encoded: Any = ENCODED, seen: Any = None, drawn: Any = None) -> dict[str, Any]:
    store = {"cluster": world.a if cluster is None else cluster, "s": ""}
    with signed_in(server, runtime, world, key):
        found: dict[str, Any] = follow_data(1, store, encoded, seen, drawn)
    return found


def test_the_first_check_redraws_when_the_version_moved_since_the_draw(
        server: Flask, runtime: Runtime, world: World) -> None:
    drawn = {"v": "drawn-before-the-import", "token": "t1", "other": 1}
    answer = _follow(server, runtime, world, "viewer", drawn=drawn)
    assert answer["seen"]["v"] != "drawn-before-the-import"
    assert answer["redraw"] == answer["seen"]  # the draw callback redraws its current state
    assert "state" not in answer  # a copy of the state sent with the tick is never written back
    assert answer["processes"] is no_update  # no earlier check to compare the list with


def test_nothing_changed_answers_nothing(server: Flask, runtime: Runtime,
                                         world: World) -> None:
    seen = _follow(server, runtime, world, "viewer")["seen"]
    with pytest.raises(PreventUpdate):
        _follow(server, runtime, world, "viewer", seen=seen)


def test_a_moved_version_after_a_check_refreshes_the_process_list(
        server: Flask, runtime: Runtime, world: World) -> None:
    seen = _follow(server, runtime, world, "viewer")["seen"]
    answer = _follow(server, runtime, world, "viewer", seen={**seen, "v": "older"})
    assert answer["redraw"] == answer["seen"]
    assert isinstance(answer["processes"], list)


@pytest.mark.parametrize(("key", "cluster"), [("outsider", None), ("b_admin", None),
                                              ("viewer", "../1"), ("viewer", "1 OR 1=1")])
def test_no_access_or_a_forged_cluster_answers_nothing(
        server: Flask, runtime: Runtime, world: World, key: str, cluster: Any) -> None:
    with pytest.raises(PreventUpdate):
        _follow(server, runtime, world, key, cluster=cluster)


@pytest.mark.parametrize("encoded", ["not-a-state", "A" * 20000, "{\"process\": \"x\"}", None,
                                     ""])
def test_a_forged_or_missing_state_answers_nothing(
        server: Flask, runtime: Runtime, world: World, encoded: Any) -> None:
    with pytest.raises(PreventUpdate):
        _follow(server, runtime, world, "viewer", encoded=encoded)
