"""Projects and assets over the API: the same services and role checks as the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, send_file

from api.core import bp, json_body, runtime
from api.openapi import describe
from api.schemas import (
    ANY_OBJECT,
    INT,
    STR,
    TIME,
    array,
    component,
    from_dataclass,
    list_schema,
    nullable,
    obj,
)
from auth.roles import Role, require_role
from auth.session import current_actor
from services.projects import assets, project_store, reports
from services.projects.project_store import AssetView, ProjectView
from services.projects.reports import ReportJobView

PROJECT = component("Project", from_dataclass(ProjectView, created_at=TIME, updated_at=TIME))
ASSET = component("Asset", from_dataclass(AssetView, updated_at=TIME))
PROJECT_DETAIL = component("ProjectDetail", {"allOf": [PROJECT, obj(assets=array(ASSET))]})
REPORT_JOB = component("ReportJob", from_dataclass(ReportJobView))
PROJECT_BODY = obj(required=("name", "project_type"), name=STR, project_type=STR,
                   description=STR)
PROJECT_CHANGE = obj(required=(), name=STR, description=STR, action={
    **STR, "description": "a lifecycle action instead of a rename (e.g. archive)"})
ASSET_BODY = obj(required=("asset_type", "name"), asset_type=STR, name=STR, config=ANY_OBJECT)
RENAME_BODY = obj(name=STR)
REPORT_BODY = obj(required=(), asset_id=nullable(INT), title=STR)
PDF = {"type": "string", "format": "binary"}


def _json(view: Any) -> dict[str, Any]:
    body = asdict(view)
    for key in ("created_at", "updated_at"):
        if key in body:
            body[key] = body[key].isoformat()
    return body


@bp.get("/clusters/<int:cluster_id>/projects")
@describe(summary="The cluster's projects", tag="projects", role="viewer",
          response=list_schema("ProjectList", PROJECT))
def list_projects(cluster_id: int) -> Any:
    """The cluster's projects."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(items=[_json(p) for p in project_store.list_projects(
        runtime(), cluster_id=cluster_id, include_archived=True)])


@bp.post("/clusters/<int:cluster_id>/projects")
@describe(summary="Create a project from a template", tag="projects", body=PROJECT_BODY,
          role="editor", response=PROJECT, status=201, errors=(409,))
def create_project(cluster_id: int) -> Any:
    """A project from a template (``name``, ``project_type``, ``description``)."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    view = project_store.create_project(runtime(), cluster_id=cluster_id, actor=current_actor(),
                                   name=body.get("name"), project_type=body.get("project_type"),
                                   description=body.get("description", ""))
    return jsonify(_json(view)), 201


@bp.get("/clusters/<int:cluster_id>/projects/<int:project_id>")
@describe(summary="One project with its assets", tag="projects", role="viewer",
          response=PROJECT_DETAIL)
def get_project(cluster_id: int, project_id: int) -> Any:
    """One project with its assets."""
    require_role(cluster_id, Role.VIEWER)
    body = _json(project_store.get_project(runtime(), cluster_id=cluster_id, project_id=project_id))
    body["assets"] = [_json(a) for a in assets.list_assets(runtime(), cluster_id=cluster_id,
                                                           project_id=project_id)]
    return jsonify(body)


@bp.patch("/clusters/<int:cluster_id>/projects/<int:project_id>")
@describe(summary="Rename or describe a project, or run a lifecycle action", tag="projects",
          body=PROJECT_CHANGE, role="editor", response=PROJECT, errors=(409,))
def update_project(cluster_id: int, project_id: int) -> Any:
    """Rename or describe a project, or run a lifecycle ``action``."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    if "action" in body:
        view = project_store.change_status(runtime(), cluster_id=cluster_id, project_id=project_id,
                                      actor=current_actor(), action=str(body["action"]))
    else:
        view = project_store.update_project(runtime(), cluster_id=cluster_id,
                                       project_id=project_id, actor=current_actor(),
                                       name=body.get("name"),
                                       description=body.get("description", ""))
    return jsonify(_json(view))


@bp.post("/clusters/<int:cluster_id>/projects/<int:project_id>/assets")
@describe(summary="Save an asset in a project", tag="projects", body=ASSET_BODY,
          role="editor", response=ASSET, status=201, errors=(409,))
def create_asset(cluster_id: int, project_id: int) -> Any:
    """Save an asset (``asset_type``, ``name``, ``config``)."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    view = assets.save_asset(runtime(), cluster_id=cluster_id, project_id=project_id,
                             actor=current_actor(), asset_type=str(body.get("asset_type", "")),
                             name=body.get("name"), config=body.get("config") or {})
    return jsonify(_json(view)), 201


@bp.patch("/clusters/<int:cluster_id>/projects/<int:project_id>/assets/<int:asset_id>")
@describe(summary="Rename an asset", tag="projects", body=RENAME_BODY, role="editor",
          response=ASSET, errors=(409,))
def rename_asset(cluster_id: int, project_id: int, asset_id: int) -> Any:
    """Rename an asset."""
    require_role(cluster_id, Role.EDITOR)
    view = assets.rename_asset(runtime(), cluster_id=cluster_id, project_id=project_id,
                               asset_id=asset_id, actor=current_actor(),
                               name=json_body().get("name"))
    return jsonify(_json(view))


@bp.post("/clusters/<int:cluster_id>/projects/<int:project_id>/assets/<int:asset_id>/copy")
@describe(summary="Duplicate an asset", tag="projects", role="editor", response=ASSET,
          status=201, errors=(409,))
def duplicate_asset(cluster_id: int, project_id: int, asset_id: int) -> Any:
    """Duplicate an asset."""
    require_role(cluster_id, Role.EDITOR)
    view = assets.duplicate_asset(runtime(), cluster_id=cluster_id, project_id=project_id,
                                  asset_id=asset_id, actor=current_actor())
    return jsonify(_json(view)), 201


@bp.delete("/clusters/<int:cluster_id>/projects/<int:project_id>/assets/<int:asset_id>")
@describe(summary="Delete an asset", tag="projects", role="editor", status=204)
def delete_asset(cluster_id: int, project_id: int, asset_id: int) -> Any:
    """Delete an asset."""
    require_role(cluster_id, Role.EDITOR)
    assets.delete_asset(runtime(), cluster_id=cluster_id, project_id=project_id,
                        asset_id=asset_id, actor=current_actor())
    return "", 204


@bp.post("/clusters/<int:cluster_id>/projects/<int:project_id>/reports")
@describe(summary="Start a PDF report of a project or one chart", tag="projects",
          body=REPORT_BODY, role="editor", response=REPORT_JOB,
          status=202)
def create_report(cluster_id: int, project_id: int) -> Any:
    """Start a PDF report of the project, or of one chart (``asset_id``); 202 with the job."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    job = reports.start_report(runtime(), cluster_id=cluster_id, project_id=project_id,
                               actor=current_actor(), asset_id=body.get("asset_id"),
                               title=str(body.get("title") or ""))
    return jsonify(asdict(job)), 202


@bp.get("/clusters/<int:cluster_id>/reports/<int:job_id>")
@describe(summary="A report job's progress", tag="projects", role="viewer",
          response=REPORT_JOB)
def get_report(cluster_id: int, job_id: int) -> Any:
    """A report job's progress."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(asdict(reports.get_report_job(runtime(), cluster_id=cluster_id,
                                                 job_id=job_id)))


@bp.get("/clusters/<int:cluster_id>/projects/<int:project_id>/assets/<int:asset_id>/report.pdf")
@describe(summary="The PDF of a report asset", tag="projects", role="viewer",
          response=PDF, content_type="application/pdf")
def download_report(cluster_id: int, project_id: int, asset_id: int) -> Any:
    """The PDF of a report asset (members of the cluster; each download is audited)."""
    require_role(cluster_id, Role.VIEWER)
    path = reports.report_file(runtime(), cluster_id=cluster_id, project_id=project_id,
                               asset_id=asset_id, actor=current_actor())
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=f"report-{asset_id}.pdf", conditional=False,
                         etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
