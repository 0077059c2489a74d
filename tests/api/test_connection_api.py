"""``GET /api/v1/clusters/<id>/connection``: members read it, the secret only for admins."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from data.metadata import team
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World, build_world, give_app_credential, sign_in

SECRET = "c" * 43


@pytest.fixture
def world(runtime: Runtime) -> World:
    world = build_world(runtime)
    give_app_credential(runtime, world.a, SECRET)
    return world


def _get(server: Flask, who: str, cluster_id: int) -> Any:
    client = sign_in(server.test_client(), who)
    return client.get(f"/api/v1/clusters/{cluster_id}/connection", headers=ORIGIN)


@pytest.mark.parametrize("role", ["viewer", "analyst", "editor"])
def test_members_read_the_connection_without_the_secret(server: Flask, world: World,
                                                        runtime: Runtime, role: str) -> None:
    answer = _get(server, role, world.a)
    assert answer.status_code == 200
    body = answer.json
    database = body["database"]
    port = runtime.settings.engine_port  # the test session's engine service
    assert body["url"] == runtime.settings.engine_public_url == f"http://127.0.0.1:{port}"
    assert (body["host"], body["port"], body["scheme"]) == ("127.0.0.1", port, "http")
    assert body["username"] == "acc_app" and body["secret"] is None and body["available"]
    assert [s["key"] for s in body["snippets"]] == ["clickhouse-connect", "pandas", "curl",
                                                   "node"]
    for snippet in body["snippets"]:
        assert database in snippet["code"] and "acc_app" in snippet["code"]
        assert "CLICKHOUSE_PASSWORD" in snippet["code"] and SECRET not in snippet["code"]


def test_an_admin_gets_the_waiting_secret_until_it_is_saved(server: Flask, world: World,
                                                            runtime: Runtime) -> None:
    assert _get(server, "admin", world.a).json["secret"] == SECRET
    assert _get(server, "admin", world.a).json["secret"] == SECRET  # reading keeps it
    client = sign_in(server.test_client(), "admin")
    acknowledged = client.post(f"/api/v1/clusters/{world.a}/credential/pending-secret/"
                               "acknowledge", headers=ORIGIN)
    assert acknowledged.status_code == 200
    assert _get(server, "admin", world.a).json["secret"] is None


@pytest.mark.parametrize(("who", "cluster"), [("outsider", "a"), ("b_admin", "a"),
                                              ("viewer", "b"), ("viewer", "missing")])
def test_others_get_the_same_refusal(server: Flask, world: World, who: str,
                                     cluster: str) -> None:
    cluster_id = {"a": world.a, "b": world.b, "missing": 987_654}[cluster]
    answer = _get(server, who, cluster_id)
    assert answer.status_code in (403, 404)
    assert "secret" not in answer.get_data(as_text=True).lower().replace("secret_", "")
    assert SECRET not in answer.get_data(as_text=True)


def test_a_removed_member_is_refused_at_once(server: Flask, world: World,
                                             runtime: Runtime) -> None:
    client = sign_in(server.test_client(), "editor")
    url = f"/api/v1/clusters/{world.a}/connection"
    assert client.get(url, headers=ORIGIN).status_code == 200
    with runtime.db.session() as session:
        team.remove_member(session, cluster_id=world.a, user_id=world.users["editor"])
    assert client.get(url, headers=ORIGIN).status_code == 403


def test_the_route_is_in_the_openapi_document(server: Flask, world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    document = client.get("/api/v1/openapi.json", headers=ORIGIN).json
    assert document is not None
    operation = document["paths"]["/api/v1/clusters/{cluster_id}/connection"]["get"]
    assert "viewer" in operation["description"]
