"""The cluster list: members see their clusters with their role, global admins see all as
admins, a token sees its one cluster with its role, outsiders see nothing; the filters
narrow the list and running clusters carry their size and health."""

from __future__ import annotations

import pytest

from data.metadata import memberships
from services.clusters.listing import cluster_rows, visible_clusters
from services.core.runtime import Runtime
from tests.access_world import World, build_world


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _ids(runtime: Runtime, world: World, key: str, **kwargs: object) -> dict[int, str]:
    user = world.users[key]
    clusters, roles = visible_clusters(runtime, user_id=user, is_admin=key == "root",
                                       **kwargs)  # type: ignore[arg-type]
    return {c.id: roles[c.id] for c in clusters}


def test_each_user_sees_the_clusters_they_may_see_with_their_role(runtime: Runtime,
                                                                  world: World) -> None:
    assert _ids(runtime, world, "viewer") == {world.a: "viewer"}
    assert _ids(runtime, world, "editor") == {world.a: "editor"}
    assert _ids(runtime, world, "b_admin") == {world.b: "admin"}
    assert _ids(runtime, world, "outsider") == {}
    everything = _ids(runtime, world, "root")
    assert {world.a, world.b} <= set(everything) and set(everything.values()) == {"admin"}


def test_a_token_sees_its_one_cluster_with_its_role(runtime: Runtime, world: World) -> None:
    assert _ids(runtime, world, "admin", scope=(world.a, "viewer")) == {world.a: "viewer"}
    assert _ids(runtime, world, "root", scope=(world.b, "analyst")) == {world.b: "analyst"}


def test_rows_follow_the_filters(runtime: Runtime, world: World) -> None:
    with runtime.db.session() as session:
        b = memberships.get_cluster(session, world.b)
        assert b is not None
        b.status, b.cluster_type = "stopped", "development"
        a_name = memberships.get_cluster(session, world.a).name  # type: ignore[union-attr]
    root = world.users["root"]

    def names(**filters: str) -> set[int]:
        return {r.id for r in cluster_rows(runtime, user_id=root, is_admin=True, **filters)}

    assert {world.a, world.b} <= names()
    assert names(search=a_name.upper()) == {world.a}  # case does not matter
    assert names(search=f"  {a_name} ") == {world.a}
    assert world.b in names(status="stopped") and world.a not in names(status="stopped")
    assert world.b in names(kind="development") and world.a not in names(kind="development")
    assert names(search="no such cluster") == set()


def test_running_clusters_carry_size_and_health_stopped_ones_a_dash(runtime: Runtime,
                                                                    world: World) -> None:
    with runtime.db.session() as session:
        b = memberships.get_cluster(session, world.b)
        assert b is not None
        b.status = "stopped"
    rows = {r.id: r for r in cluster_rows(runtime, user_id=world.users["editor"],
                                          is_admin=False)}
    assert set(rows) == {world.a}
    a = rows[world.a]
    assert (a.role, a.status) == ("editor", "running")
    assert a.health_status in ("ok", "warn", "bad", "unknown")
    assert a.bytes_on_disk >= 0 and a.rows >= 0
    stopped = {r.id: r for r in cluster_rows(runtime, user_id=world.users["b_admin"],
                                             is_admin=False)}[world.b]
    assert (stopped.health_score, stopped.health_status) == (None, "—")
