"""The engine page's callback: global admins only; a cluster admin is refused with the same
message as anyone else and sees none of the engine's databases."""

from __future__ import annotations

import pytest
from flask import Flask

from callbacks.clusters import engine
from data.metadata import memberships
from services.core.runtime import Runtime
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

fill_engine = guarded_body(engine.fill_engine)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def test_a_global_admin_sees_mode_version_and_a_database_holding_data(
        server: Flask, runtime: Runtime, world: World) -> None:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, world.a)
        assert cluster is not None
        database = cluster.database_name
    runtime.ch.command(f"INSERT INTO {database}.parts (part_id, serial, ts) VALUES "
                       "(1, 'engine-row', '2026-12-01 08:00:00')")
    with signed_in(server, runtime, world, "root"):
        summary, volumes, databases, error = fill_engine(1)
    assert error is None
    assert runtime.ch.label in text(summary)
    assert "Storage volumes" in text(volumes)
    assert database in text(databases)


@pytest.mark.parametrize("key", ["admin", "b_admin", "viewer", "outsider"])
def test_anyone_but_a_global_admin_is_refused_and_shown_nothing(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        summary, volumes, databases, error = fill_engine(1)
    assert (summary, volumes, databases) == (None, None, None)
    assert "Only administrators can do this." in text(error)
