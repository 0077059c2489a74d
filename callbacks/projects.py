"""Callbacks of the projects list and the project overview."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, has_role, parse_cluster_id, require_role
from auth.session import current_actor
from callbacks.common import runtime
from components.ids import (
    ProjectDetail,
    ProjectEdit,
    ProjectRename,
    ProjectReport,
    Projects,
    ProjectsForm,
)
from components.layout import make_empty_state, make_error
from components.projects import (
    make_activity,
    make_asset_table,
    make_project_cards,
    make_project_header,
    make_report_job,
)
from lyceum.errors import AppError
from services.projects import assets, project_store, reports


@callback(Output(Projects.list, "children"), Output(Projects.template, "options"),
          Output(Projects.template, "value"), Output(ProjectsForm.frame, "style"),
          Input(Projects.cluster, "data"), Input(Projects.refresh, "data"))
def show_projects(cluster: str, _refresh: int) -> tuple[Any, Any, Any, Any]:
    """The cluster's projects, the template choices, and the form for editors."""
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.VIEWER)
        items = project_store.list_projects(runtime(), cluster_id=cid)
        types = project_store.project_types(runtime())
    except AppError as exc:
        return make_error(exc.user_message), [], None, {"display": "none"}
    editor = has_role(cid, Role.EDITOR)
    options = [{"label": f"{name} — {text}", "value": code} for code, name, text in types]
    if not items:
        body: Any = make_empty_state(
            icon="bi-kanban", title="No projects yet",
            text="Start one from a template on the right." if editor else
            "Editors of this cluster create projects.")
    else:
        body = make_project_cards(items, cluster_id=cid)
    return (body, options, options[0]["value"] if options else None,
            None if editor else {"display": "none"})


@callback(Output(Projects.error, "children"), Output(Projects.refresh, "data"),
          Output(Projects.name, "value"),
          Input(Projects.create, "n_clicks"), State(Projects.cluster, "data"),
          State(Projects.name, "value"), State(Projects.template, "value"),
          State(Projects.description, "value"), State(Projects.refresh, "data"),
          prevent_initial_call=True)
def create_project(_n: int, cluster: str, name: str, template: str, description: str,
                   refresh: int) -> tuple[Any, Any, Any]:
    """Create a project from the chosen template (editors)."""
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        project_store.create_project(runtime(), cluster_id=cid, actor=current_actor(), name=name,
                                project_type=template, description=description)
    except AppError as exc:
        return make_error(exc.user_message, title="Not created"), no_update, no_update
    return None, (refresh or 0) + 1, ""


@callback(Output(ProjectDetail.header, "children"), Output(ProjectDetail.assets, "children"),
          Output(ProjectDetail.activity, "children"),
          Input(ProjectDetail.cluster, "data"), Input(ProjectDetail.project, "data"),
          Input(ProjectDetail.refresh, "data"))
def show_project(cluster: str, project: str, _refresh: int) -> tuple[Any, Any, Any]:
    """The project's header, assets and activity."""
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.VIEWER)
        view = project_store.get_project(runtime(), cluster_id=cid, project_id=project)
        items = assets.list_assets(runtime(), cluster_id=cid, project_id=project)
        events = project_store.activity(runtime(), cluster_id=cid, project_id=project)
    except AppError as exc:
        return make_error(exc.user_message), None, None
    can_edit = has_role(cid, Role.EDITOR)
    return (make_project_header(view, can_edit=can_edit),
            make_asset_table(items, can_edit=can_edit), make_activity(events))


@callback(Output(ProjectDetail.error, "children"), Output(ProjectDetail.refresh, "data"),
          Input({"type": ProjectDetail.ACTION, "action": ALL}, "n_clicks"),
          Input({"type": ProjectDetail.ASSET, "action": ALL, "asset": ALL}, "n_clicks"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.project, "data"),
          State(ProjectDetail.refresh, "data"), prevent_initial_call=True)
def act(_a: list[Any], _b: list[Any], cluster: str, project: str,
        refresh: int) -> tuple[Any, Any]:
    """A lifecycle action, or duplicating or deleting an asset (editors)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        actor = current_actor()
        if trigger["type"] == ProjectDetail.ACTION:
            project_store.change_status(runtime(), cluster_id=cid, project_id=project, actor=actor,
                                   action=str(trigger["action"]))
        elif trigger["action"] == "copy":
            assets.duplicate_asset(runtime(), cluster_id=cid, project_id=project,
                                   asset_id=trigger["asset"], actor=actor)
        else:
            assets.delete_asset(runtime(), cluster_id=cid, project_id=project,
                                asset_id=trigger["asset"], actor=actor)
    except AppError as exc:
        return make_error(exc.user_message, title="Not done"), no_update
    return None, (refresh or 0) + 1


@callback(Output(ProjectReport.job, "data"), Output(ProjectReport.poll, "disabled"),
          Output(ProjectReport.progress, "children"),
          Input(ProjectReport.start, "n_clicks"),
          Input({"type": ProjectReport.ASSET, "asset": ALL}, "n_clicks"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.project, "data"),
          prevent_initial_call=True)
def start_report(_n: int | None, _assets: list[Any], cluster: str,
                 project: str) -> tuple[Any, bool, Any]:
    """Start a PDF report of the project or of one chart (editors)."""
    if not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate
    trigger = ctx.triggered_id
    asset_id = trigger.get("asset") if isinstance(trigger, dict) else None
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        job = reports.start_report(runtime(), cluster_id=cid, project_id=project,
                                   actor=current_actor(), asset_id=asset_id)
    except AppError as exc:
        return no_update, True, make_error(exc.user_message, title="No report")
    return job.id, False, make_report_job(job)


@callback(Output(ProjectReport.progress, "children", allow_duplicate=True),
          Output(ProjectReport.poll, "disabled", allow_duplicate=True),
          Output(ProjectDetail.refresh, "data", allow_duplicate=True),
          Input(ProjectReport.poll, "n_intervals"), State(ProjectReport.job, "data"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.refresh, "data"),
          prevent_initial_call=True)
def poll_report(_n: int, job_id: int | None, cluster: str, refresh: int) -> tuple[Any, bool, Any]:
    """The report's progress; the asset list is refreshed when it is ready."""
    if not job_id:
        raise PreventUpdate
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.VIEWER)
        job = reports.get_report_job(runtime(), cluster_id=cid, job_id=job_id)
    except AppError as exc:
        return make_error(exc.user_message), True, no_update
    finished = job.status in ("done", "failed")
    return make_report_job(job), finished, (refresh or 0) + 1 if finished else no_update


@callback(Output(ProjectRename.modal, "is_open"), Output(ProjectRename.asset, "data"),
          Output(ProjectRename.name, "value"), Output(ProjectRename.feedback, "children"),
          Input({"type": ProjectRename.OPEN, "asset": ALL}, "n_clicks"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.project, "data"),
          prevent_initial_call=True)
def open_rename(_n: list[Any], cluster: str, project: str) -> tuple[bool, Any, Any, Any]:
    """Open the rename dialog with the asset's current name (editors)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        asset = assets.get_asset(runtime(), cluster_id=cid, project_id=project,
                                 asset_id=trigger["asset"])
    except AppError as exc:
        return True, None, "", make_error(exc.user_message)
    return True, asset.id, asset.name, None


@callback(Output(ProjectRename.modal, "is_open", allow_duplicate=True),
          Output(ProjectRename.feedback, "children", allow_duplicate=True),
          Output(ProjectDetail.refresh, "data", allow_duplicate=True),
          Input(ProjectRename.save, "n_clicks"), State(ProjectRename.asset, "data"),
          State(ProjectRename.name, "value"), State(ProjectDetail.cluster, "data"),
          State(ProjectDetail.project, "data"), State(ProjectDetail.refresh, "data"),
          prevent_initial_call=True)
def rename(_n: int, asset_id: int | None, name: str, cluster: str, project: str,
           refresh: int) -> tuple[bool, Any, Any]:
    """Rename the asset (editors)."""
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        assets.rename_asset(runtime(), cluster_id=cid, project_id=project, asset_id=asset_id,
                            actor=current_actor(), name=name)
    except AppError as exc:
        return True, make_error(exc.user_message, title="Not renamed"), no_update
    return False, None, (refresh or 0) + 1


@callback(Output(ProjectEdit.modal, "is_open"), Output(ProjectEdit.name, "value"),
          Output(ProjectEdit.description, "value"), Output(ProjectEdit.feedback, "children"),
          Input(ProjectEdit.open, "n_clicks"), State(ProjectDetail.cluster, "data"),
          State(ProjectDetail.project, "data"), prevent_initial_call=True)
def open_edit(n: int | None, cluster: str, project: str) -> tuple[bool, Any, Any, Any]:
    """Open the edit dialog with the project's name and description (editors)."""
    if not n:
        raise PreventUpdate
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        view = project_store.get_project(runtime(), cluster_id=cid, project_id=project)
    except AppError as exc:
        return True, no_update, no_update, make_error(exc.user_message)
    return True, view.name, view.description, None


@callback(Output(ProjectEdit.modal, "is_open", allow_duplicate=True),
          Output(ProjectEdit.feedback, "children", allow_duplicate=True),
          Output(ProjectDetail.refresh, "data", allow_duplicate=True),
          Input(ProjectEdit.save, "n_clicks"), State(ProjectEdit.name, "value"),
          State(ProjectEdit.description, "value"), State(ProjectDetail.cluster, "data"),
          State(ProjectDetail.project, "data"), State(ProjectDetail.refresh, "data"),
          prevent_initial_call=True)
def save_edit(_n: int, name: str, description: str, cluster: str, project: str,
              refresh: int) -> tuple[bool, Any, Any]:
    """Save the project's name and description (editors)."""
    try:
        cid = parse_cluster_id(cluster)
        require_role(cid, Role.EDITOR)
        project_store.update_project(runtime(), cluster_id=cid, project_id=project,
                                actor=current_actor(), name=name, description=description)
    except AppError as exc:
        return True, make_error(exc.user_message, title="Not saved"), no_update
    return False, None, (refresh or 0) + 1
