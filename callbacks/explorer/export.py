"""The explorer's export of every filtered curve as a job: start it (analysts), follow its
progress, then offer the file. Every call re-checks the role; a job is only ever seen by
the user who started it, on its own cluster."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update

from auth.roles import Role
from callbacks.common import runtime, signed_in_user
from callbacks.explorer.view import STORE, decoded
from callbacks.guard import clicked, guarded
from components import explorer_export as ui
from components.ids.explorer import Explorer, ExplorerExport
from services.explorer import export_jobs

_SHOWN = "mb-2"
_HIDDEN = "mb-2 d-none"


def _polling(_n: Any, job: Any, *_rest: Any) -> bool:
    return isinstance(job, dict) and isinstance(job.get("job_id"), str)


@callback(Output(ExplorerExport.job, "data"), Output(ExplorerExport.poll, "disabled"),
          Output(ExplorerExport.status, "children"),
          Output(ExplorerExport.progress, "className"),
          Input(ExplorerExport.start, "n_clicks"), State(ExplorerExport.format, "value"),
          State(Explorer.cluster, "data"), State(Explorer.state, "data"),
          prevent_initial_call=True)
@guarded(Role.ANALYST, **STORE, outputs=4, error_output=2, title="Not exported", when=clicked)
def start(_n: Any, fmt: Any, cluster: int, encoded: Any) -> tuple[Any, ...]:
    """Start writing every filtered curve to a file on the server."""
    job = export_jobs.start(runtime(), cluster, decoded(encoded), fmt=fmt,
                            user_id=int(signed_in_user().id))
    found = export_jobs.progress(job)
    return {"job_id": job.job_id}, False, ui.progress_text(found), _SHOWN


@callback(Output(ExplorerExport.progress, "value"), Output(ExplorerExport.progress, "label"),
          Output(ExplorerExport.status, "children", allow_duplicate=True),
          Output(ExplorerExport.poll, "disabled", allow_duplicate=True),
          Input(ExplorerExport.poll, "n_intervals"), State(ExplorerExport.job, "data"),
          State(Explorer.cluster, "data"), prevent_initial_call=True)
@guarded(Role.ANALYST, **STORE, outputs=4, error_output=2, title="Not exported",
         fill=True, when=_polling)
def follow(_n: Any, job: dict[str, Any], cluster: int) -> tuple[Any, ...]:
    """The job's progress; the link to the file once it is written."""
    found = export_jobs.progress(export_jobs.get(runtime(), cluster, job["job_id"],
                                                 user_id=int(signed_in_user().id)))
    label = f"{found['percent']} %"
    if found["state"] == "running":
        return found["percent"], label, ui.progress_text(found), no_update
    if found["state"] == "failed":
        return found["percent"], label, found["message"], True
    href = f"/api/v1/clusters/{cluster}/curve-exports/{found['job_id']}"
    return 100, label, ui.make_ready(found, href), True
