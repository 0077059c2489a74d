"""The role gates, posted through the Dash endpoint as the browser would: controls above the
member's current role are disabled with the reason; a refused cluster disables them all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from components.role_gates import GATES, role_note_id
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World, build_world, sign_in
from tests.security.matrix import callback_payload, dependencies

NOTE = role_note_id("dashboard")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _gate(server: Flask, key: str, cluster: str) -> tuple[list[Any], list[Any], Any]:
    """(disabled flags, tooltips, note) for the dashboard's gates as ``key`` on ``cluster``."""
    client = sign_in(server.test_client(), key)
    dep = next(d for d in dependencies(server, client) if NOTE in d["output"])
    answer = client.post("/_dash-update-component",
                         json=callback_payload(dep, cluster=cluster), headers=ORIGIN)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    response: dict[str, Any] = answer.json["response"] if answer.json else {}
    gates = [json.dumps(g.component_id, sort_keys=True, separators=(",", ":"))
             if isinstance(g.component_id, dict) else g.component_id
             for g in GATES["dashboard"]]
    return ([response[g]["disabled"] for g in gates], [response[g]["title"] for g in gates],
            response[NOTE]["children"])


@pytest.mark.parametrize("key", ["viewer", "analyst"])
def test_below_editor_saving_to_a_project_is_disabled_with_the_reason(
        server: Flask, world: World, key: str) -> None:
    disabled, titles, note = _gate(server, key, str(world.a))
    assert disabled == [True]
    assert titles == [f"Saving to a project needs the editor role on this cluster; "
                      f"you are an {key}." if key == "analyst" else
                      "Saving to a project needs the editor role on this cluster; "
                      "you are a viewer."]
    assert f"{key} on this cluster: saving to a project needs editor" in json.dumps(note)


@pytest.mark.parametrize("key", ["editor", "admin", "root"])
def test_an_editor_or_above_has_every_control(server: Flask, world: World, key: str) -> None:
    disabled, titles, note = _gate(server, key, str(world.a))
    assert (disabled, titles, note) == ([False], [""], None)


@pytest.mark.parametrize(("key", "cluster"), [("outsider", "a"), ("b_admin", "a"),
                                              ("admin", "../b"), ("admin", "1; DROP")])
def test_a_refused_or_forged_cluster_disables_everything_without_a_note(
        server: Flask, world: World, key: str, cluster: str) -> None:
    target = str(world.a) if cluster == "a" else cluster
    disabled, titles, note = _gate(server, key, target)
    assert (disabled, titles, note) == ([True], [""], None)
