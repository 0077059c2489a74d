"""The credential over the API: the waiting secret, its confirmation, rotation (admins)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data import memberships
from services import credentials
from services.audit import Actor
from services.runtime import Runtime
from tests.access_world import ORIGIN, World, build_world, sign_in, snapshot

SECRET = "s" * 43


@pytest.fixture
def world(runtime: Runtime) -> World:
    world = build_world(runtime)
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, world.a)
        assert cluster is not None
        cluster.credential_user, cluster.credential_mode = "acc_app", "app_gateway"
        cluster.credential_hash = runtime.keys.hash_credential(SECRET)
        credentials.hold_secret(runtime, session, cluster_id=world.a, secret=SECRET,
                                purpose="deploy")
    return world


def _call(client: FlaskClient, method: str, url: str) -> Any:
    return client.open(url, method=method, headers=ORIGIN)


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
