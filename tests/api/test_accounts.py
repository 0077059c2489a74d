"""The account routes (api/accounts.py) beyond tests/api/test_accounts_api.py: bodies that
are not a JSON object or hold no strings change nothing, anonymous callers are refused, every
role below global admin gets the same refusal of a reset link, and the link's answer shape."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from data.metadata.models import AuditEntry, User
from data.metadata.models_accounts import PasswordReset
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World, build_world, sign_in
from tests.http import json_body

PASSWORD_URL = "/api/v1/account/password"
ONLY_ADMINS = {"error": {"code": "forbidden", "message": "Only administrators can do this."}}
NOT_AN_OBJECT = {"error": {"code": "validation_error", "message": "Send a JSON object with "
                           "Content-Type: application/json."}}


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _hashes(runtime: Runtime) -> dict[int, str | None]:
    with runtime.db.session() as session:
        return {u.id: u.password_hash for u in session.scalars(select(User))}


def _resets(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return len(list(session.scalars(select(PasswordReset))))


def _denied(runtime: Runtime) -> list[str]:
    with runtime.db.session() as session:
        return [e.action for e in session.scalars(select(AuditEntry).where(
            AuditEntry.outcome == "denied").order_by(AuditEntry.id))]


def test_a_password_body_that_is_not_a_json_object_changes_nothing(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "analyst")
    before = _hashes(runtime)
    for data, content_type in (("current_password=x", "application/x-www-form-urlencoded"),
                               ('{"current_password": ', "application/json"),
                               ('["a", "b"]', "application/json")):
        response = client.post(PASSWORD_URL, data=data, content_type=content_type,
                               headers=ORIGIN)
        assert (response.status_code, json_body(response)) == (400, NOT_AN_OBJECT), data
    assert _hashes(runtime) == before


NOT_STRINGS: list[dict[str, Any]] = [
    {}, {"current_password": 123, "new_password": "a fresh password 4"},
    {"current_password": None, "new_password": None},
    {"current_password": ["x"], "new_password": {"a": 1}}]


def test_fields_that_are_not_strings_are_refused_as_wrong(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "analyst")
    before = _hashes(runtime)
    for body in NOT_STRINGS:
        response = client.post(PASSWORD_URL, json=body, headers=ORIGIN)
        assert response.status_code == 400, body
        assert json_body(response)["error"]["code"] == "validation_error"
    assert _hashes(runtime) == before


def test_anonymous_callers_and_other_sites_are_refused(server: Flask, runtime: Runtime,
                                                       world: World) -> None:
    before = _hashes(runtime)
    anonymous = server.test_client().post(PASSWORD_URL, json={"current_password": "x",
                                                              "new_password": "y"})
    assert anonymous.status_code == 401
    client = sign_in(server.test_client(), "analyst")
    foreign = client.post(PASSWORD_URL, json={"current_password": "x", "new_password": "y"},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert json_body(foreign)["error"]["code"] == "cross_origin"
    assert _hashes(runtime) == before


def test_every_role_below_global_admin_gets_the_same_refusal(
        server: Flask, runtime: Runtime, world: World) -> None:
    url = f"/api/v1/users/{world.users['outsider']}/password-reset"
    denied_before = _denied(runtime)
    for key in ("admin", "editor", "analyst", "viewer", "outsider", "b_admin"):
        response = sign_in(server.test_client(), key).post(url, headers=ORIGIN)
        assert (response.status_code, json_body(response)) == (403, ONLY_ADMINS), key
    assert _resets(runtime) == 0
    assert _denied(runtime) == denied_before + ["access.denied", "api.denied"] * 6


def test_a_reset_link_answer_has_exactly_the_documented_fields(
        server: Flask, runtime: Runtime, world: World) -> None:
    root = sign_in(server.test_client(), "root")
    created = root.post(f"/api/v1/users/{world.users['analyst']}/password-reset",
                        headers=ORIGIN)
    assert created.status_code == 201
    body = json_body(created)
    assert set(body) == {"id", "user_id", "email", "expires_at", "emailed", "link"}
    assert (body["user_id"], body["email"], body["emailed"]) == (
        world.users["analyst"], "analyst@example.com", False)
    assert body["expires_at"] > "2000" and body["link"].startswith("http://localhost/reset/")
    assert _resets(runtime) == 1
    for user in ("0", "x", str(2**31)):
        missing = root.post(f"/api/v1/users/{user}/password-reset", headers=ORIGIN)
        assert missing.status_code == 404, user
    assert _resets(runtime) == 1
