"""GET /clusters and /clusters/<id>: what a session and an API token see."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.access import team, tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World, build_world, sign_in


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _token(runtime: Runtime, world: World, user: str, role: str) -> dict[str, str]:
    _row, secret = tokens.create_token(runtime, user_id=world.users[user], cluster_id=world.a,
                                       name=f"{user}-{role}", role=role, expires_in_days=1,
                                       actor=Actor(user_id=world.users[user], label=user))
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(("user", "role"), [("root", "viewer"), ("root", "admin"),
                                            ("viewer", "viewer"), ("admin", "analyst")])
def test_a_token_lists_its_own_cluster_with_its_role(server: Flask, runtime: Runtime,
                                                      world: World, user: str,
                                                      role: str) -> None:
    listed: dict[str, Any] = server.test_client().get(
        "/api/v1/clusters", headers=_token(runtime, world, user, role)).get_json()
    assert listed["total"] == 1
    assert [(c["id"], c["your_role"]) for c in listed["items"]] == [(world.a, role)]


def test_a_token_of_a_member_who_left_lists_nothing_and_is_refused(
        server: Flask, runtime: Runtime, world: World) -> None:
    headers = _token(runtime, world, "editor", "viewer")
    team.remove_member(runtime.db, cluster_id=world.a, user_id=world.users["editor"],
                       actor=Actor(user_id=world.users["root"], label="root"))
    response = server.test_client().get("/api/v1/clusters", headers=headers)
    assert response.status_code == 401


def test_a_session_still_lists_every_cluster_it_is_a_member_of(server: Flask,
                                                                world: World) -> None:
    root: FlaskClient = sign_in(server.test_client(), "root")
    everything: dict[str, Any] = root.get("/api/v1/clusters", headers=ORIGIN).get_json()
    ids = {c["id"] for c in everything["items"]}
    assert {world.a, world.b} <= ids
    b_admin = sign_in(server.test_client(), "b_admin")
    listed: dict[str, Any] = b_admin.get("/api/v1/clusters", headers=ORIGIN).get_json()
    assert [c["id"] for c in listed["items"]] == [world.b] and listed["total"] == 1
