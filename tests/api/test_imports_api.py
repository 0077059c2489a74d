"""Ingest and projects over the API: token roles, JSON and Arrow bodies, idempotency, ids."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from flask.testing import FlaskClient

from data.metadata import memberships
from services.access import tokens
from services.access.accounts import create_user
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.http import json_body
from tests.services.import_helpers import make_cluster, table_count

ROWS = [{"serial": "API-1", "process": "press-fit", "ts": "2026-11-20T08:00:00Z", "idx": i,
         "x": i * 0.1, "y": i * 0.5} for i in range(10)]


@pytest.fixture
def world(runtime: Runtime, ch_database: str) -> dict[str, object]:
    ed = create_user(runtime.db, runtime.passwords, email="ed@example.com",
                     password="long enough password")
    a = make_cluster(runtime, ch_database)
    b = make_cluster(runtime, f"{ch_database}_b", name="Other", schema=False)
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=a, user_id=ed.id, role="editor",
                               granted_by=None)
    return {"ed": ed.id, "a": a, "b": b, "db": ch_database}


def _bearer(runtime: Runtime, w: dict[str, object], role: str) -> dict[str, str]:
    _row, secret = tokens.create_token(runtime, user_id=int(w["ed"]),  # type: ignore[call-overload]
                                       cluster_id=int(w["a"]), name="t",  # type: ignore[call-overload]
                                       role=role, expires_in_days=1,
                                       actor=Actor(label="ed"))
    return {"Authorization": f"Bearer {secret}"}


def test_json_ingest_is_idempotent(client: FlaskClient, runtime: Runtime,
                                   world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    url = f"/api/v1/clusters/{world['a']}/ingest"
    body = {"batch_id": "line9-0001", "kind": "curves", "rows": ROWS}
    first = client.post(url, json=body, headers=auth)
    again = client.post(url, json=body, headers=auth)
    assert (first.status_code, again.status_code) == (201, 200), first.json
    assert json_body(first)["status"] == "done" and json_body(again)["id"] == json_body(first)["id"]
    assert table_count(runtime, str(world["db"]), "curve_samples") == 10


def test_parquet_ingest_and_row_errors(client: FlaskClient, runtime: Runtime,
                                       world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    sink = pa.BufferOutputStream()
    rows = [dict(r, serial="API-2") for r in ROWS]
    rows[3]["y"] = float("nan")
    pq.write_table(pa.Table.from_pylist(rows), sink)
    answer = client.post(f"/api/v1/clusters/{world['a']}/ingest?batch_id=p-1&kind=curves",
                         data=sink.getvalue().to_pybytes(),
                         headers={**auth, "Content-Type": "application/vnd.apache.parquet"})
    assert answer.status_code == 422
    assert json_body(answer)["errors"] == [{"row": 4, "column": "y",
                                      "message": "\u201cnan\u201d is not a finite number"}]
    assert table_count(runtime, str(world["db"]), "curve_samples") == 0


def test_viewer_token_and_other_cluster_are_refused(client: FlaskClient, runtime: Runtime,
                                                    world: dict[str, object]) -> None:
    viewer = _bearer(runtime, world, "viewer")
    body = {"batch_id": "x", "kind": "curves", "rows": ROWS}
    refused = client.post(f"/api/v1/clusters/{world['a']}/ingest", json=body, headers=viewer)
    assert refused.status_code == 403
    editor = _bearer(runtime, world, "editor")
    other = client.post(f"/api/v1/clusters/{world['b']}/ingest", json=body, headers=editor)
    assert other.status_code == 403
    assert table_count(runtime, str(world["db"]), "curve_samples") == 0


def test_projects_over_the_api(client: FlaskClient, runtime: Runtime,
                               world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    base = f"/api/v1/clusters/{world['a']}/projects"
    made = client.post(base, json={"name": "API project", "project_type": "quality_control"},
                       headers=auth)
    assert made.status_code == 201
    pid = json_body(made)["id"]
    detail = json_body(client.get(f"{base}/{pid}", headers=auth))
    assert sorted(a["asset_type"] for a in detail["assets"]) == ["alert", "dashboard", "report"]
    paused = client.patch(f"{base}/{pid}", json={"action": "pause"}, headers=auth)
    assert json_body(paused)["status"] == "paused"
    foreign = client.get(f"/api/v1/clusters/{world['a']}/projects/{pid + 1000}", headers=auth)
    assert foreign.status_code == 404
    assert json_body(foreign)["error"]["message"] == "This project does not exist in this cluster."


def test_a_batch_over_the_limit_is_refused_before_it_is_read(
        client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    answer = client.post(f"/api/v1/clusters/{world['a']}/ingest?batch_id=big&kind=curves",
                         data=b"x" * 60_000_001,
                         headers={**auth, "Content-Type": "application/vnd.apache.parquet"})
    assert answer.status_code == 400
    assert json_body(answer)["error"]["message"] == (
        "A batch is at most 60 MB; split the data into several batches.")
    assert table_count(runtime, str(world["db"]), "curve_samples") == 0
