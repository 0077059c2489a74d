"""The dashboard's address over the real Dash endpoint: a view opens from its address with
each choice checked against the cluster's own; a forged one opens the default view under one
message; a refused role gets nothing; changes are written back once the view has opened."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.access_world import World, sign_in
from tests.callbacks.explorer.test_url import call

CHOICES = ("dashboard-window-select", "dashboard-line-select", "dashboard-station-select",
           "dashboard-spc-feature-select", "dashboard-spc-kind-select",
           "dashboard-spc-baseline-select", "dashboard-spc-attribute-select")
DEFAULTS = ("24h", "all", "all", None, "xbar_r", "7d", "p")


@pytest.fixture(scope="module")
def world(demo_world: World) -> World:
    return demo_world


@pytest.fixture(scope="module")
def server(demo_server: Flask) -> Flask:
    return demo_server


def _open(server: Flask, world: World, key: str, query: dict[str, str]) -> dict[str, Any]:
    values = {f"{c}.value": v for c, v in zip(CHOICES, DEFAULTS, strict=True)}
    return call(sign_in(server.test_client(), key), "dashboard-window-select",
                "dashboard-opening-store.data",
                {**values, "dashboard-cluster-store.data": str(world.a),
                 "dashboard-opening-store.data": {"asset": "", "query": query}})


def test_the_address_opens_its_checked_view(server: Flask, world: World) -> None:
    opened = _open(server, world, "viewer", {"window": "7d", "spc_kind": "imr"})
    assert opened["dashboard-window-select"]["value"] == "7d"
    assert opened["dashboard-spc-kind-select"]["value"] == "imr"
    assert "dashboard-line-select" not in opened  # unchanged controls are left alone
    address = opened["dashboard-address-store"]["data"]
    assert address["replace"] is True
    assert address["path"] == f"/clusters/{world.a}/dashboard"  # written only while there
    assert address["search"].startswith("?window=7d&spc_feature=")
    assert opened["dashboard-view-error-div"]["children"] is None


@pytest.mark.parametrize("query", [{"window": "1y"}, {"line": "' OR 1=1 --"},
                                   {"station": "x" * 300}, {"spc_kind": "__class__"}])
def test_a_forged_address_opens_the_default_view_under_a_message(server: Flask, world: World,
                                                                 query: dict[str, str]) -> None:
    opened = _open(server, world, "viewer", query)
    assert "This dashboard link names choices this cluster does not have" in str(
        opened["dashboard-view-error-div"])
    assert "dashboard-window-select" not in opened  # still the default
    assert "window=" not in opened["dashboard-address-store"]["data"]["search"]


def test_an_outsider_opens_nothing(server: Flask, world: World) -> None:
    opened = _open(server, world, "outsider", {"window": "7d"})
    assert "dashboard-window-select" not in opened
    assert "dashboard-address-store" not in opened


def test_changes_are_written_once_the_view_has_opened(server: Flask, world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    values = {f"{c}.value": v for c, v in zip(CHOICES, DEFAULTS, strict=True)}
    values["dashboard-window-select.value"] = "1h"
    values["dashboard-cluster-store.data"] = str(world.a)
    before = call(client, "dashboard-config-store", "dashboard-window-select.value", values)
    assert before["dashboard-config-store"]["data"]["window"] == "1h"
    assert "dashboard-address-store" not in before
    after = call(client, "dashboard-config-store", "dashboard-window-select.value",
                 {**values, "dashboard-address-store.data": {"search": "", "replace": True}})
    assert after["dashboard-address-store"]["data"] == {
        "search": "?window=1h", "replace": False, "path": f"/clusters/{world.a}/dashboard"}
    # asked from the address the browser has: the push is written only while it still has it
    asked = call(client, "dashboard-config-store", "dashboard-window-select.value",
                 {**values, "dashboard-address-store.data": {"search": "", "replace": True},
                  "dashboard-url-location.search": "?window=24h"})
    assert asked["dashboard-address-store"]["data"]["base"] == "?window=24h"


def test_back_shows_the_address_view_but_leaving_the_page_changes_nothing(
        server: Flask, world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    values: dict[str, Any] = {f"{c}.value": v for c, v in zip(CHOICES, DEFAULTS, strict=True)}
    values.update({"dashboard-cluster-store.data": str(world.a),
                   "dashboard-address-store.data": {"search": "", "replace": True},
                   "dashboard-url-location.pathname": f"/clusters/{world.a}/dashboard",
                   "dashboard-url-location.search": "?window=7d"})
    back = call(client, "dashboard-window-select", "dashboard-url-location.search", values)
    assert back["dashboard-window-select"]["value"] == "7d"
    # A search's link opened the parts trace: the page being left hears the trace's
    # address once; its view (and so the address it would write) stays as it was.
    values.update({"dashboard-url-location.pathname": f"/clusters/{world.a}/trace",
                   "dashboard-url-location.search": "?serial=TP-00010"})
    assert call(client, "dashboard-window-select", "dashboard-url-location.search",
                values) == {}
