"""Callbacks of the data import page: upload, mapping, start, progress."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, no_update

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import guarded
from components.data_import import make_format_table, make_history, make_job, make_mapping
from components.ids.data_import import DataImport
from components.layout import make_error
from services.imports.import_job import create_job, get_job, list_jobs, start_import
from services.imports.upload import owned_upload, save_upload


@callback(Output("import-format-div", "children"), Input(DataImport.kind, "value"),
          State(DataImport.cluster, "data"), prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid")
def show_format(kind: str, cid: int) -> Any:
    """The format table of the chosen kind."""
    return make_format_table(kind, cluster_id=cid)


@callback(Output(DataImport.upload_store, "data"), Output(DataImport.mapping, "children"),
          Output(DataImport.error, "children"), Output(DataImport.start, "disabled"),
          Input(DataImport.upload, "contents"), Input(DataImport.kind, "value"),
          State(DataImport.upload, "filename"), State(DataImport.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", when=lambda contents, *_: contents, on_error=lambda exc, *_: (
    None, None, make_error(exc.user_message, title="Cannot use this file"), True))
def receive(contents: str, kind: str, filename: str | None,
            cid: int) -> tuple[Any, Any, Any, bool]:
    """Save the dropped file, then show the mapping and the first rows."""
    upload = save_upload(runtime(), cluster_id=cid, file_name=filename or "",
                         contents=contents, kind=kind)
    mapping = make_mapping(kind, upload.names, upload.mapping, upload.preview)
    return {**asdict(upload), "kind": kind}, mapping, None, False


@callback(Output(DataImport.job, "data"), Output(DataImport.poll, "disabled"),
          Output(DataImport.error, "children", allow_duplicate=True),
          Output(DataImport.start, "disabled", allow_duplicate=True),
          Input(DataImport.start, "n_clicks"), State(DataImport.upload_store, "data"),
          State({"type": DataImport.MAP, "target": ALL}, "value"),
          State(DataImport.cluster, "data"), prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", when=lambda _n, upload, *_: upload,
         on_error=lambda exc, *_: (
             no_update, True, make_error(exc.user_message, title="Not started"), False))
def start(_n: int, upload: dict[str, Any], values: list[str],
          cid: int) -> tuple[Any, bool, Any, bool]:
    """Queue the import with the chosen mapping and start polling its progress."""
    targets = [s["id"]["target"] for s in ctx.states_list[1]]
    path = owned_upload(runtime(), cluster_id=cid, path=str(upload.get("path", "")))
    job = create_job(runtime(), cluster_id=cid, actor=current_actor(),
                     file_name=str(upload.get("file_name", "")),
                     kind=str(upload.get("kind", "")),
                     fmt=str(upload.get("file_format", "")), path=path,
                     mapping={t: v for t, v in zip(targets, values, strict=False) if v})
    start_import(runtime(), job.id)
    return job.id, False, None, True


@callback(Output(DataImport.progress, "children"), Output(DataImport.poll, "disabled",
                                                          allow_duplicate=True),
          Output(DataImport.history, "children"),
          Input(DataImport.poll, "n_intervals"), Input(DataImport.job, "data"),
          State(DataImport.cluster, "data"), prevent_initial_call="initial_duplicate")
@guarded(Role.EDITOR, cluster="cid", on_error=lambda exc, *_: (
    make_error(exc.user_message), True, no_update))
def poll(_n: int, job_id: int | None, cid: int) -> tuple[Any, bool, Any]:
    """The running job's progress; the history once it is finished."""
    history = make_history(list_jobs(runtime(), cluster_id=cid, limit=8))
    if not job_id:
        return None, True, history
    job = get_job(runtime(), cluster_id=cid, job_id=int(job_id))
    return make_job(job), job.status in ("done", "failed"), history
