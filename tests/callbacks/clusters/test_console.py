"""The cluster console's callbacks: the role on the cluster named by the page's store decides,
a refused or mistyped action changes nothing, and the refresh fills the sections."""

from __future__ import annotations

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask import Flask

from callbacks.clusters import console
from data.metadata import memberships
from services.core.runtime import Runtime
from tests.access_world import World, build_world, snapshot
from tests.callbacks.signed_in import guarded_body, signed_in, text

refresh = guarded_body(console.refresh)
decommission = guarded_body(console.decommission)
rotate = guarded_body(console.rotate)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _name(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        return cluster.name


def test_the_first_refresh_fills_every_section_for_a_viewer(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "viewer"):
        shown = refresh(n=0, cluster_id=str(world.a), seen="", secret_seen=None)
    assert shown["error"] is None
    assert _name(runtime, world.a) in text(shown["header"])
    assert shown["interval"] == 30_000  # a running cluster with nothing under way
    assert shown["seen_status"]
    for key in ("config", "connection", "manage", "usage", "health", "events"):
        assert shown[key] is not None, key


@pytest.mark.parametrize("forged", ["b", "../1", "1 OR 1=1", "-1", "99999", ""])
def test_a_forged_or_foreign_cluster_id_empties_the_console(
        server: Flask, runtime: Runtime, world: World, forged: str) -> None:
    cluster = str(world.b) if forged == "b" else forged
    with signed_in(server, runtime, world, "admin"):
        shown = refresh(n=0, cluster_id=cluster, seen="", secret_seen=None)
    assert shown["error"] is not None
    assert _name(runtime, world.b) not in text(shown["header"])
    assert all(shown[key] is None for key in console.SECTIONS)
    assert shown["interval"] == 60_000


@pytest.mark.parametrize("key", ["editor", "analyst", "viewer", "outsider", "b_admin"])
def test_decommission_below_cluster_admin_is_refused_and_changes_nothing(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, key):
        alert, polls = decommission(1, _name(runtime, world.a), str(world.a))
    assert "Not decommissioned" in text(alert)
    assert polls is no_update
    assert snapshot(runtime) == before


@pytest.mark.parametrize("typed", [None, "", "wrong", "'; DROP DATABASE x; --"])
def test_decommission_with_a_mistyped_name_says_so_and_changes_nothing(
        server: Flask, runtime: Runtime, world: World, typed: str | None) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, "admin"):
        alert, _polls = decommission(1, typed, str(world.a))
    assert "Type the cluster's name exactly to confirm." in text(alert)
    assert snapshot(runtime) == before


def test_decommission_without_a_click_does_nothing(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "admin"), pytest.raises(PreventUpdate):
        decommission(0, _name(runtime, world.a), str(world.a))


def test_rotating_without_ticking_the_box_asks_for_it(
        server: Flask, runtime: Runtime, world: World) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, "admin"):
        alert, confirm, polls = rotate(1, False, str(world.a), 3)
    assert "Tick the box to confirm that the current secret stops working." in text(alert)
    assert (confirm, polls) == (no_update, no_update)
    assert snapshot(runtime) == before


def test_rotating_as_an_editor_is_refused(
        server: Flask, runtime: Runtime, world: World) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, "editor"):
        alert, _confirm, _polls = rotate(1, True, str(world.a), 3)
    assert "This needs the" in text(alert) and "Not rotated" in text(alert)
    assert snapshot(runtime) == before
