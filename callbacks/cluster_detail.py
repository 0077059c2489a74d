"""Cluster console callbacks: refresh the sections, edit retention/limits, save the new
secret, rotate the credential, decommission.

The cluster id comes from the page's store, i.e. from the browser: every callback checks the
user's role on that cluster on the server before doing anything.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, parse_cluster_id, require_role
from auth.session import current_actor
from callbacks.common import runtime
from components import cluster_console as ui
from components.ids import ClusterDetail, cluster_edit_field
from components.layout import make_error
from lyceum.errors import AppError
from services.clusters import console as cluster_console
from services.clusters import credentials
from services.clusters.console_view import console_view
from services.clusters.engine import engine_status

EDITS = State(cluster_edit_field(ALL), "value")  # type: ignore[arg-type]
SECTIONS = [ClusterDetail.header, ClusterDetail.config, ClusterDetail.connection,
            ClusterDetail.manage, ClusterDetail.progress, ClusterDetail.usage,
            ClusterDetail.health, ClusterDetail.events, ClusterDetail.secret_box]


@callback(*[Output(s, "children") for s in SECTIONS], Output(ClusterDetail.error, "children"),
          Output(ClusterDetail.poll, "interval"), Output(ClusterDetail.seen_status, "data"),
          Output(ClusterDetail.secret_seen, "data"),
          Input(ClusterDetail.poll, "n_intervals"), State(ClusterDetail.cluster, "data"),
          State(ClusterDetail.seen_status, "data"), State(ClusterDetail.secret_seen, "data"))
def refresh(n: int, cluster_id: Any, seen: str, secret_seen: str | None) -> tuple[Any, ...]:
    """Fill the console; forms are rebuilt only when the status changes (not while typing),
    the secret box only when another secret waits (so its button is never replaced under a
    click)."""
    try:
        role = require_role(cluster_id, Role.VIEWER)
        cid = parse_cluster_id(cluster_id)
        view = console_view(runtime(), cid, role=role.label, actor=current_actor())
    except AppError as exc:
        return (None,) * len(SECTIONS) + (make_error(exc.user_message), 60_000, "", "")
    status = view.cluster.status
    rebuild = n == 0 or status != seen
    static = (ui.make_header(view), ui.make_config(view),
              ui.make_connection(view, dsn_label=_dsn_label()), ui.make_manage(view)) \
        if rebuild else (no_update,) * 4
    live = (ui.make_progress(view), ui.make_usage(view), ui.make_health(view),
            ui.make_timeline(view))
    shown = ui.secret_identity(view.pending_secret)
    secret = no_update if shown == (secret_seen or "") else ui.make_secret(view.pending_secret)
    interval = 1_000 if status == "provisioning" else 30_000
    return (*static, *live, secret, None, interval, status, shown)


def _dsn_label() -> str:
    return engine_status(runtime()).dsn_label if not runtime().ch.embedded else ""


def _values(values: list[Any]) -> dict[str, Any]:
    names = [item["id"]["name"] for item in ctx.states_list[0]]
    return dict(zip(names, values, strict=True))


def _done(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="success", className="py-2 small", duration=8000)


@callback(Output(ClusterDetail.retention_alert, "children"),
          Input(ClusterDetail.retention_save, "n_clicks"), EDITS,
          State(ClusterDetail.cluster, "data"), prevent_initial_call=True)
def save_retention(_n: int, values: list[Any], cluster_id: Any) -> Any:
    """Apply new retention with ALTER TABLE … MODIFY TTL (cluster admins)."""
    if not _n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        retention = cluster_console.retention_from(_values(values))
        cluster_console.update_retention(runtime(), parse_cluster_id(cluster_id), retention,
                                         actor=current_actor())
    except AppError as exc:
        return make_error(exc.user_message, title="Not applied")
    return _done("Retention applied to every table.")


@callback(Output(ClusterDetail.limits_alert, "children"),
          Input(ClusterDetail.limits_save, "n_clicks"), EDITS,
          State(ClusterDetail.cluster, "data"), prevent_initial_call=True)
def save_limits(_n: int, values: list[Any], cluster_id: Any) -> Any:
    """Store new query limits; the app applies them to every query on this cluster."""
    if not _n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        v = _values(values)
        cluster_console.update_limits(
            runtime(), parse_cluster_id(cluster_id),
            max_threads=v.get("max_threads"), max_memory_gb=v.get("max_memory_gb"),
            max_execution_time_s=v.get("max_execution_time_s"),
            actor=current_actor())
    except AppError as exc:
        return make_error(exc.user_message, title="Not applied")
    return _done("Limits saved; they apply to the next query.")


@callback(Output(ClusterDetail.decommission_alert, "children"),
          Output(ClusterDetail.poll, "n_intervals"),
          Input(ClusterDetail.decommission, "n_clicks"),
          State(ClusterDetail.decommission_name, "value"), State(ClusterDetail.cluster, "data"),
          prevent_initial_call=True)
def decommission(_n: int, typed: str | None, cluster_id: Any) -> tuple[Any, Any]:
    """Drop the database after the exact name was typed (cluster admins)."""
    if not _n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        cluster_console.decommission(runtime(), parse_cluster_id(cluster_id),
                                     typed_name=typed or "", actor=current_actor())
    except AppError as exc:
        return make_error(exc.user_message, title="Not decommissioned"), no_update
    return _done("Decommissioned: the database was dropped."), 0


#: Refreshing right after a change: Dash then drops the answer of a poll that was already on
#: its way (read before the change), which would otherwise show the old secret box again.
REFRESH_NOW = Output(ClusterDetail.poll, "n_intervals", allow_duplicate=True)
POLLS = State(ClusterDetail.poll, "n_intervals")


SECRET_SEEN = Output(ClusterDetail.secret_seen, "data", allow_duplicate=True)


@callback(Output(ClusterDetail.secret_box, "children", allow_duplicate=True),
          Output(ClusterDetail.secret_note, "children"), REFRESH_NOW, SECRET_SEEN,
          Input(ClusterDetail.secret_saved, "n_clicks"), State(ClusterDetail.cluster, "data"),
          POLLS, prevent_initial_call=True)
def secret_saved(_n: int, cluster_id: Any, polls: int | None) -> tuple[Any, ...]:
    """The admin saved the new secret: erase it from the app (audited)."""
    if not _n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        credentials.acknowledge_secret(runtime(), parse_cluster_id(cluster_id),
                                       actor=current_actor())
    except AppError as exc:
        return no_update, make_error(exc.user_message, title="Not confirmed"), no_update, \
            no_update
    return None, _done("Saved: the secret was erased from the app."), (polls or 0) + 1, ""


@callback(Output(ClusterDetail.rotate_alert, "children"),
          Output(ClusterDetail.secret_box, "children", allow_duplicate=True),
          Output(ClusterDetail.rotate_confirm, "value"), REFRESH_NOW, SECRET_SEEN,
          Input(ClusterDetail.rotate, "n_clicks"), State(ClusterDetail.rotate_confirm, "value"),
          State(ClusterDetail.cluster, "data"), POLLS, prevent_initial_call=True)
def rotate(_n: int, confirmed: bool | None, cluster_id: Any, polls: int | None
           ) -> tuple[Any, ...]:
    """Give the credential a new secret once the box is ticked (cluster admins)."""
    if not _n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        if not confirmed:
            return (make_error("Tick the box to confirm that the current secret stops "
                               "working.", title="Not rotated"), no_update, no_update,
                    no_update, no_update)
        pending = credentials.rotate_credential(runtime(), parse_cluster_id(cluster_id),
                                                actor=current_actor())
    except AppError as exc:
        return make_error(exc.user_message, title="Not rotated"), no_update, no_update, \
            no_update, no_update
    return (_done("Rotated: the old secret no longer works. Save the new one above."),
            ui.make_secret(pending), False, (polls or 0) + 1, ui.secret_identity(pending))
