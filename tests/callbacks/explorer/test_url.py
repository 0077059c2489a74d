"""The explorer's address over the real Dash endpoint: the view shown is written as a checked
link, forged zoom or objects write nothing, Back/Forward reopen the address's view, share
links are absolute, and a forged link opens the default view under its message."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.explorer.state import ExplorerState, decode_state, encode_state
from tests.access_world import World, sign_in
from tests.http import json_body

HEADERS = {"Origin": "http://localhost"}
STATE = encode_state(ExplorerState(process="press-fit"))


@pytest.fixture(scope="module")
def world(demo_world: World) -> World:
    return demo_world


@pytest.fixture(scope="module")
def server(demo_server: Flask) -> Flask:
    return demo_server


def call(client: FlaskClient, first_output: str, trigger: str,
         values: dict[str, Any]) -> dict[str, Any]:
    """Run the callback with first output ``first_output`` and first input ``trigger``,
    inputs and states by ``id.property`` (others None); the response ({} on 204)."""
    for dep in json_body(client.get("/_dash-dependencies")):
        spec = dep["inputs"][0]
        if dep["output"].lstrip(".").split(".")[0] == first_output and \
                f"{spec['id']}.{spec['property']}" == trigger:
            break
    else:
        raise AssertionError(first_output)
    outs = dep["output"][2:-2].split("...") if dep["output"].startswith("..") \
        else [dep["output"]]
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
               for o in outs]

    def item(s: dict[str, Any]) -> dict[str, Any]:
        return {"id": s["id"], "property": s["property"],
                "value": values.get(f"{s['id']}.{s['property']}")}
    body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [item(s) for s in dep["inputs"]],
            "state": [item(s) for s in dep["state"]], "changedPropIds": [trigger]}
    response = client.post("/_dash-update-component", json=body, headers=HEADERS)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    return json_body(response)["response"] if response.status_code == 200 else {}


def _shown(world: World, **more: Any) -> dict[str, Any]:
    return {"explorer-state-store.data": STATE, "explorer-url-location.search": "",
            "explorer-url-location.pathname": f"/clusters/{world.a}/explorer",
            "explorer-cluster-store.data": {"cluster": str(world.a)}, **more}


def test_the_first_view_replaces_the_address_and_later_ones_push(server: Flask,
                                                                 world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    first = call(client, "explorer-address-store", "explorer-state-store.data", _shown(world))
    wanted = first["explorer-address-store"]["data"]
    assert wanted["replace"] is True and wanted["search"].startswith("?s=1")
    assert wanted["path"] == f"/clusters/{world.a}/explorer"  # written only while there
    zoomed = call(client, "explorer-address-store", "explorer-state-store.data", _shown(
        world, **{"explorer-view-store.data": {"x": [2, 4], "y": None},
                  "explorer-selected-store.data": 7,
                  "explorer-shown-state-store.data": first["explorer-shown-state-store"][
                      "data"]}))
    wanted = zoomed["explorer-address-store"]["data"]
    assert wanted["replace"] is False
    assert wanted["base"] == ""  # pushed only while the address is still the one asked from
    shown = decode_state(wanted["search"][3:])
    assert (shown.x_range, shown.highlight) == ((2.0, 4.0), (7,))


@pytest.mark.parametrize("more", [
    {"explorer-view-store.data": {"x": [4, 2]}},
    {"explorer-view-store.data": {"x": ["a", "b"]}},
    {"explorer-selected-store.data": -3},
    {"explorer-state-store.data": "1AAAA"},
])
def test_forged_view_data_writes_nothing(server: Flask, world: World,
                                         more: dict[str, Any]) -> None:
    client = sign_in(server.test_client(), "viewer")
    assert call(client, "explorer-address-store", "explorer-state-store.data",
                _shown(world, **more)) == {}


def test_an_outsider_gets_no_address_and_no_share_link(server: Flask, world: World) -> None:
    client = sign_in(server.test_client(), "outsider")
    assert call(client, "explorer-address-store", "explorer-state-store.data",
                _shown(world)) == {}
    answer = call(client, "explorer-share-input", "explorer-share-button.n_clicks",
                  _shown(world, **{"explorer-share-button.n_clicks": 1}))
    assert "/explorer" not in str(answer)


def test_back_reopens_the_address_and_share_links_are_absolute(server: Flask,
                                                               world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    other = encode_state(ExplorerState(process="press-fit", results=("NOK",)))
    back = call(client, "explorer-cluster-store", "explorer-url-location.search", _shown(
        world, **{"explorer-url-location.search": f"?s={other}",
                  "explorer-shown-state-store.data": STATE}))
    assert back["explorer-cluster-store"]["data"] == {"cluster": str(world.a), "s": other}
    same = call(client, "explorer-cluster-store", "explorer-url-location.search", _shown(
        world, **{"explorer-url-location.search": f"?s={STATE}",
                  "explorer-shown-state-store.data": STATE}))
    assert same == {}  # the page already shows it
    left = call(client, "explorer-cluster-store", "explorer-url-location.search", _shown(
        world, **{"explorer-url-location.search": "?serial=TP-00010",
                  "explorer-url-location.pathname": f"/clusters/{world.a}/trace",
                  "explorer-shown-state-store.data": STATE}))
    assert left == {}  # the person went to another page: not a Back of this one
    link = call(client, "explorer-share-input", "explorer-share-button.n_clicks", _shown(
        world, **{"explorer-share-button.n_clicks": 1,
                  "explorer-view-store.data": {"x": [1, 3]}}))["explorer-share-input"]["value"]
    assert link.startswith(f"http://localhost/clusters/{world.a}/explorer?s=1")
    assert decode_state(link.split("?s=", 1)[1]).x_range == (1.0, 3.0)


def test_a_forged_link_opens_the_default_view_under_its_message(server: Flask,
                                                                world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    opened = call(client, "explorer-process-select", "explorer-cluster-store.data", {
        "explorer-cluster-store.data": {"cluster": str(world.a), "s": "1AAAA"}})
    assert "The explorer link is not valid." in str(opened["explorer-error-div"])
    assert opened["explorer-graph"]["figure"]["layout"]["images"]  # the default view
    assert decode_state(opened["explorer-state-store"]["data"]) == ExplorerState(
        process="press-fit")
    refused = call(sign_in(server.test_client(), "outsider"), "explorer-process-select",
                   "explorer-cluster-store.data",
                   {"explorer-cluster-store.data": {"cluster": str(world.a), "s": "1AAAA"}})
    assert "explorer-graph" not in refused
