"""The engine page's status: the mode, the engine's version, its storage and every
database's size, read from the engine the runtime talks to."""

from __future__ import annotations

from data.metadata import memberships
from services.clusters.engine import engine_status
from services.core.runtime import Runtime
from tests.access_world import build_world


def test_the_status_names_the_bundled_engine_and_lists_the_databases(runtime: Runtime) -> None:
    world = build_world(runtime)  # two cluster databases, still empty
    with runtime.db.session() as session:
        a, b = (memberships.get_cluster(session, i).database_name  # type: ignore[union-attr]
                for i in (world.a, world.b))
    runtime.ch.command(f"INSERT INTO {a}.parts (serial, ts) VALUES ('P-1', now())")
    status = engine_status(runtime)
    assert status.mode == "Bundled engine service (chDB behind the ClickHouse HTTP interface)"
    assert status.dsn_label == runtime.ch.label
    assert status.version and status.version[0].isdigit()
    assert status.volumes
    size, rows = status.databases[a]  # a database is listed once it holds data
    assert size > 0 and rows >= 1  # the part, and what views made of it
    assert b not in status.databases
