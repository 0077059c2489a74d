"""Trace page callbacks over the real Dash endpoint: suggestions and the part's record for
members only; a forged cluster id or a hostile serial reaches nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from tests.access_world import World, sign_in
from tests.callbacks.explorer.test_view import call, server, world  # noqa: F401


def _suggest(server: Flask, key: str, cluster: Any, text: str) -> dict[str, Any]:  # noqa: F811
    return call(sign_in(server.test_client(), key), "trace-suggestions-div", {
        "trace-search-input.value": text, "trace-cluster-store.data": cluster})


def _serials(found: dict[str, Any]) -> list[str]:
    return re.findall(r"trace\?serial=([\w-]+)", json.dumps(found))


def _show(server: Flask, key: str, cluster: Any, serial: Any) -> dict[str, Any]:  # noqa: F811
    return call(sign_in(server.test_client(), key), "trace-body-div", {
        "trace-serial-store.data": serial, "trace-cluster-store.data": cluster})


def test_viewer_gets_suggestions_then_the_parts_record(server: Flask,  # noqa: F811
                                                       world: World) -> None:  # noqa: F811
    found = _suggest(server, "viewer", str(world.a), "LC-")
    serials = _serials(found)
    assert 1 <= len(serials) <= 15 and all(s.startswith("LC-") for s in serials)
    assert f"/clusters/{world.a}/trace?serial=" in json.dumps(found)
    serial = serials[0]
    shown = json.dumps(_show(server, "viewer", str(world.a), serial))
    assert serial in shown and "Time line" in shown and "Features" in shown
    assert "trace-chart-graph" in shown and '"type": "scatter"' in shown


@pytest.mark.parametrize("cluster", ["b", "999999", "1 OR 1=1", "-1", "../2"])
def test_other_or_forged_clusters_are_refused(server: Flask, world: World,  # noqa: F811
                                              cluster: str) -> None:
    target = str(world.b) if cluster == "b" else cluster
    serial = _serials(_suggest(server, "viewer", str(world.a), "LC-"))[0]
    text = json.dumps(_show(server, "analyst", target, serial))
    assert serial not in text and "scatter" not in text
    assert "You do not have access" in text or "does not exist" in text
    assert "LC-" not in json.dumps(_suggest(server, "analyst", target, "LC-"))


def test_outsider_and_hostile_serials_see_nothing(server: Flask, world: World) -> None:  # noqa: F811
    assert "LC-" not in json.dumps(_suggest(server, "outsider", str(world.a), "LC-"))
    refused = json.dumps(_show(server, "outsider", str(world.a), "LC-0001"))
    assert "You do not have access" in refused
    for serial, message in {"LC-'; DROP TABLE parts --": "A serial is 1 to 80",
                            "x" * 81: "A serial is 1 to 80",
                            "NO-SUCH-SERIAL": "No part with that serial"}.items():
        text = json.dumps(_show(server, "viewer", str(world.a), serial))
        assert message in text and "scatter" not in text
