"""The dashboard's spec limits: the feature choices of the cluster, the editor of the chosen
feature (read-only for viewers), and Save / Reset (editors), after which the panels refresh
at once so the control chart shows the new Cp/Cpk."""

from __future__ import annotations

import uuid
from typing import Any

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, has_role, parse_cluster_id, require_role
from auth.session import current_actor
from callbacks.common import runtime
from components import dashboard_specs as ui
from components.ids import Dashboard, DashboardSpecs
from components.layout import make_error
from lyceum.errors import AppError, ValidationError
from services.quality import spec_limits


@callback(Output(Dashboard.spc_feature, "options"), Input(Dashboard.cluster, "data"),
          Input(DashboardSpecs.version, "data"))
def feature_choices(cluster_id: Any, _version: Any) -> Any:
    """Every (process, feature) with limits in this cluster."""
    try:
        require_role(cluster_id, Role.VIEWER)
        return ui.feature_options(spec_limits.list_limits(runtime(), parse_cluster_id(cluster_id)))
    except AppError:
        raise PreventUpdate from None


@callback(Output(DashboardSpecs.editor, "children"), Input(Dashboard.spc_feature, "value"),
          Input(DashboardSpecs.version, "data"), State(Dashboard.cluster, "data"))
def show_editor(feature: Any, _version: Any, cluster_id: Any) -> Any:
    """The chosen feature's limits: editable by editors, read-only for viewers."""
    try:
        require_role(cluster_id, Role.VIEWER)
        cid = parse_cluster_id(cluster_id)
        process, name = spec_limits.parse_feature_key(feature)
        limit = spec_limits.limit_of(runtime(), cid, process=process, feature=name)
    except AppError as exc:
        return make_error(exc.user_message)
    return ui.make_spec_editor(limit, can_edit=has_role(cid, Role.EDITOR))


@callback(Output(DashboardSpecs.result, "children"), Output(DashboardSpecs.version, "data"),
          Output(Dashboard.tick, "n_intervals"),
          *[Output(getattr(DashboardSpecs, f), "invalid") for f in ui.FIELDS],
          *[Output(getattr(DashboardSpecs, f"{f}_message"), "children") for f in ui.FIELDS],
          Input(DashboardSpecs.save, "n_clicks"), Input(DashboardSpecs.reset, "n_clicks"),
          State(DashboardSpecs.lsl, "value"), State(DashboardSpecs.usl, "value"),
          State(DashboardSpecs.unit, "value"), State(Dashboard.spc_feature, "value"),
          State(Dashboard.cluster, "data"), State(Dashboard.tick, "n_intervals"),
          prevent_initial_call=True)
def save_or_reset(save: int | None, reset: int | None, lsl: Any, usl: Any, unit: Any,
                  feature: Any, cluster_id: Any, tick: int | None) -> tuple[Any, ...]:
    """Save the typed limits or reset them (editors); the version bump redraws the editor."""
    if not (save or reset) or ctx.triggered_id not in (DashboardSpecs.save, DashboardSpecs.reset):
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.EDITOR)
        cid = parse_cluster_id(cluster_id)
        process, name = spec_limits.parse_feature_key(feature)
        if ctx.triggered_id == DashboardSpecs.reset:
            spec_limits.reset_limits(runtime(), cid, process=process, feature=name,
                               actor=current_actor())
            done = "Limits reset."
        else:
            spec_limits.set_limits(runtime(), cid, process=process, feature=name, lsl=lsl, usl=usl,
                             unit=unit or "", actor=current_actor())
            done = "Limits saved; the control chart shows the new Cp/Cpk."
    except ValidationError as exc:
        if exc.fields:
            return (None, no_update, no_update, *ui.field_messages(exc.fields, exc.user_message))
        return (make_error(exc.user_message, title="Not saved"), no_update, no_update,
                *ui.field_messages({}, ""))
    except AppError as exc:
        return (make_error(exc.user_message, title="Not saved"), no_update, no_update,
                *ui.field_messages({}, ""))
    return (ui.make_saved(done), uuid.uuid4().hex, (tick or 0) + 1,
            *ui.field_messages({}, ""))
