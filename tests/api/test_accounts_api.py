"""The account routes of the API: change one's own password, global admins' reset links."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.access import tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, PASSWORD, World, build_world, sign_in

NEW = "a fresh password 4"


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _post(client: FlaskClient, url: str, body: Any = None,
          headers: dict[str, str] | None = None) -> Any:
    return client.post(url, json=body, headers={**ORIGIN, **(headers or {})})


def test_change_password_by_api(server: Flask, world: World) -> None:
    client = sign_in(server.test_client(), "editor")
    other = sign_in(server.test_client(), "editor")
    url = "/api/v1/account/password"
    bad = _post(client, url, {"current_password": "nope nope nope", "new_password": NEW})
    assert bad.status_code == 400
    assert bad.json["error"] == {"code": "validation_error",
                                 "message": "The current password is incorrect.",
                                 "fields": {"current": "wrong"}}
    assert _post(client, url, {"current_password": PASSWORD}).status_code == 400
    done = _post(client, url, {"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 200
    assert done.json == {"status": "changed", "other_sessions_ended": 1}
    assert other.get("/api/v1/clusters").status_code == 401
    assert client.get("/api/v1/clusters").status_code == 200


def test_api_tokens_cannot_change_a_password(server: Flask, runtime: Runtime,
                                             world: World) -> None:
    _row, secret = tokens.create_token(runtime, user_id=world.users["editor"],
                                       cluster_id=world.a, name="script", role="viewer",
                                       expires_in_days=None, actor=Actor(label="t"))
    response = server.test_client().post(
        "/api/v1/account/password", json={"current_password": PASSWORD, "new_password": NEW},
        headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code in (401, 403)
    sign_in(server.test_client(), "editor")  # unchanged


def test_only_global_admins_issue_reset_links(server: Flask, world: World) -> None:
    """Cluster admins may not: the account may belong to other clusters or be an admin's."""
    url = f"/api/v1/users/{world.users['viewer']}/password-reset"
    cluster_admin = sign_in(server.test_client(), "admin")
    refused = _post(cluster_admin, url)
    assert refused.status_code == 403
    assert refused.json["error"]["message"] == "Only administrators can do this."
    root = sign_in(server.test_client(), "root")
    created = _post(root, url)
    assert created.status_code == 201
    assert created.json["email"] == "viewer@example.com" and not created.json["emailed"]
    link = created.json["link"]
    assert link.startswith("http://localhost/reset/rst_")
    assert server.test_client().get(link.removeprefix("http://localhost")).status_code == 200
    missing = _post(root, "/api/v1/users/999999/password-reset")
    assert missing.status_code == 404
