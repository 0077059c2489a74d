"""Members, invitations and tokens over the API (api/team.py) beyond
tests/api/test_access_api.py: the exact fields of each answer, the refusal of the role just
below admin (one body), foreign and forged clusters (one body), bodies that are not a JSON
object, unknown roles and ids of another cluster, each refused with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from services.access import tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, build_world, snapshot
from tests.http import json_body

NO_ACCESS = {"error": {"code": "forbidden",
                       "message": "You do not have access to this cluster."}}
NOT_AN_OBJECT = {"error": {"code": "validation_error", "message": "Send a JSON object with "
                           "Content-Type: application/json."}}
BAD_ROLE = {"error": {"code": "validation_error", "fields": {"role": "unknown"},
                      "message": "Choose a role: admin, editor, analyst or viewer."}}
TOKEN_FIELDS = {"id", "name", "prefix", "role", "user_id", "created_at", "expires_at",
                "last_used_at", "revoked_at"}


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _bearer(runtime: Runtime, world: World, who: str, role: str,
            cluster: int | None = None) -> dict[str, str]:
    _row, secret = tokens.create_token(runtime, user_id=world.users[who],
                                       cluster_id=cluster or world.a, name=f"{who} {role}",
                                       role=role, expires_in_days=1, actor=Actor(label=who))
    return {"Authorization": f"Bearer {secret}"}


def _unchanged(runtime: Runtime) -> dict[str, Any]:
    """What a refused request must leave as it was (tokens made by the test itself aside)."""
    state = snapshot(runtime)
    return {k: v for k, v in state.items() if k != "tokens"}


def test_each_answer_has_exactly_its_documented_fields(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    admin = _bearer(runtime, world, "admin", "admin")
    base = f"/api/v1/clusters/{world.a}"
    members = json_body(client.get(f"{base}/members", headers=admin))
    assert set(members) == {"items", "total", "limit", "offset", "next_offset"}
    assert members["total"] == 4
    assert [(m["email"], m["role"], m["active"]) for m in members["items"]] == [
        ("admin@example.com", "admin", True), ("analyst@example.com", "analyst", True),
        ("editor@example.com", "editor", True), ("viewer@example.com", "viewer", True)]
    assert set(members["items"][0]) == {"user_id", "email", "display_name", "role", "since",
                                        "active"}
    added = client.post(f"{base}/members", headers=admin,
                        json={"email": "outsider@example.com", "role": "viewer"})
    assert added.status_code == 201
    assert {k: json_body(added)[k] for k in ("user_id", "email", "role", "active")} == {
        "user_id": world.users["outsider"], "email": "outsider@example.com",
        "role": "viewer", "active": True}
    invited = client.post(f"{base}/invitations", headers=admin,
                          json={"email": "new@example.com", "role": "analyst"})
    assert invited.status_code == 201
    assert set(json_body(invited)) == {"id", "email", "role", "expires_at", "link",
                                       "emailed"}
    listed = json_body(client.get(f"{base}/invitations", headers=admin))["items"]
    assert [set(i) for i in listed] == [{"id", "email", "role", "prefix", "expires_at",
                                         "invited_by"}]
    assert (listed[0]["email"], listed[0]["role"]) == ("new@example.com", "analyst")
    made = client.post(f"{base}/tokens", headers=admin,
                       json={"name": "ci", "role": "viewer", "expires_in_days": None})
    assert made.status_code == 201
    assert set(json_body(made)) == TOKEN_FIELDS | {"secret"}
    assert json_body(made)["expires_at"] is None and json_body(made)["revoked_at"] is None
    token_list = json_body(client.get(f"{base}/tokens", headers=admin))["items"]
    assert all(set(t) == TOKEN_FIELDS for t in token_list)
    assert "ci" in [t["name"] for t in token_list]


def test_an_editor_and_foreign_clusters_are_refused_each_with_one_body(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    editor = _bearer(runtime, world, "editor", "editor")
    base = f"/api/v1/clusters/{world.a}"
    refusal = {"error": {"code": "forbidden", "message": "This needs the admin role on this "
                         "cluster; you are editor."}}
    before = _unchanged(runtime)
    calls = [("POST", f"{base}/members", {"email": "outsider@example.com", "role": "viewer"}),
             ("PATCH", f"{base}/members/{world.users['viewer']}", {"role": "admin"}),
             ("DELETE", f"{base}/members/{world.users['viewer']}", None),
             ("GET", f"{base}/invitations", None),
             ("POST", f"{base}/invitations", {"email": "x@example.com", "role": "admin"}),
             ("DELETE", f"{base}/invitations/1", None),
             ("POST", f"{base}/tokens", {"name": "up", "role": "admin"})]
    for method, url, body in calls:
        response = client.open(url, method=method, json=body, headers=editor)
        assert (response.status_code, json_body(response)) == (403, refusal), (method, url)
    assert _unchanged(runtime) == before
    _foreign_and_forged_clusters_get_one_refusal(client, runtime, world)


def _foreign_and_forged_clusters_get_one_refusal(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    admin = _bearer(runtime, world, "admin", "admin")
    before = _unchanged(runtime)
    for cluster in (world.b, 987_654):
        base = f"/api/v1/clusters/{cluster}"
        for method, url, body in (
                ("GET", f"{base}/members", None),
                ("POST", f"{base}/members", {"email": "outsider@example.com",
                                             "role": "viewer"}),
                ("PATCH", f"{base}/members/{world.users['b_admin']}", {"role": "viewer"}),
                ("DELETE", f"{base}/members/{world.users['b_admin']}", None),
                ("GET", f"{base}/invitations", None),
                ("POST", f"{base}/invitations", {"email": "x@example.com", "role": "admin"}),
                ("GET", f"{base}/tokens", None),
                ("POST", f"{base}/tokens", {"name": "t", "role": "viewer"}),
                ("DELETE", f"{base}/tokens/1", None)):
            response = client.open(url, method=method, json=body, headers=admin)
            assert (response.status_code, json_body(response)) == (403, NO_ACCESS), (
                method, url)
    assert _unchanged(runtime) == before


def test_bad_bodies_and_unknown_roles_change_nothing(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    admin = _bearer(runtime, world, "admin", "admin")
    base = f"/api/v1/clusters/{world.a}"
    before = snapshot(runtime)
    for method, url in (("POST", f"{base}/members"),
                        ("PATCH", f"{base}/members/{world.users['viewer']}"),
                        ("POST", f"{base}/invitations"), ("POST", f"{base}/tokens")):
        for data, content_type in (('{"role": ', "application/json"),
                                   ('["viewer"]', "application/json"),
                                   ("role=admin", "application/x-www-form-urlencoded")):
            response = client.open(url, method=method, data=data, content_type=content_type,
                                   headers=admin)
            assert (response.status_code, json_body(response)) == (400, NOT_AN_OBJECT), (
                method, url, data)
    assert snapshot(runtime) == before
    _unknown_roles_are_refused_with_the_field_named(client, runtime, world, admin)


def _unknown_roles_are_refused_with_the_field_named(
        client: FlaskClient, runtime: Runtime, world: World, admin: dict[str, str]) -> None:
    base = f"/api/v1/clusters/{world.a}"
    before = snapshot(runtime)
    for role in ("owner", "", None, 3, ["admin"], "root"):
        for method, url, body in (
                ("POST", f"{base}/members", {"email": "outsider@example.com", "role": role}),
                ("PATCH", f"{base}/members/{world.users['viewer']}", {"role": role}),
                ("POST", f"{base}/invitations", {"email": "n@example.com", "role": role}),
                ("POST", f"{base}/tokens", {"name": "t", "role": role})):
            response = client.open(url, method=method, json=body, headers=admin)
            assert (response.status_code, json_body(response)) == (400, BAD_ROLE), (
                method, url, role)
    assert snapshot(runtime) == before


def test_ids_of_another_cluster_are_not_found_here(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    b_admin = _bearer(runtime, world, "b_admin", "admin", cluster=world.b)
    b_base = f"/api/v1/clusters/{world.b}"
    invited = json_body(client.post(f"{b_base}/invitations", headers=b_admin,
                                    json={"email": "b@example.com", "role": "viewer"}))
    b_token = json_body(client.get(f"{b_base}/tokens", headers=b_admin))["items"][0]["id"]
    admin = _bearer(runtime, world, "admin", "admin")
    base = f"/api/v1/clusters/{world.a}"
    before = snapshot(runtime)
    for method, url, body in (("DELETE", f"{base}/invitations/{invited['id']}", None),
                              ("DELETE", f"{base}/tokens/{b_token}", None),
                              ("PATCH", f"{base}/members/{world.users['b_admin']}",
                               {"role": "viewer"}),
                              ("DELETE", f"{base}/members/{world.users['b_admin']}", None)):
        response = client.open(url, method=method, json=body, headers=admin)
        assert response.status_code == 404, (method, url, response.get_data(as_text=True))
        assert json_body(response)["error"]["code"] == "not_found"
    assert snapshot(runtime) == before
    for bad in ("0", "x", str(2**31)):
        assert client.delete(f"{base}/members/{bad}", headers=admin).status_code == 404
    assert snapshot(runtime) == before
