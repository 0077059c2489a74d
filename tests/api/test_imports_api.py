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


CSV_HEADER = "serial,process,ts,idx,x,y\n"


def _csv(serial: str, n: int = 10) -> bytes:
    return (CSV_HEADER + "".join(f"{serial},press-fit,2026-11-20T08:00:00Z,{i},{i * 0.1},"
                                 f"{i * 0.5}\n" for i in range(n))).encode()


def _post_body(client: FlaskClient, world: dict[str, object], auth: dict[str, str],
               body: bytes, content_type: str, batch: str) -> object:
    return client.post(f"/api/v1/clusters/{world['a']}/ingest?batch_id={batch}&kind=curves",
                       data=body, headers={**auth, "Content-Type": content_type})


def _nothing_imported(client: FlaskClient, runtime: Runtime, world: dict[str, object],
                      auth: dict[str, str]) -> None:
    db = str(world["db"])
    assert table_count(runtime, db, "curve_samples") == 0
    assert table_count(runtime, db, "curves") == 0
    jobs = json_body(client.get(f"/api/v1/clusters/{world['a']}/imports", headers=auth))
    assert all(j["status"] == "failed" for j in jobs["items"])
    folder = runtime.settings.instance_path / "imports" / str(world["a"])
    assert not folder.exists() or not any(folder.iterdir())


def test_a_csv_body_is_imported_once(client: FlaskClient, runtime: Runtime,
                                     world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    first = _post_body(client, world, auth, _csv("CSV-1"), "text/csv; charset=utf-8", "c-1")
    again = _post_body(client, world, auth, _csv("CSV-1"), "text/csv", "c-1")
    assert (first.status_code, again.status_code) == (201, 200)  # type: ignore[attr-defined]
    job = json_body(first)  # type: ignore[arg-type]
    assert (job["status"], job["file_format"], job["rows"]) == ("done", "csv", 10)
    assert table_count(runtime, str(world["db"]), "curve_samples") == 10


@pytest.mark.parametrize(("body", "message"), [
    ("serial,process,ts,idx,x,y\n".encode("utf-16"),
     "The file is UTF-16 text; save it as CSV UTF-8."),
    (_csv("CSV-2", 3) + b"CSV-2,press-fit,2026-11-20T08:00:00Z,3,0.3\n",
     "Line 5 has 5 columns; the header has 6."),
    (_csv("CSV-3", 3).replace(b",0.5\n", b",half\n"),
     "1 problem found; nothing was imported. Row 2, column y: \u201chalf\u201d is not a "
     "number (use a decimal point, e.g. 1.25)"),
    (b"serial,process,ts,idx,x\nCSV-4,press-fit,2026-11-20T08:00:00Z,0,1\n",
     "Required column \u201cy\u201d missing: add or map it."),
])
def test_a_bad_csv_body_fails_with_its_reason_and_imports_nothing(
        client: FlaskClient, runtime: Runtime, world: dict[str, object], body: bytes,
        message: str) -> None:
    auth = _bearer(runtime, world, "editor")
    answer = _post_body(client, world, auth, body, "text/csv", "bad-csv")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert json_body(answer)["message"] == message  # type: ignore[arg-type]
    _nothing_imported(client, runtime, world, auth)


def test_an_arrow_body_of_the_wrong_schema_fails_and_imports_nothing(
        client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    table = pa.Table.from_pylist([{"serial": "W-1", "process": "press-fit", "when": "x",
                                   "idx": 0, "x": 1.0, "y": 2.0}])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    answer = _post_body(client, world, auth, sink.getvalue().to_pybytes(),
                        "application/vnd.apache.arrow.stream", "wrong-schema")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert json_body(answer)["message"] == (  # type: ignore[arg-type]
        "Required column \u201cts\u201d missing: add or map it.")
    _nothing_imported(client, runtime, world, auth)


def test_an_unknown_body_type_is_refused_and_a_viewer_cannot_send_csv(
        client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    editor = _bearer(runtime, world, "editor")
    answer = _post_body(client, world, editor, _csv("CSV-5"), "application/octet-stream", "u")
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert json_body(answer)["error"]["message"] == (  # type: ignore[arg-type]
        "Send Content-Type application/json, application/vnd.apache.arrow.stream, "
        "application/vnd.apache.parquet or text/csv.")
    viewer = _bearer(runtime, world, "viewer")
    refused = _post_body(client, world, viewer, _csv("CSV-5"), "text/csv", "v")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    _nothing_imported(client, runtime, world, editor)


def test_the_openapi_document_lists_the_body_formats(client: FlaskClient, runtime: Runtime,
                                                     world: dict[str, object]) -> None:
    auth = _bearer(runtime, world, "editor")
    document = json_body(client.get("/api/v1/openapi.json", headers=auth))
    body = document["paths"]["/api/v1/clusters/{cluster_id}/ingest"]["post"]["requestBody"]
    assert sorted(body["content"]) == sorted([
        "application/json", "application/vnd.apache.arrow.stream",
        "application/vnd.apache.arrow.file", "application/vnd.apache.parquet",
        "application/x-parquet", "text/csv"])
    assert body["content"]["text/csv"]["schema"] == {"type": "string", "format": "binary"}
