"""Callbacks of the projects list and the project overview."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, no_update

from auth.roles import Role, has_role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import clicked, guarded
from components.ids.project_detail import ProjectDetail, ProjectEdit, ProjectRename, ProjectReport
from components.ids.projects import Projects, ProjectsForm
from components.layout import make_empty_state, make_error
from components.projects import (
    make_activity,
    make_asset_table,
    make_project_cards,
    make_project_header,
    make_report_job,
)
from services.projects import assets, project_store, reports


def _item_used(*_args: Any) -> bool:
    """A pattern-matched button was really clicked (not a redraw)."""
    return isinstance(ctx.triggered_id, dict) and any(t.get("value") for t in ctx.triggered)


@callback(Output(Projects.list, "children"), Output(Projects.template, "options"),
          Output(Projects.template, "value"), Output(ProjectsForm.frame, "style"),
          Output(ProjectsForm.template_texts, "data"),
          Input(Projects.cluster, "data"), Input(Projects.refresh, "data"))
@guarded(Role.VIEWER, cluster="cid", on_error=lambda exc, *_: (
    make_error(exc.user_message), [], None, {"display": "none"}, {}))
def show_projects(cid: int, _refresh: int) -> tuple[Any, Any, Any, Any, Any]:
    """The cluster's projects, the template choices (by name; what each is for goes under
    the picker), and the form for editors."""
    items = project_store.list_projects(runtime(), cluster_id=cid)
    types = project_store.project_types(runtime())
    editor = has_role(cid, Role.EDITOR)
    options = [{"label": name, "value": code} for code, name, _text in types]
    texts = {code: text for code, _name, text in types}
    if not items:
        body: Any = make_empty_state(
            icon="bi-kanban", title="No projects yet",
            text="Start one from a template in “New project”." if editor else
            "Editors of this cluster create projects.")
    else:
        body = make_project_cards(items, cluster_id=cid)
    return (body, options, options[0]["value"] if options else None,
            None if editor else {"display": "none"}, texts)


# What the chosen template is for, under the picker (the server sent every template's words).
clientside_callback("(code, texts) => (texts && typeof code === 'string' && texts[code]) || ''",
                    Output(ProjectsForm.template_note, "children"),
                    Input(Projects.template, "value"), Input(ProjectsForm.template_texts, "data"))


@callback(Output(Projects.error, "children"), Output(Projects.refresh, "data"),
          Output(Projects.name, "value"), Output(Projects.description, "value"),
          Input(Projects.create, "n_clicks"), State(Projects.cluster, "data"),
          State(Projects.name, "value"), State(Projects.template, "value"),
          State(Projects.description, "value"), State(Projects.refresh, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", outputs=4, error_output=0, title="Not created")
def create_project(_n: int, cid: int, name: str, template: str, description: str,
                   refresh: int) -> tuple[Any, Any, Any, Any]:
    """Create a project from the chosen template (editors); the form is emptied for the
    next one (name and description), and keeps what was typed when refused."""
    project_store.create_project(runtime(), cluster_id=cid, actor=current_actor(), name=name,
                            project_type=template, description=description)
    return None, (refresh or 0) + 1, "", ""


@callback(Output(ProjectDetail.header, "children"), Output(ProjectDetail.assets, "children"),
          Output(ProjectDetail.activity, "children"),
          Input(ProjectDetail.cluster, "data"), Input(ProjectDetail.project, "data"),
          Input(ProjectDetail.refresh, "data"))
@guarded(Role.VIEWER, cluster="cid", outputs=3, error_output=0, fill=None)
def show_project(cid: int, project: str, _refresh: int) -> tuple[Any, Any, Any]:
    """The project's header, assets and activity."""
    view = project_store.get_project(runtime(), cluster_id=cid, project_id=project)
    items = assets.list_assets(runtime(), cluster_id=cid, project_id=project)
    events = project_store.activity(runtime(), cluster_id=cid, project_id=project)
    can_edit = has_role(cid, Role.EDITOR)
    return (make_project_header(view, can_edit=can_edit),
            make_asset_table(items, can_edit=can_edit), make_activity(events))


@callback(Output(ProjectDetail.error, "children"), Output(ProjectDetail.refresh, "data"),
          Input({"type": ProjectDetail.ACTION, "action": ALL}, "n_clicks"),
          Input({"type": ProjectDetail.ASSET, "action": ALL, "asset": ALL}, "n_clicks"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.project, "data"),
          State(ProjectDetail.refresh, "data"), prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", outputs=2, error_output=0, title="Not done",
         when=_item_used)
def act(_a: list[Any], _b: list[Any], cid: int, project: str,
        refresh: int) -> tuple[Any, Any]:
    """A lifecycle action, or duplicating or deleting an asset (editors)."""
    trigger, actor = ctx.triggered_id, current_actor()
    if trigger["type"] == ProjectDetail.ACTION:
        project_store.change_status(runtime(), cluster_id=cid, project_id=project, actor=actor,
                               action=str(trigger["action"]))
    elif trigger["action"] == "copy":
        assets.duplicate_asset(runtime(), cluster_id=cid, project_id=project,
                               asset_id=trigger["asset"], actor=actor)
    else:
        assets.delete_asset(runtime(), cluster_id=cid, project_id=project,
                            asset_id=trigger["asset"], actor=actor)
    return None, (refresh or 0) + 1


@callback(Output(ProjectReport.job, "data"), Output(ProjectReport.poll, "disabled"),
          Output(ProjectReport.progress, "children"),
          Input(ProjectReport.start, "n_clicks"),
          Input({"type": ProjectReport.ASSET, "asset": ALL}, "n_clicks"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.project, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", outputs=3, error_output=2, title="No report",
         when=lambda *_: any(t.get("value") for t in ctx.triggered))
def start_report(_n: int | None, _assets: list[Any], cid: int,
                 project: str) -> tuple[Any, bool, Any]:
    """Start a PDF report of the project or of one chart (editors)."""
    trigger = ctx.triggered_id
    asset_id = trigger.get("asset") if isinstance(trigger, dict) else None
    job = reports.start_report(runtime(), cluster_id=cid, project_id=project,
                               actor=current_actor(), asset_id=asset_id)
    return job.id, False, make_report_job(job)


# The report button is disabled while its report is being generated (the poll runs), in the
# browser: it changes nothing on the server and the start callback still refuses what it must.
clientside_callback("(pollOff) => !pollOff", Output(ProjectReport.start, "disabled"),
                    Input(ProjectReport.poll, "disabled"), prevent_initial_call=True)


@callback(Output(ProjectReport.progress, "children", allow_duplicate=True),
          Output(ProjectReport.poll, "disabled", allow_duplicate=True),
          Output(ProjectDetail.refresh, "data", allow_duplicate=True),
          Input(ProjectReport.poll, "n_intervals"), State(ProjectReport.job, "data"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.refresh, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, cluster="cid", when=lambda _n, job_id, *_: job_id,
         on_error=lambda exc, *_: (make_error(exc.user_message), True, no_update))
def poll_report(_n: int, job_id: int, cid: int, refresh: int) -> tuple[Any, bool, Any]:
    """The report's progress; the asset list is refreshed when it is ready."""
    job = reports.get_report_job(runtime(), cluster_id=cid, job_id=job_id)
    finished = job.status in ("done", "failed")
    return make_report_job(job), finished, (refresh or 0) + 1 if finished else no_update


@callback(Output(ProjectRename.modal, "is_open"), Output(ProjectRename.asset, "data"),
          Output(ProjectRename.name, "value"), Output(ProjectRename.feedback, "children"),
          Input({"type": ProjectRename.OPEN, "asset": ALL}, "n_clicks"),
          State(ProjectDetail.cluster, "data"), State(ProjectDetail.project, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", when=_item_used,
         on_error=lambda exc, *_: (True, None, "", make_error(exc.user_message)))
def open_rename(_n: list[Any], cid: int, project: str) -> tuple[bool, Any, Any, Any]:
    """Open the rename dialog with the asset's current name (editors)."""
    asset = assets.get_asset(runtime(), cluster_id=cid, project_id=project,
                             asset_id=ctx.triggered_id["asset"])
    return True, asset.id, asset.name, None


@callback(Output(ProjectRename.modal, "is_open", allow_duplicate=True),
          Output(ProjectRename.feedback, "children", allow_duplicate=True),
          Output(ProjectDetail.refresh, "data", allow_duplicate=True),
          Input(ProjectRename.save, "n_clicks"), State(ProjectRename.asset, "data"),
          State(ProjectRename.name, "value"), State(ProjectDetail.cluster, "data"),
          State(ProjectDetail.project, "data"), State(ProjectDetail.refresh, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", on_error=lambda exc, *_: (
    True, make_error(exc.user_message, title="Not renamed"), no_update))
def rename(_n: int, asset_id: int | None, name: str, cid: int, project: str,
           refresh: int) -> tuple[bool, Any, Any]:
    """Rename the asset (editors)."""
    assets.rename_asset(runtime(), cluster_id=cid, project_id=project, asset_id=asset_id,
                        actor=current_actor(), name=name)
    return False, None, (refresh or 0) + 1


@callback(Output(ProjectEdit.modal, "is_open"), Output(ProjectEdit.name, "value"),
          Output(ProjectEdit.description, "value"), Output(ProjectEdit.feedback, "children"),
          Input(ProjectEdit.open, "n_clicks"), State(ProjectDetail.cluster, "data"),
          State(ProjectDetail.project, "data"), prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", when=clicked, on_error=lambda exc, *_: (
    True, no_update, no_update, make_error(exc.user_message)))
def open_edit(_n: int | None, cid: int, project: str) -> tuple[bool, Any, Any, Any]:
    """Open the edit dialog with the project's name and description (editors)."""
    view = project_store.get_project(runtime(), cluster_id=cid, project_id=project)
    return True, view.name, view.description, None


@callback(Output(ProjectEdit.modal, "is_open", allow_duplicate=True),
          Output(ProjectEdit.feedback, "children", allow_duplicate=True),
          Output(ProjectDetail.refresh, "data", allow_duplicate=True),
          Input(ProjectEdit.save, "n_clicks"), State(ProjectEdit.name, "value"),
          State(ProjectEdit.description, "value"), State(ProjectDetail.cluster, "data"),
          State(ProjectDetail.project, "data"), State(ProjectDetail.refresh, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", on_error=lambda exc, *_: (
    True, make_error(exc.user_message, title="Not saved"), no_update))
def save_edit(_n: int, name: str, description: str, cid: int, project: str,
              refresh: int) -> tuple[bool, Any, Any]:
    """Save the project's name and description (editors)."""
    project_store.update_project(runtime(), cluster_id=cid, project_id=project,
                            actor=current_actor(), name=name, description=description)
    return False, None, (refresh or 0) + 1
