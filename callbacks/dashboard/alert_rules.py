"""Alert rules on the live dashboard: list them, switch them (editors), add one (editors)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate

from auth.roles import Role, has_role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import clicked, guarded
from components import dashboard_rules as ui
from components.dashboard_specs import feature_options
from components.ids.dashboard import (
    Dashboard,
    DashboardRuleForm,
    DashboardRules,
    dashboard_rule_enabled,
)
from lyceum.errors import ValidationError
from services.quality import alerts, spec_limits


def _listing(cluster_id: int) -> Any:
    return ui.make_rule_list(alerts.rules_of(runtime(), cluster_id),
                             can_edit=has_role(cluster_id, Role.EDITOR))


def _switched(*_args: Any) -> bool:
    """A switch was really flipped (not a redraw of the list)."""
    return bool(ctx.triggered_id) and ctx.triggered[0].get("value") is not None


@callback(Output(DashboardRules.list, "children"), Input(Dashboard.tick, "n_intervals"),
          State(Dashboard.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER)
def show_rules(_n: int, cluster_id: int) -> Any:
    """The cluster's rules, refreshed with the page (the evaluator may add the defaults);
    the page draws them first, or its first tick comes at once."""
    return _listing(cluster_id)


@callback(Output(DashboardRuleForm.container, "children"), Input(Dashboard.opening, "data"),
          State(Dashboard.cluster, "data"))
@guarded(Role.EDITOR, on_error=lambda _exc, _opening, _cluster_id: None)
def show_form(_opening: Any, cluster_id: int) -> Any:
    """The add-a-rule form, for editors only: drawn by the page when it opened its view,
    else here (the opening store is only there then)."""
    return ui.make_rule_form(feature_options(spec_limits.feature_list(runtime(), cluster_id)))


@callback(Output(DashboardRules.result, "children"),
          Input(dashboard_rule_enabled(ALL), "value"),  # type: ignore[arg-type]
          State(Dashboard.cluster, "data"), prevent_initial_call=True)
@guarded(Role.EDITOR, title="Not changed", when=_switched)
def switch_rule(_values: list[bool], cluster_id: int) -> Any:
    """Turn the switched rule on or off (editors)."""
    changed = alerts.set_rule_enabled(runtime(), cluster_id, int(ctx.triggered_id["rule"]),
                                      bool(ctx.triggered[0]["value"]), actor=current_actor())
    if not changed:  # the list was drawn again (a refresh, a new rule): keep its message
        raise PreventUpdate
    return None


@callback(Output(DashboardRules.result, "children", allow_duplicate=True),
          Output(DashboardRules.list, "children", allow_duplicate=True),
          Input(DashboardRules.add, "n_clicks"), State(DashboardRules.name, "value"),
          State(DashboardRules.kind, "value"), State(DashboardRules.feature, "value"),
          State(DashboardRules.value, "value"), State(DashboardRules.window, "value"),
          State(DashboardRules.severity, "value"), State(Dashboard.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, outputs=2, error_output=0, title="Rule not added", when=clicked)
def add_rule(_n: int | None, name: str | None, kind: str, feature: str | None,
             value: float | None, window: float | None, severity: str,
             cluster_id: int) -> tuple[Any, Any]:
    """Add a rule from the form (editors); it is evaluated from the next cycle on."""
    if value is not None and not isinstance(value, int | float):
        raise ValidationError("Enter a number.")
    params = alerts.rule_from_form(kind=kind, feature=feature, value=value,
                                   window_minutes=window)
    alerts.create_rule(runtime(), cluster_id, name=name or "", kind=kind, params=params,
                       severity=severity or "warning", actor=current_actor())
    return (dbc.Alert("Rule added; it is evaluated from the next refresh on.",
                      color="success", className="py-2 small", duration=6000),
            _listing(cluster_id))
