"""The dashboard's spec limits: the feature choices of the cluster, the editor of the chosen
feature (read-only for viewers), and Save / Reset (editors), after which the panels refresh
at once so the control chart shows the new Cp/Cpk."""

from __future__ import annotations

import uuid
from typing import Any

from dash import Input, Output, State, callback, ctx, no_update

from auth.roles import Role, has_role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import guarded, unchanged
from components import dashboard_specs as ui
from components.ids.dashboard import Dashboard, DashboardSpecs
from components.layout import make_error
from lyceum.errors import AppError, ValidationError
from services.quality import spec_limits

#: The limits editor's outputs by name: the result, the redraw triggers, each field's
#: invalid flag and message.
SAVE_OUTPUTS = {"result": Output(DashboardSpecs.result, "children"),
                "version": Output(DashboardSpecs.version, "data"),
                "tick": Output(Dashboard.tick, "n_intervals"),
                **{f"{f}_invalid": Output(getattr(DashboardSpecs, f), "invalid")
                   for f in ui.FIELDS},
                **{f"{f}_message": Output(getattr(DashboardSpecs, f"{f}_message"), "children")
                   for f in ui.FIELDS}}


def _fields(fields: dict[str, str], message: str) -> dict[str, Any]:
    """Each field's invalid flag and message, by output name."""
    names = [*(f"{f}_invalid" for f in ui.FIELDS), *(f"{f}_message" for f in ui.FIELDS)]
    return dict(zip(names, ui.field_messages(fields, message), strict=True))


def _not_saved(exc: AppError, *_args: Any) -> dict[str, Any]:
    """Field errors next to their fields; any other error above the form."""
    if isinstance(exc, ValidationError) and exc.fields:
        return {"result": None, "version": no_update, "tick": no_update,
                **_fields(exc.fields, exc.user_message)}
    return {"result": make_error(exc.user_message, title="Not saved"), "version": no_update,
            "tick": no_update, **_fields({}, "")}


@callback(Output(Dashboard.spc_feature, "options"), Output(Dashboard.spc_feature, "value"),
          Input(DashboardSpecs.version, "data"), State(Dashboard.cluster, "data"),
          State(Dashboard.spc_feature, "value"), prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=2, on_error=unchanged)
def feature_choices(_version: Any, cluster_id: int, current: Any) -> tuple[Any, Any]:
    """Every feature of this cluster's catalog (those with limits first), again after the
    limits changed; the choice kept when it is still listed, else the first. The page's
    layout lists them first (``pages.dashboard``): no first call, which would hold back
    the SPC job (its input, the feature, would be this callback's output)."""
    options = ui.feature_options(spec_limits.feature_list(runtime(), cluster_id))
    value = ui.chosen(options, current)
    return options, (no_update if value == current or not current else value)


# Drawn by the page (pages.dashboard); a version store mounted empty (None) draws it when
# the page could not.
@callback(Output(DashboardSpecs.editor, "children"), Input(Dashboard.spc_feature, "value"),
          Input(DashboardSpecs.version, "data"), State(Dashboard.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER)
def show_editor(feature: Any, _version: Any, cluster_id: int) -> Any:
    """The chosen feature's limits: editable by editors, read-only for viewers."""
    process, name = spec_limits.parse_feature_key(feature)
    limit = spec_limits.limit_of(runtime(), cluster_id, process=process, feature=name)
    return ui.make_spec_editor(limit, can_edit=has_role(cluster_id, Role.EDITOR))


@callback(output=SAVE_OUTPUTS, inputs=[
    Input(DashboardSpecs.save, "n_clicks"), Input(DashboardSpecs.reset, "n_clicks"),
    State(DashboardSpecs.lsl, "value"), State(DashboardSpecs.usl, "value"),
    State(DashboardSpecs.unit, "value"), State(Dashboard.spc_feature, "value"),
    State(Dashboard.cluster, "data"), State(Dashboard.tick, "n_intervals")],
    prevent_initial_call=True)
@guarded(Role.EDITOR, on_error=_not_saved, when=lambda save, reset, *_: (
    (save or reset) and ctx.triggered_id in (DashboardSpecs.save, DashboardSpecs.reset)))
def save_or_reset(save: int | None, reset: int | None, lsl: Any, usl: Any, unit: Any,
                  feature: Any, cluster_id: int, tick: int | None) -> dict[str, Any]:
    """Save the typed limits or reset them (editors); the version bump redraws the editor."""
    process, name = spec_limits.parse_feature_key(feature)
    if ctx.triggered_id == DashboardSpecs.reset:
        spec_limits.reset_limits(runtime(), cluster_id, process=process, feature=name,
                           actor=current_actor())
        done = "Limits reset."
    else:
        spec_limits.set_limits(runtime(), cluster_id, process=process, feature=name, lsl=lsl,
                         usl=usl, unit=unit or "", actor=current_actor())
        done = "Limits saved; the control chart shows the new Cp/Cpk."
    return {"result": ui.make_saved(done), "version": uuid.uuid4().hex,
            "tick": (tick or 0) + 1, **_fields({}, "")}
