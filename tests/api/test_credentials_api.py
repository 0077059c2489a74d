"""The credential over the API: the waiting secret, its confirmation, rotation (admins)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouse
from services.clusters import credentials, rules
from services.clusters.request import ClusterSpec, MemberGrant
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.provisioning.deploy import wait_for_deploy
from tests.access_world import ORIGIN, World, build_world, give_app_credential, sign_in, snapshot

SECRET = "s" * 43


@pytest.fixture
def world(runtime: Runtime) -> World:
    world = build_world(runtime)
    give_app_credential(runtime, world.a, SECRET)
    return world


def _call(client: FlaskClient, method: str, url: str, body: Any = None) -> Any:
    return client.open(url, method=method, json=body, headers=ORIGIN)


@pytest.fixture
def deployed_by_api(server: Flask, world: World, ch: ClickHouse) -> Iterator[tuple[int, str]]:
    """A cluster deployed through ``POST /clusters``: its id and ``secret_url``."""
    spec = rules.apply_preset(
        ClusterSpec(name="Secret api", members=(MemberGrant(world.users["admin"], "admin"),)),
        "development")
    root = sign_in(server.test_client(), "root")
    made = _call(root, "POST", "/api/v1/clusters", rules.spec_to_dict(spec))
    assert made.status_code == 202
    wait_for_deploy(made.json["id"], timeout=120)
    yield made.json["id"], made.json["secret_url"]
    cluster_ops.drop_database(ch, "secret_api")


def _sql(server: Flask, cluster_id: int, secret: str) -> int:
    basic = base64.b64encode(f"secret_api_app:{secret}".encode()).decode()
    return server.test_client().post(f"/api/v1/clusters/{cluster_id}/sql",
                                     json={"sql": "SELECT count() FROM parts"},
                                     headers={"Authorization": f"Basic {basic}"}).status_code


def test_a_deploy_over_the_api_hands_its_secret_over_until_saved(
        server: Flask, deployed_by_api: tuple[int, str]) -> None:
    cluster_id, secret_url = deployed_by_api
    admin = sign_in(server.test_client(), "admin")
    status = _call(admin, "GET", f"/api/v1/clusters/{cluster_id}/status").json["status"]
    assert status == "running"
    first, again = _call(admin, "GET", secret_url).json, _call(admin, "GET", secret_url).json
    assert first["secret"] == again["secret"] and first["username"] == "secret_api_app"
    assert _sql(server, cluster_id, first["secret"]) == 200
    assert _call(admin, "POST", first["acknowledge_url"]).status_code == 200
    assert _call(admin, "GET", secret_url).status_code == 404
    rotated = _call(admin, "POST", f"/api/v1/clusters/{cluster_id}/credential/rotate").json
    assert _sql(server, cluster_id, first["secret"]) == 401
    assert _sql(server, cluster_id, rotated["secret"]) == 200


def test_the_secret_reads_twice_until_acknowledged(server: Flask, world: World) -> None:
    admin = sign_in(server.test_client(), "admin")
    url = f"/api/v1/clusters/{world.a}/credential/pending-secret"
    first, second = _call(admin, "GET", url), _call(admin, "GET", url)
    assert first.status_code == second.status_code == 200
    assert first.json["secret"] == second.json["secret"] == SECRET
    assert first.json["username"] == "acc_app" and first.json["purpose"] == "deploy"
    done = _call(admin, "POST", first.json["acknowledge_url"])
    assert done.status_code == 200 and done.json == {"status": "acknowledged"}
    gone = _call(admin, "GET", url)
    assert gone.status_code == 404
    assert gone.json["error"]["message"] == credentials.NOTHING_PENDING
    assert _call(admin, "POST", first.json["acknowledge_url"]).status_code == 404


@pytest.mark.parametrize("who", ["editor", "viewer", "outsider", "b_admin"])
def test_others_cannot_read_confirm_or_rotate(server: Flask, runtime: Runtime, world: World,
                                              who: str) -> None:
    client = sign_in(server.test_client(), who)
    before = snapshot(runtime), credentials.pending_secret(
        runtime, world.a, actor=Actor(user_id=world.users["root"]))
    base = f"/api/v1/clusters/{world.a}/credential"
    for method, url in (("GET", f"{base}/pending-secret"),
                        ("POST", f"{base}/pending-secret/acknowledge"),
                        ("POST", f"{base}/rotate")):
        response = _call(client, method, url)
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert SECRET not in response.get_data(as_text=True)
    assert (snapshot(runtime), credentials.pending_secret(
        runtime, world.a, actor=Actor(user_id=world.users["root"]))) == before


def test_rotation_returns_the_secret_and_keeps_it_waiting(server: Flask, world: World) -> None:
    admin = sign_in(server.test_client(), "admin")
    rotated = _call(admin, "POST", f"/api/v1/clusters/{world.a}/credential/rotate")
    assert rotated.status_code == 201
    new = rotated.json["secret"]
    assert new != SECRET and len(new) >= 43 and rotated.json["purpose"] == "rotation"
    again = _call(admin, "GET", f"/api/v1/clusters/{world.a}/credential/pending-secret")
    assert again.json["secret"] == new  # a response lost on the way loses nothing
    refused = _call(admin, "POST", f"/api/v1/clusters/{world.b}/credential/rotate")
    assert refused.status_code == 403
