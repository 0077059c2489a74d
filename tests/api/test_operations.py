"""A cluster's long operations over the API: started with their id (202 with
``Prefer: respond-async``), their progress readable by any member, bad input refused before
anything is recorded, other clusters' operations not found."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data.metadata.models import DatabaseCluster
from services.clusters import operations
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World, build_world, sign_in
from tests.waiting import wait_until

ASYNC = {**ORIGIN, "Prefer": "respond-async"}
LIMITS = {"max_threads": 2, "max_memory_gb": 4, "max_execution_time_s": 60}


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _json(response: Any) -> dict[str, Any]:
    found: dict[str, Any] = response.get_json()
    return found


def _progress(client: FlaskClient, url: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(url, headers=ORIGIN).get_json()
    return found


def test_a_limit_change_answers_202_with_its_operation_and_progress(
        server: Flask, world: World, runtime: Runtime) -> None:
    admin = sign_in(server.test_client(), "admin")
    started = admin.put(f"/api/v1/clusters/{world.a}/limits", json=LIMITS, headers=ASYNC)
    assert started.status_code in (200, 202), started.json
    body = _json(started)
    url = f"/api/v1/clusters/{world.a}/operations/{body['operation_id']}"
    assert body["operation_url"] == url
    viewer = sign_in(server.test_client(), "viewer")
    wait_until(lambda: _progress(viewer, url)["state"] != "running", within=30,
               message="the limit change did not end")
    ended = _progress(viewer, url)
    assert (ended["kind"], ended["state"], ended["percent"], ended["label"]) == (
        "limits", "done", 100, "Limit change")
    assert ended["message"].startswith("Query limits stored: 2 threads, 4 GB, 60 s")
    assert _progress(viewer, f"/api/v1/clusters/{world.a}/operations/latest")["id"] == \
        body["operation_id"]


def test_waiting_answers_once_the_operation_ended(server: Flask, world: World) -> None:
    admin = sign_in(server.test_client(), "admin")
    done = admin.put(f"/api/v1/clusters/{world.a}/limits", json=LIMITS, headers=ORIGIN)
    assert done.status_code == 200 and _json(done)["status"] == "changed"
    assert _progress(admin, _json(done)["operation_url"])["state"] == "done"


@pytest.mark.parametrize(("body", "field"), [
    ({**LIMITS, "max_threads": "all"}, "max_threads"),
    ({**LIMITS, "max_memory_gb": 0}, "max_memory_gb"),
    ({**LIMITS, "max_execution_time_s": None}, "max_execution_time_s"),
])
def test_bad_limits_are_refused_before_an_operation_is_recorded(
        server: Flask, world: World, runtime: Runtime, body: dict[str, Any],
        field: str) -> None:
    admin = sign_in(server.test_client(), "admin")
    refused = admin.put(f"/api/v1/clusters/{world.a}/limits", json=body, headers=ASYNC)
    assert refused.status_code == 400 and field in _json(refused)["error"]["fields"]
    assert operations.latest(runtime, world.a) is None
    none = admin.get(f"/api/v1/clusters/{world.a}/operations/latest", headers=ORIGIN)
    assert none.status_code == 404


def test_a_wrong_name_decommissions_nothing(server: Flask, world: World,
                                            runtime: Runtime) -> None:
    admin = sign_in(server.test_client(), "admin")
    wrong = admin.post(f"/api/v1/clusters/{world.a}/decommission",
                       json={"confirm_name": "nope"}, headers=ASYNC)
    assert wrong.status_code == 400
    assert operations.latest(runtime, world.a) is None
    status = _json(admin.get(f"/api/v1/clusters/{world.a}/status", headers=ORIGIN))["status"]
    assert status == "running"


def test_only_admins_start_and_only_members_read_operations(server: Flask,
                                                            world: World) -> None:
    editor = sign_in(server.test_client(), "editor")
    assert editor.put(f"/api/v1/clusters/{world.a}/limits", json=LIMITS,
                      headers=ASYNC).status_code == 403
    admin = sign_in(server.test_client(), "admin")
    url = _json(admin.put(f"/api/v1/clusters/{world.a}/limits", json=LIMITS,
                          headers=ORIGIN))["operation_url"]
    other = sign_in(server.test_client(), "b_admin")
    assert other.get(url, headers=ORIGIN).status_code == 403
    elsewhere = url.replace(f"/clusters/{world.a}/", f"/clusters/{world.b}/")
    assert other.get(elsewhere, headers=ORIGIN).status_code == 404


def _decommission(admin: FlaskClient, world: World, runtime: Runtime) -> str:
    with runtime.db.session() as session:
        cluster = session.get(DatabaseCluster, world.a)
        assert cluster is not None
        name = cluster.name
    gone = admin.post(f"/api/v1/clusters/{world.a}/decommission", json={"confirm_name": name},
                      headers=ORIGIN)
    assert gone.status_code == 200 and _json(gone)["status"] == "decommissioned"
    return name


def test_admins_hide_and_purge_a_decommissioned_cluster(server: Flask, world: World,
                                                        runtime: Runtime) -> None:
    admin = sign_in(server.test_client(), "admin")
    name = _decommission(admin, world, runtime)
    editor = sign_in(server.test_client(), "editor")
    assert editor.post(f"/api/v1/clusters/{world.a}/hide", json={"hidden": True},
                       headers=ORIGIN).status_code == 403
    bad = admin.post(f"/api/v1/clusters/{world.a}/hide", json={"hidden": "yes"},
                     headers=ORIGIN)
    assert bad.status_code == 400 and "hidden" in _json(bad)["error"]["fields"]
    hidden = admin.post(f"/api/v1/clusters/{world.a}/hide", json={"hidden": True},
                        headers=ORIGIN)
    assert _json(hidden) == {"id": world.a, "hidden": True}
    wrong = admin.post(f"/api/v1/clusters/{world.a}/purge", json={"confirm_name": "nope"},
                       headers=ASYNC)
    assert wrong.status_code == 400
    assert editor.post(f"/api/v1/clusters/{world.a}/purge", json={"confirm_name": name},
                       headers=ASYNC).status_code == 403
    started = admin.post(f"/api/v1/clusters/{world.a}/purge", json={"confirm_name": name},
                         headers=ASYNC)
    assert started.status_code in (200, 202)
    url = _json(started)["operation_url"]
    wait_until(lambda: _progress(admin, url)["state"] != "running", within=60,
               message="the purge did not end")
    assert _progress(admin, url)["state"] == "done"
    status = _json(admin.get(f"/api/v1/clusters/{world.a}/status", headers=ORIGIN))
    assert status["status"] == "purged"
    root = sign_in(server.test_client(), "root")
    audit = _json(root.get(f"/api/v1/audit?cluster_id={world.a}&limit=500", headers=ORIGIN))
    assert {"cluster.decommission", "cluster.hide", "cluster.purge"} <= {
        item["action"] for item in audit["items"]}


def test_a_running_cluster_is_not_hidden(server: Flask, world: World) -> None:
    admin = sign_in(server.test_client(), "admin")
    refused = admin.post(f"/api/v1/clusters/{world.a}/hide", json={"hidden": True},
                         headers=ORIGIN)
    assert refused.status_code == 409
