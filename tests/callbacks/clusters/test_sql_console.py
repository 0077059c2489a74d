"""The SQL console's callbacks, posted as the browser would: the member's current role on the
cluster in the page's store decides, and a refused call runs and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data.metadata import memberships, team
from services.core.runtime import Runtime
from services.gateway import console
from tests.access_world import ORIGIN, World, build_world, sign_in, snapshot
from tests.security.matrix import callback_payload, denials, dependencies

INSERT = ("INSERT INTO parts (part_id, serial, ts) VALUES "
          "(777001, 'callback-row', '2026-12-01 08:00:00')")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _database(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        return cluster.database_name


def _rows(runtime: Runtime, cluster_id: int) -> int:
    database = _database(runtime, cluster_id)
    return int(runtime.ch.scalar(f"SELECT count() FROM {database}.parts") or 0)


def _post(server: Flask, client: FlaskClient, first_output: str, *, cluster: int | str,
          values: dict[str, Any] | None = None, trigger: Any = None) -> dict[str, Any]:
    dep = next(d for d in dependencies(server, client)
               if d["output"].lstrip(".").startswith(first_output))
    payload = callback_payload(dep, cluster=str(cluster))
    for item in payload["state"] + [i for i in payload["inputs"] if isinstance(i, dict)]:
        if item["id"] in (values or {}):
            item["value"] = (values or {})[item["id"]]
    if trigger is not None:
        payload["inputs"] = [[{"id": trigger, "property": "n_clicks", "value": 1}]]
        payload["changedPropIds"] = [json.dumps(trigger, sort_keys=True,
                                                separators=(",", ":")) + ".n_clicks"]
    answer = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:500]
    body = answer.json if answer.status_code == 200 else None
    found: dict[str, Any] = body["response"] if body else {}
    return found


def _run(server: Flask, client: FlaskClient, sql: str, *, cluster: int | str
         ) -> dict[str, Any]:
    return _post(server, client, "sql-result-store", cluster=cluster,
                 values={"sql-editor-textarea": sql})


def test_a_viewer_trying_an_insert_is_refused_and_nothing_is_written(
        server: Flask, runtime: Runtime, world: World) -> None:
    viewer = sign_in(server.test_client(), "viewer")
    before = _rows(runtime, world.a)
    response = _run(server, viewer, INSERT, cluster=world.a)
    assert response["sql-result-store"]["data"] is None
    assert "Not run" in json.dumps(response["sql-error-div"])
    assert console.NEEDS_EDITOR.format(role="viewer") in json.dumps(response["sql-error-div"])
    assert _rows(runtime, world.a) == before


def test_an_editor_inserts_and_a_viewer_reads_pages(server: Flask, runtime: Runtime,
                                                    world: World) -> None:
    editor = sign_in(server.test_client(), "editor")
    before = _rows(runtime, world.a)
    response = _run(server, editor, INSERT, cluster=world.a)
    assert response["sql-result-store"]["data"]["kind"] == "insert"
    assert _rows(runtime, world.a) == before + 1
    viewer = sign_in(server.test_client(), "viewer")
    ran = _run(server, viewer, "SELECT serial FROM parts WHERE part_id = 777001",
               cluster=world.a)["sql-result-store"]["data"]
    assert (ran["kind"], ran["total_rows"], ran["columns"]) == ("query", 1, ["serial"])
    shown = _post(server, viewer, "sql-result-div", cluster=world.a,
                  values={"sql-result-store": ran, "sql-page-size-select": "25",
                          "sql-page-store": 0})
    assert "callback-row" in json.dumps(shown["sql-result-div"])
    assert shown["sql-page-label"]["children"] == "Rows 1–1 of 1 · page 1 of 1"


@pytest.mark.parametrize(("who", "target"), [("viewer", "b"), ("outsider", "a"),
                                             ("viewer", "forged")])
def test_a_forged_cluster_id_runs_nothing(server: Flask, runtime: Runtime, world: World,
                                          who: str, target: str) -> None:
    client = sign_in(server.test_client(), who)
    cluster: int | str = {"a": world.a, "b": world.b}.get(target, "1 OR 1=1")
    before, count = snapshot(runtime), denials(runtime)
    response = _run(server, client, "SELECT count() FROM parts", cluster=cluster)
    assert response["sql-result-store"]["data"] is None
    assert "Not run" in json.dumps(response["sql-error-div"])
    assert snapshot(runtime) == before
    assert denials(runtime) >= count + (0 if target == "forged" else 1)
    assert console.history(runtime, world.b, user_id=world.users[who]) == []


def test_a_removed_member_is_refused_at_the_next_click(server: Flask, runtime: Runtime,
                                                       world: World) -> None:
    editor = sign_in(server.test_client(), "editor")
    ran = _run(server, editor, "SELECT 1 AS one", cluster=world.a)["sql-result-store"]["data"]
    assert ran["total_rows"] == 1
    with runtime.db.session() as session:
        team.remove_member(session, cluster_id=world.a, user_id=world.users["editor"])
    before = _rows(runtime, world.a)
    refused = _run(server, editor, INSERT, cluster=world.a)
    assert refused["sql-result-store"]["data"] is None and _rows(runtime, world.a) == before
    paged = _post(server, editor, "sql-result-div", cluster=world.a,
                  values={"sql-result-store": ran, "sql-page-size-select": "25"})
    assert "You do not have access to this cluster." in json.dumps(paged["sql-result-div"])


def test_another_members_result_and_history_are_not_reachable(server: Flask, runtime: Runtime,
                                                               world: World) -> None:
    admin = sign_in(server.test_client(), "admin")
    ran = _run(server, admin, "SELECT 'admin only' AS s", cluster=world.a)
    result = ran["sql-result-store"]["data"]
    entry = console.history(runtime, world.a, user_id=world.users["admin"])[0]
    viewer = sign_in(server.test_client(), "viewer")
    stolen = _post(server, viewer, "sql-result-div", cluster=world.a,
                   values={"sql-result-store": result, "sql-page-size-select": "25"})
    assert console.EXPIRED in json.dumps(stolen["sql-result-div"])
    loaded = _post(server, viewer, "sql-editor-textarea", cluster=world.a,
                   trigger={"type": "sql-history-item", "entry": entry.id})
    assert "not in your history" in json.dumps(loaded)
    assert "admin only" not in json.dumps(loaded)
