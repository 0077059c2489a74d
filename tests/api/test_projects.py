"""Projects and assets over the API: a client never names a server path, and a report's PDF
goes only to current members of its cluster."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from data.metadata import imports as jobs_data
from data.metadata import projects as projects_data
from data.metadata.models import AuditEntry, ProjectAsset
from services.access import team
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.projects import project_store
from services.projects.reports import run_report
from tests.access_world import ORIGIN, World, build_world, sign_in
from tests.http import json_body

REFUSAL = "A report asset is made by generating a report of the project, not saved directly."
UNAVAILABLE = "This report is not available; generate the report again."
ACTOR = Actor(label="tester")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _client(server: Flask, key: str) -> FlaskClient:
    return sign_in(server.test_client(), key)


def _state(runtime: Runtime) -> tuple[list[tuple[Any, ...]], int]:
    with runtime.db.session() as session:
        rows = [(a.id, a.asset_type, str(a.config)) for a in
                session.scalars(select(ProjectAsset).order_by(ProjectAsset.id))]
        return rows, session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _project(runtime: Runtime, cluster_id: int) -> int:
    return project_store.create_project(runtime, cluster_id=cluster_id, actor=ACTOR, name="P",
                                   project_type="custom").id


def _report(runtime: Runtime, cluster_id: int, project_id: int) -> tuple[int, int]:
    """A real report of the project, made by the report service: (job id, asset id)."""
    with runtime.db.session() as session:
        job = jobs_data.add_report(session, cluster_id=cluster_id, project_id=project_id,
                                   title="Weekly")
    done = run_report(runtime, job.id, actor=ACTOR)
    assert done.status == "done", done.message
    assert done.asset_id is not None
    return job.id, done.asset_id


def test_a_client_cannot_make_a_report_asset_that_names_a_file(
        server: Flask, runtime: Runtime, world: World) -> None:
    editor = _client(server, "editor")
    pid, other = _project(runtime, world.a), _project(runtime, world.b)
    foreign_job, _ = _report(runtime, world.b, other)
    (runtime.settings.instance_path / "secret_key").write_text("s3cret")
    base = f"/api/v1/clusters/{world.a}/projects/{pid}/assets"
    meta = runtime.db.url.removeprefix("sqlite:///")
    before = _state(runtime)
    for config in ({"pdf": "lyceum.db"}, {"pdf": meta}, {"pdf": "../meta.db"},
                   {"pdf": "secret_key"}, {"pdf": "clickhouse/config.xml"},
                   {"pdf": f"reports/{world.a}/../../secret_key"},
                   {"pdf": "reports/1/x.pdf/../../../lyceum.db"},
                   {"report_id": foreign_job}, {"report_id": str(foreign_job)},
                   {"report_id": foreign_job, "pdf": "lyceum.db"}):
        answer = editor.post(base, json={"asset_type": "report", "name": "r",
                                         "config": config}, headers=ORIGIN)
        assert answer.status_code == 400, config
        assert json_body(answer)["error"]["message"] == REFUSAL
        assert json_body(answer)["error"]["fields"] == {"asset_type": "not allowed"}
    smuggled = editor.post(base, json={"asset_type": "chart", "name": "c",
                                       "config": {"state": {}, "pdf": "lyceum.db"}},
                           headers=ORIGIN)
    assert smuggled.status_code == 400
    assert json_body(smuggled)["error"]["message"] == (
        "A chart asset does not take these settings: pdf.")
    assert _state(runtime) == before
    # nothing the refused requests named can be fetched either
    for asset_id in (1, 2, 999):
        got = editor.get(f"{base}/{asset_id}/report.pdf")
        assert got.status_code == 404
        assert b"s3cret" not in got.data and b"SQLite" not in got.data


def test_a_forged_report_row_serves_nothing(server: Flask, runtime: Runtime,
                                            world: World) -> None:
    """A row such as an older version accepted: the download never opens what it names."""
    viewer = _client(server, "viewer")
    pid, other = _project(runtime, world.a), _project(runtime, world.b)
    foreign_job, _ = _report(runtime, world.b, other)
    with runtime.db.session() as session:
        rows = [projects_data.add_asset(session, project_id=pid, asset_type="report",
                                        name="x", config=config).id
                for config in ({"pdf": "lyceum.db"}, {"pdf": "/etc/passwd"},
                               {"report_id": foreign_job})]
    for asset_id in rows:
        got = viewer.get(f"/api/v1/clusters/{world.a}/projects/{pid}/assets/{asset_id}"
                         "/report.pdf")
        assert got.status_code == 404
        assert json_body(got)["error"]["message"] == UNAVAILABLE


def test_a_report_downloads_for_current_members_only(server: Flask, runtime: Runtime,
                                                     world: World) -> None:
    pid = _project(runtime, world.a)
    job, asset = _report(runtime, world.a, pid)
    url = f"/api/v1/clusters/{world.a}/projects/{pid}/assets/{asset}/report.pdf"
    viewer = _client(server, "viewer")
    got = viewer.get(url)
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    assert got.headers["Cache-Control"] == "private, no-store"
    listed = json_body(viewer.get(f"/api/v1/clusters/{world.a}/projects/{pid}"))["assets"]
    assert next(a for a in listed if a["id"] == asset)["config"]["report_id"] == job
    for key in ("outsider", "b_admin"):
        refused = _client(server, key).get(url)
        assert refused.status_code == 403 and not refused.data.startswith(b"%PDF")
    team.remove_member(runtime.db, cluster_id=world.a, user_id=world.users["viewer"],
                       actor=ACTOR)
    removed = viewer.get(url)  # the same signed-in session, after removal
    assert removed.status_code == 403 and not removed.data.startswith(b"%PDF")
    with runtime.db.session() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "report.download")).all()
        assert [(e.actor, e.cluster_id, e.target_type, e.target_id, e.outcome,
                 e.detail["report"], e.detail["asset"]) for e in entries] == [
            ("viewer@example.com", world.a, "project", str(pid), "success", job, asset)]
