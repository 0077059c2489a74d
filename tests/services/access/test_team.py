"""Team membership rules: add, change role, remove, and the last-admin rule."""

from __future__ import annotations

import pytest

from lyceum.errors import Forbidden, NotFound, ValidationError
from services.access import team
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, build_world, snapshot

ACTOR = Actor(user_id=None, label="test")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def test_members_are_listed_with_roles(runtime: Runtime, world: World) -> None:
    members = team.list_members(runtime.db, cluster_id=world.a)
    assert {(m.email, m.role) for m in members} == {
        ("admin@example.com", "admin"), ("editor@example.com", "editor"),
        ("analyst@example.com", "analyst"), ("viewer@example.com", "viewer")}
    with pytest.raises(NotFound):
        team.list_members(runtime.db, cluster_id=9999)


def test_add_change_remove(runtime: Runtime, world: World) -> None:
    member = team.add_member(runtime.db, cluster_id=world.a, email="Outsider@Example.com",
                             role="analyst", actor=ACTOR)
    assert (member.email, member.role) == ("outsider@example.com", "analyst")
    with pytest.raises(ValidationError, match="already a member"):
        team.add_member(runtime.db, cluster_id=world.a, email="outsider@example.com",
                        role="viewer", actor=ACTOR)
    with pytest.raises(ValidationError, match="No active account"):
        team.add_member(runtime.db, cluster_id=world.a, email="ghost@example.com",
                        role="viewer", actor=ACTOR)
    team.change_role(runtime.db, cluster_id=world.a, user_id=member.user_id, role="editor",
                     actor=ACTOR)
    team.remove_member(runtime.db, cluster_id=world.a, user_id=member.user_id, actor=ACTOR)
    assert "outsider@example.com" not in {m.email for m in
                                          team.list_members(runtime.db, cluster_id=world.a)}


@pytest.mark.parametrize("role", ["root", "superuser", "", None, 3])
def test_unknown_roles_are_refused(runtime: Runtime, world: World, role: object) -> None:
    before = snapshot(runtime)
    with pytest.raises(ValidationError, match="Choose a role"):
        team.change_role(runtime.db, cluster_id=world.a, user_id=world.users["viewer"],
                         role=role, actor=ACTOR)  # type: ignore[arg-type]
    assert snapshot(runtime) == before


def test_last_admin_cannot_be_demoted_or_removed(runtime: Runtime, world: World) -> None:
    admin = world.users["admin"]
    before = snapshot(runtime)
    with pytest.raises(Forbidden, match="at least one admin"):
        team.change_role(runtime.db, cluster_id=world.a, user_id=admin, role="viewer",
                         actor=ACTOR)
    with pytest.raises(Forbidden, match="at least one admin"):
        team.remove_member(runtime.db, cluster_id=world.a, user_id=admin, actor=ACTOR)
    assert snapshot(runtime) == before
    # With a second admin, the first may go.
    team.change_role(runtime.db, cluster_id=world.a, user_id=world.users["editor"],
                     role="admin", actor=ACTOR)
    team.remove_member(runtime.db, cluster_id=world.a, user_id=admin, actor=ACTOR)
    with pytest.raises(Forbidden):
        team.remove_member(runtime.db, cluster_id=world.a, user_id=world.users["editor"],
                           actor=ACTOR)
