"""The team page's callbacks: everyone on the cluster reads the team, only its admins change
it; a refused or malformed request changes nothing and says why."""

from __future__ import annotations

import pytest
from dash import no_update
from flask import Flask

from callbacks.access import team
from data.metadata import memberships
from services.core.runtime import Runtime
from tests.access_world import World, build_world, snapshot
from tests.callbacks.signed_in import guarded_body, signed_in, text

refresh = guarded_body(team.refresh)
add = guarded_body(team.add)
invite = guarded_body(team.invite)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _role(runtime: Runtime, cluster_id: int, user_id: int) -> str | None:
    with runtime.db.session() as session:
        return memberships.role_on_cluster(session, user_id=user_id, cluster_id=cluster_id)


def test_an_admin_gets_the_members_and_the_editing_forms(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "admin"):
        header, members, manage, invitations, error = refresh(1, str(world.a))
    assert error is None
    drawn = text(members)
    for key in ("admin", "editor", "analyst", "viewer"):
        assert f"{key}@example.com" in drawn
    assert "outsider@example.com" not in drawn and "b_admin@example.com" not in drawn
    assert "Team · " in text(header)
    assert manage is not None and invitations is not None


def test_a_viewer_reads_the_team_without_the_forms(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "admin"):
        _h, _m, admin_manage, _i, _e = refresh(1, str(world.a))
    with signed_in(server, runtime, world, "viewer"):
        _header, members, manage, invitations, error = refresh(1, str(world.a))
    assert error is None
    assert "viewer@example.com" in text(members)
    assert "Only the cluster's admins can add, change or remove members." in text(manage)
    assert "Open invitations are listed for the cluster's admins." in text(invitations)
    assert text(admin_manage) != text(manage)


@pytest.mark.parametrize("key", ["outsider", "b_admin"])
def test_someone_outside_the_cluster_sees_nothing_of_the_team(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        *shown, error = refresh(1, str(world.a))
    assert shown == [None, None, None, None]
    assert "You do not have access to this cluster." in text(error)


@pytest.mark.parametrize("key", ["editor", "analyst", "viewer", "outsider", "b_admin"])
def test_adding_a_member_below_admin_is_refused_and_changes_nothing(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, key):
        version, alert = add(1, "outsider@example.com", "admin", str(world.a), 4)
    assert version is no_update
    assert "Not added" in text(alert)
    assert snapshot(runtime) == before
    assert _role(runtime, world.a, world.users["outsider"]) is None


def test_an_admin_adds_an_existing_account_with_a_role(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "admin"):
        version, alert = add(1, "outsider@example.com", "editor", str(world.a), 4)
    assert version == 5
    assert "outsider@example.com is now editor." in text(alert)
    assert _role(runtime, world.a, world.users["outsider"]) == "editor"


@pytest.mark.parametrize(("email", "role"), [
    ("nobody@example.com", "viewer"), ("' OR 1=1 --", "viewer"), (None, "viewer"),
    (["outsider@example.com"], "viewer"), ("outsider@example.com", "owner"),
    ("outsider@example.com", None), ("outsider@example.com", {"role": "admin"}),
    ("viewer@example.com", "admin")])
def test_a_malformed_addition_says_why_and_changes_nothing(
        server: Flask, runtime: Runtime, world: World, email: object, role: object) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, "admin"):
        version, alert = add(1, email, role, str(world.a), 4)
    assert version is no_update
    assert "Not added" in text(alert)
    assert snapshot(runtime) == before


def test_inviting_as_an_editor_is_refused_and_creates_no_invitation(
        server: Flask, runtime: Runtime, world: World) -> None:
    before = snapshot(runtime)
    with signed_in(server, runtime, world, "editor"):
        version, result = invite(1, "new@example.com", "viewer", str(world.a), 0)
    assert version is no_update
    assert "Not invited" in text(result)
    assert snapshot(runtime) == before
