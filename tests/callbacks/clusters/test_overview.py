"""The overview's callback: one card per cluster the account may see, with its role, and a
plain explanation for an account that belongs to no cluster."""

from __future__ import annotations

import pytest
from flask import Flask

from callbacks.clusters import overview
from data.metadata import memberships
from services.core.runtime import Runtime
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

fill_clusters = guarded_body(overview.fill_clusters)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _name(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        return cluster.name


@pytest.mark.parametrize("key", ["admin", "editor", "analyst", "viewer"])
def test_a_member_gets_one_card_for_their_cluster_only(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        cards, error = fill_clusters(1)
    assert error is None
    assert isinstance(cards, list) and len(cards) == 1
    drawn = text(cards)
    assert _name(runtime, world.a) in drawn and f"/clusters/{world.a}" in drawn
    assert _name(runtime, world.b) not in drawn


def test_a_global_admin_gets_a_card_for_every_cluster(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "root"):
        cards, error = fill_clusters(1)
    assert error is None
    drawn = text(cards)
    assert len(cards) == 2
    assert f"/clusters/{world.a}" in drawn and f"/clusters/{world.b}" in drawn


def test_an_outsider_is_told_an_admin_can_add_them(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "outsider"):
        cards, error = fill_clusters(1)
    assert error is None
    assert "No clusters for you yet" in text(cards)
    assert _name(runtime, world.a) not in text(cards)
