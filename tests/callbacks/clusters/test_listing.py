"""The cluster list's callback: each account sees only its clusters, only global admins get
the New cluster button, and a hostile search is just text that matches nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from callbacks.clusters import listing
from components.clusters import ANY
from data.metadata import memberships
from services.core.runtime import Runtime
from tests.access_world import World, build_world, snapshot
from tests.callbacks.signed_in import guarded_body, signed_in, text

fill_clusters = guarded_body(listing.fill_clusters)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _name(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        return cluster.name


def test_a_member_sees_only_their_cluster_and_no_new_button(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "viewer"):
        table, action, error = fill_clusters(1, None, ANY, ANY)
    drawn = text(table)
    assert _name(runtime, world.a) in drawn
    assert _name(runtime, world.b) not in drawn
    assert f"/clusters/{world.a}" in drawn
    assert (action, error) == (None, None)


def test_a_global_admin_sees_every_cluster_and_the_new_button(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "root"):
        table, action, error = fill_clusters(1, "", ANY, ANY)
    drawn = text(table)
    assert _name(runtime, world.a) in drawn and _name(runtime, world.b) in drawn
    assert "New cluster" in text(action) and "/clusters/new" in text(action)
    assert error is None


def test_the_search_narrows_the_list(server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "root"):
        table, _action, _error = fill_clusters(1, _name(runtime, world.b), ANY, ANY)
    assert _name(runtime, world.b) in text(table)
    assert _name(runtime, world.a) not in text(table)


@pytest.mark.parametrize("search", ["'; DROP TABLE clusters; --", "%", "acc%a", "\x00", "a" * 5000])
def test_hostile_search_text_matches_nothing_and_changes_nothing(
        server: Flask, runtime: Runtime, world: World, search: str) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, "viewer"):
        table, action, error = fill_clusters(1, search, ANY, ANY)
    assert "No cluster matches these filters" in text(table)
    assert (action, error) == (None, None)
    assert snapshot(runtime) == before


def test_an_unknown_status_filter_shows_the_empty_filter_state(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "root"):
        table, _action, error = fill_clusters(1, None, "<script>", ANY)
    assert "No cluster matches these filters" in text(table)
    assert error is None


def test_an_account_with_no_cluster_is_told_who_can_add_them(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "outsider"):
        table, action, error = fill_clusters(1, None, ANY, ANY)
    assert "You are not a member of any cluster yet" in text(table)
    assert "New cluster" not in text(table)
    assert (action, error) == (None, None)
