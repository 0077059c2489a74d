"""The import routes (api/imports.py) beyond tests/api/test_imports_api.py and
tests/api/test_ingest_limits.py: the job list and one job (exact fields), the CSV templates,
the analyst's refusal of ingest (one body), foreign and forged clusters and jobs, and JSON
bodies that are not an import batch, each refused with nothing imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import fields

import pytest
from flask.testing import FlaskClient

from data.metadata import memberships
from services.access import tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.imports.file_format import columns_for
from services.imports.import_job import JobView
from tests.access_world import ed_bearer, editor_of_a
from tests.http import json_body

NO_ACCESS = {"error": {"code": "forbidden",
                       "message": "You do not have access to this cluster."}}
JOB_FIELDS = {f.name for f in fields(JobView)}
ROWS = [{"serial": "IMP-1", "process": "press-fit", "ts": "2026-11-20T08:00:00Z", "idx": i,
         "x": i * 0.1, "y": i * 0.5} for i in range(5)]


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A and B (empty, with the schema); Ed edits A."""
    with editor_of_a(runtime, ("imp_route_a", "imp_route_b")) as world:
        yield world


def _samples(runtime: Runtime, database: str) -> int:
    return int(runtime.ch.scalar(f"SELECT count() FROM {database}.curve_samples"))


def test_jobs_are_listed_and_read_with_their_documented_fields(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor, viewer = ed_bearer(runtime, world, "editor"), ed_bearer(runtime, world, "viewer")
    base = f"/api/v1/clusters/{world['a']}"
    assert json_body(client.get(f"{base}/imports", headers=viewer)) == {"items": []}
    sent = client.post(f"{base}/ingest", headers=editor,
                       json={"batch_id": "imp-1", "kind": "curves", "rows": ROWS})
    assert sent.status_code == 201
    job = json_body(sent)
    assert set(job) == JOB_FIELDS
    assert {k: job[k] for k in ("cluster_id", "kind", "status", "rows", "errors",
                                "batch_id")} == {
        "cluster_id": world["a"], "kind": "curves", "status": "done", "rows": 5,
        "errors": [], "batch_id": "imp-1"}
    assert json_body(client.get(f"{base}/imports", headers=viewer)) == {"items": [job]}
    assert json_body(client.get(f"{base}/imports/{job['id']}", headers=viewer)) == job
    assert _samples(runtime, "imp_route_a") == 5


def test_the_templates_are_csv_headers_of_the_documented_columns(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    viewer = ed_bearer(runtime, world, "viewer")
    base = f"/api/v1/clusters/{world['a']}/imports/template"
    for kind in ("curves", "parts"):
        answer = client.get(f"{base}/{kind}.csv", headers=viewer)
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        assert answer.headers["Content-Disposition"] == (
            f"attachment; filename=lyceum-{kind}-template.csv")
        lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
        assert lines[0] == [c.name for c in columns_for(kind)]
    for kind in ("samples", "CURVES", "curves.csv%00"):
        answer = client.get(f"{base}/{kind}.csv", headers=viewer)
        assert (answer.status_code, json_body(answer)) == (400, {"error": {
            "code": "validation_error", "message": "The kind of data is parts or curves."}}), kind


def test_an_analyst_and_foreign_clusters_are_refused_with_one_body_each(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    analyst, editor = ed_bearer(runtime, world, "analyst"), ed_bearer(runtime, world, "editor")
    body = {"batch_id": "imp-x", "kind": "curves", "rows": ROWS}
    refused = client.post(f"/api/v1/clusters/{world['a']}/ingest", json=body, headers=analyst)
    assert (refused.status_code, json_body(refused)) == (403, {"error": {
        "code": "forbidden",
        "message": "This needs the editor role on this cluster; you are analyst."}})
    for cluster in (world["b"], 987_654):
        base = f"/api/v1/clusters/{cluster}"
        for method, url in (("POST", f"{base}/ingest"), ("GET", f"{base}/imports"),
                            ("GET", f"{base}/imports/1"),
                            ("GET", f"{base}/imports/template/curves.csv")):
            answer = client.open(url, method=method, json=body, headers=editor)
            assert (answer.status_code, json_body(answer)) == (403, NO_ACCESS), url
    assert _samples(runtime, "imp_route_a") == _samples(runtime, "imp_route_b") == 0


def test_a_job_of_another_cluster_is_not_found_here(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    job = json_body(client.post(f"/api/v1/clusters/{world['a']}/ingest", headers=editor,
                                json={"batch_id": "imp-2", "kind": "curves", "rows": ROWS}))
    with runtime.db.session() as session:  # Ed may read B too, where the job is not
        memberships.set_member(session, cluster_id=world["b"], user_id=world["ed"],
                               role="viewer", granted_by=None)
    _row, secret = tokens.create_token(runtime, user_id=world["ed"], cluster_id=world["b"],
                                       name="b", role="viewer", expires_in_days=1,
                                       actor=Actor(label="ed"))
    answer = client.get(f"/api/v1/clusters/{world['b']}/imports/{job['id']}",
                        headers={"Authorization": f"Bearer {secret}"})
    assert (answer.status_code, json_body(answer)) == (404, {"error": {
        "code": "not_found", "message": "This import does not exist."}})
    for bad in ("0", "x", str(2**31)):
        assert client.get(f"/api/v1/clusters/{world['a']}/imports/{bad}",
                          headers=editor).status_code == 404


NOT_A_BATCH = "The JSON body is not an object with batch_id, kind and rows."
NO_ROWS = "\u201crows\u201d is a non-empty list of objects."
BAD_JSON: list[tuple[str, str, str]] = [
    ('["imp-3", "curves"]', "import_file_error", NOT_A_BATCH),
    ('"rows"', "import_file_error", NOT_A_BATCH),
    ("null", "import_file_error", NOT_A_BATCH),
    ('{"batch_id": "imp-3", ', "import_file_error", NOT_A_BATCH),
    ('{"batch_id": "imp-3", "kind": "curves"}', "validation_error", NO_ROWS),
    ('{"batch_id": "imp-3", "kind": "curves", "rows": {"a": 1}}', "validation_error", NO_ROWS),
    ('{"batch_id": "imp-3", "kind": "curves", "rows": []}', "validation_error", NO_ROWS),
    ('{"batch_id": "imp-3", "kind": "samples", "rows": [{"a": 1}]}', "validation_error",
     "The kind of data is parts or curves."),
    ('{"kind": "curves", "rows": [{"a": 1}]}', "validation_error",
     "batch_id is 1\u2013120 letters, digits, '.', '_', ':' or '-'."),
    ('{"batch_id": "../../x", "kind": "curves", "rows": [{"a": 1}]}', "validation_error",
     "batch_id is 1\u2013120 letters, digits, '.', '_', ':' or '-'.")]


def test_json_that_is_not_an_import_batch_imports_nothing(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    url = f"/api/v1/clusters/{world['a']}/ingest"
    for data, code, message in BAD_JSON:
        answer = client.post(url, data=data, content_type="application/json", headers=editor)
        assert (answer.status_code, json_body(answer)) == (
            400, {"error": {"code": code, "message": message}}), data
    listed = json_body(client.get(f"/api/v1/clusters/{world['a']}/imports", headers=editor))
    assert listed == {"items": []}
    assert _samples(runtime, "imp_route_a") == 0
