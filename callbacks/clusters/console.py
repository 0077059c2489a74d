"""Cluster console callbacks: refresh the sections, edit retention/limits, save the new
secret, rotate the credential, decommission.

The cluster id comes from the page's store, i.e. from the browser: every callback checks the
user's role on that cluster on the server before doing anything.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, no_update

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import clicked, guarded
from components import cluster_console as ui
from components.ids.cluster_detail import ClusterDetail, cluster_edit_field
from components.layout import make_error
from lyceum.errors import AppError, ValidationError
from services.clusters import console as cluster_console
from services.clusters import credentials, retire
from services.clusters.console_view import console_view

EDITS = State(cluster_edit_field(ALL), "value")  # type: ignore[arg-type]
#: The console's sections by output name (the refresh fills them as a dict).
SECTIONS = {"header": ClusterDetail.header, "config": ClusterDetail.config,
            "connection": ClusterDetail.connection, "manage": ClusterDetail.manage,
            "progress": ClusterDetail.progress, "usage": ClusterDetail.usage,
            "health": ClusterDetail.health, "events": ClusterDetail.events,
            "secret_box": ClusterDetail.secret_box}


def _refused(exc: AppError, **_inputs: Any) -> dict[str, Any]:
    """Every section empty, the error shown, polling slowed down."""
    return {**dict.fromkeys(SECTIONS), "error": make_error(exc.user_message),
            "interval": 60_000, "seen_status": "", "secret_seen": ""}


@callback(output={**{key: Output(section, "children") for key, section in SECTIONS.items()},
                  "error": Output(ClusterDetail.error, "children"),
                  "interval": Output(ClusterDetail.poll, "interval"),
                  "seen_status": Output(ClusterDetail.seen_status, "data"),
                  "secret_seen": Output(ClusterDetail.secret_seen, "data")},
          inputs={"n": Input(ClusterDetail.poll, "n_intervals"),
                  "cluster_id": State(ClusterDetail.cluster, "data"),
                  "seen": State(ClusterDetail.seen_status, "data"),
                  "secret_seen": State(ClusterDetail.secret_seen, "data")})
@guarded(Role.VIEWER, on_error=_refused, granted="role")
def refresh(n: int, cluster_id: int, seen: str, secret_seen: str | None, *,
            role: Role = Role.VIEWER) -> dict[str, Any]:
    """Fill the console; forms are rebuilt only when the status changes (not while typing),
    the secret box only when another secret waits (so its button is never replaced under a
    click)."""
    view = console_view(runtime(), cluster_id, role=role.label, actor=current_actor())
    status = view.cluster.status
    rebuild = n == 0 or view.state_key != seen
    shown = ui.secret_identity(view.pending_secret)
    return {"header": ui.make_header(view) if rebuild else no_update,
            "config": ui.make_config(view) if rebuild else no_update,
            "connection": ui.make_connection(view) if rebuild else no_update,
            "manage": ui.make_manage(view) if rebuild else no_update,
            "progress": ui.make_progress(view), "usage": ui.make_usage(view),
            "health": ui.make_health(view), "events": ui.make_timeline(view),
            "secret_box": no_update if shown == (secret_seen or "")
            else ui.make_secret(view.pending_secret),
            "error": None,
            "interval": 1_000 if status == "provisioning" or view.busy else 30_000,
            "seen_status": view.state_key, "secret_seen": shown}


def _values(values: list[Any]) -> dict[str, Any]:
    names = [item["id"]["name"] for item in ctx.states_list[0]]
    return dict(zip(names, values, strict=True))


def _done(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="success", className="py-2 small", duration=8000)


#: Refreshing right after a change: Dash then drops the answer of a poll that was already on
#: its way (read before the change), which would otherwise show the old secret box again.
REFRESH_NOW = Output(ClusterDetail.poll, "n_intervals", allow_duplicate=True)
POLLS = State(ClusterDetail.poll, "n_intervals")


@callback(Output(ClusterDetail.retention_alert, "children"), REFRESH_NOW,
          Input(ClusterDetail.retention_save, "n_clicks"), EDITS,
          State(ClusterDetail.cluster, "data"), POLLS, prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, title="Not applied", when=clicked)
def save_retention(_n: int, values: list[Any], cluster_id: int, polls: int | None
                   ) -> tuple[Any, Any]:
    """Begin applying new retention with ALTER TABLE … MODIFY TTL (cluster admins); the
    refresh that follows at once shows its progress and disables the button until it ends."""
    retention = cluster_console.retention_from(_values(values))
    cluster_console.start_retention_change(runtime(), cluster_id, retention,
                                           actor=current_actor())
    return None, (polls or 0) + 1


@callback(Output(ClusterDetail.limits_alert, "children"), REFRESH_NOW,
          Input(ClusterDetail.limits_save, "n_clicks"), EDITS,
          State(ClusterDetail.cluster, "data"), POLLS, prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, title="Not applied", when=clicked)
def save_limits(_n: int, values: list[Any], cluster_id: int, polls: int | None
                ) -> tuple[Any, Any]:
    """Begin storing new query limits (cluster admins); the refresh that follows shows the
    operation's progress and disables the buttons until it ends."""
    v = _values(values)
    cluster_console.start_limits_change(
        runtime(), cluster_id, max_threads=v.get("max_threads"),
        max_memory_gb=v.get("max_memory_gb"),
        max_execution_time_s=v.get("max_execution_time_s"), actor=current_actor())
    return None, (polls or 0) + 1


@callback(Output(ClusterDetail.decommission_alert, "children"),
          Output(ClusterDetail.poll, "n_intervals"),
          Input(ClusterDetail.decommission, "n_clicks"),
          State(ClusterDetail.decommission_name, "value"), State(ClusterDetail.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, title="Not decommissioned", when=clicked)
def decommission(_n: int, typed: str | None, cluster_id: int) -> tuple[Any, Any]:
    """Begin dropping the database once the exact name was typed (cluster admins); the
    console's refresh from the start (count 0) shows the operation and rebuilds the forms."""
    cluster_console.start_decommission(runtime(), cluster_id, typed_name=typed or "",
                                       actor=current_actor())
    return None, 0


@callback(Output(ClusterDetail.hide_alert, "children"), REFRESH_NOW,
          Input(ClusterDetail.hide, "n_clicks"), State(ClusterDetail.seen_status, "data"),
          State(ClusterDetail.cluster, "data"), POLLS, prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, title="Not changed", when=clicked)
def hide(_n: int, seen: str | None, cluster_id: int, polls: int | None) -> tuple[Any, Any]:
    """Hide the decommissioned cluster from the overview, or show it again (the button says
    which: the state the page drew it in, so a double click does not undo itself)."""
    shown_hidden = "/hidden" in (seen or "").split("|")[0]
    retire.set_hidden(runtime(), cluster_id, hidden=not shown_hidden, actor=current_actor())
    return None, (polls or 0) + 1


@callback(Output(ClusterDetail.purge_alert, "children"), REFRESH_NOW,
          Input(ClusterDetail.purge, "n_clicks"), State(ClusterDetail.purge_name, "value"),
          State(ClusterDetail.cluster, "data"), POLLS, prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, title="Not purged", when=clicked)
def purge(_n: int, typed: str | None, cluster_id: int, polls: int | None) -> tuple[Any, Any]:
    """Begin purging once the exact name was typed (cluster admins)."""
    retire.start_purge(runtime(), cluster_id, typed_name=typed or "", actor=current_actor())
    return None, (polls or 0) + 1


SECRET_SEEN = Output(ClusterDetail.secret_seen, "data", allow_duplicate=True)


@callback(Output(ClusterDetail.secret_box, "children", allow_duplicate=True),
          Output(ClusterDetail.secret_note, "children"), REFRESH_NOW, SECRET_SEEN,
          Input(ClusterDetail.secret_saved, "n_clicks"), State(ClusterDetail.cluster, "data"),
          POLLS, prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=4, error_output=1, title="Not confirmed", when=clicked)
def secret_saved(_n: int, cluster_id: int, polls: int | None) -> tuple[Any, ...]:
    """The admin saved the new secret: erase it from the app (audited)."""
    credentials.acknowledge_secret(runtime(), cluster_id, actor=current_actor())
    return None, _done("Saved: the secret was erased from the app."), (polls or 0) + 1, ""


@callback(Output(ClusterDetail.rotate_alert, "children"),
          Output(ClusterDetail.rotate_confirm, "value"), REFRESH_NOW,
          Input(ClusterDetail.rotate, "n_clicks"), State(ClusterDetail.rotate_confirm, "value"),
          State(ClusterDetail.cluster, "data"), POLLS, prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=3, title="Not rotated", when=clicked)
def rotate(_n: int, confirmed: bool | None, cluster_id: int, polls: int | None
           ) -> tuple[Any, ...]:
    """Begin giving the credential a new secret once the box is ticked (cluster admins);
    the console shows the progress, then the new secret to save."""
    if not confirmed:
        raise ValidationError("Tick the box to confirm that the current secret stops working.")
    credentials.start_rotation(runtime(), cluster_id, actor=current_actor())
    return None, False, (polls or 0) + 1
