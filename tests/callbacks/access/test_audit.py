"""The audit log page's callbacks: global admins see every cluster and may check the chain,
a cluster admin only their clusters, anyone else is refused and shown no choices."""

from __future__ import annotations

import pytest
from flask import Flask

from callbacks.access import audit
from data.metadata import memberships
from services.core.runtime import Runtime
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

verify = guarded_body(audit.verify)
HIDDEN = {"display": "none"}


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _name(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        return cluster.name


def _cluster_values(options: list[dict[str, str]]) -> list[str]:
    return [o["value"] for o in options if o["value"] != "any"]


def test_a_global_admin_may_filter_by_every_cluster_and_check_the_chain(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "root"):
        actions, clusters, verify_style, error = audit.choices(1)
    assert error is None
    assert actions[0]["label"] == "any action"
    assert set(_cluster_values(clusters)) >= {str(world.a), str(world.b)}
    assert {o["label"] for o in clusters} >= {_name(runtime, world.a), _name(runtime, world.b)}
    assert verify_style == {}


def test_a_cluster_admin_may_filter_by_their_cluster_only(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "admin"):
        _actions, clusters, verify_style, error = audit.choices(1)
    assert error is None
    assert str(world.b) not in _cluster_values(clusters)
    assert set(_cluster_values(clusters)) <= {str(world.a)}
    assert verify_style == HIDDEN


@pytest.mark.parametrize("key", ["editor", "analyst", "viewer", "outsider"])
def test_anyone_who_administers_no_cluster_gets_no_choices(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        actions, clusters, verify_style, error = audit.choices(1)
    assert (actions, clusters, verify_style) == ([], [], HIDDEN)
    assert error is not None and text(error)


def test_a_global_admin_checks_the_chain(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "root"):
        shown = text(verify(1))
    assert "The chain is intact" in shown


@pytest.mark.parametrize("key", ["admin", "b_admin", "viewer"])
def test_the_chain_check_is_refused_below_global_admin(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        shown = text(verify(1))
    assert "Only administrators can do this." in shown
    assert "The chain is intact" not in shown
