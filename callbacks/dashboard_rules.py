"""Alert rules on the live dashboard: list them, switch them (editors), add one (editors)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, has_role, parse_cluster_id, require_role
from auth.session import current_actor
from callbacks.common import runtime
from components import dashboard_rules as ui
from components.dashboard_specs import feature_options
from components.ids import Dashboard, DashboardRuleForm, DashboardRules, dashboard_rule_enabled
from components.layout import make_error
from lyceum.errors import AppError, ValidationError
from services.quality import alerts, spec_limits


def _listing(cluster_id: int) -> Any:
    return ui.make_rule_list(alerts.rules_of(runtime(), cluster_id),
                             can_edit=has_role(cluster_id, Role.EDITOR))


@callback(Output(DashboardRules.list, "children"), Input(Dashboard.tick, "n_intervals"),
          State(Dashboard.cluster, "data"))
def show_rules(_n: int, cluster_id: Any) -> Any:
    """The cluster's rules, refreshed with the page (the evaluator may add the defaults)."""
    try:
        require_role(cluster_id, Role.VIEWER)
        return _listing(parse_cluster_id(cluster_id))
    except AppError as exc:
        return make_error(exc.user_message)


@callback(Output(DashboardRuleForm.container, "children"), Input(Dashboard.cluster, "data"))
def show_form(cluster_id: Any) -> Any:
    """The add-a-rule form, for editors only."""
    try:
        require_role(cluster_id, Role.EDITOR)
        limits = spec_limits.list_limits(runtime(), parse_cluster_id(cluster_id))
    except AppError:
        return None
    return ui.make_rule_form(feature_options(limits))


@callback(Output(DashboardRules.result, "children"),
          Input(dashboard_rule_enabled(ALL), "value"),  # type: ignore[arg-type]
          State(Dashboard.cluster, "data"), prevent_initial_call=True)
def switch_rule(_values: list[bool], cluster_id: Any) -> Any:
    """Turn the switched rule on or off (editors)."""
    if not ctx.triggered_id or ctx.triggered[0].get("value") is None:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.EDITOR)
        changed = alerts.set_rule_enabled(runtime(), parse_cluster_id(cluster_id),
                                          int(ctx.triggered_id["rule"]),
                                          bool(ctx.triggered[0]["value"]),
                                          actor=current_actor())
    except AppError as exc:
        return make_error(exc.user_message, title="Not changed")
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
def add_rule(n: int | None, name: str | None, kind: str, feature: str | None,
             value: float | None, window: float | None, severity: str,
             cluster_id: Any) -> tuple[Any, Any]:
    """Add a rule from the form (editors); it is evaluated from the next cycle on."""
    if not n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.EDITOR)
        cid = parse_cluster_id(cluster_id)
        if value is not None and not isinstance(value, int | float):
            raise ValidationError("Enter a number.")
        params = alerts.rule_from_form(kind=kind, feature=feature, value=value,
                                       window_minutes=window)
        alerts.create_rule(runtime(), cid, name=name or "", kind=kind, params=params,
                           severity=severity or "warning", actor=current_actor())
    except AppError as exc:
        return make_error(exc.user_message, title="Rule not added"), no_update
    return (dbc.Alert("Rule added; it is evaluated from the next refresh on.",
                      color="success", className="py-2 small", duration=6000),
            _listing(cid))
