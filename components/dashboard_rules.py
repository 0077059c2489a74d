"""The alert rules card of the live dashboard: the list (switches for editors) and a form."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.ids.dashboard import DashboardRules, dashboard_rule_enabled

KINDS = [("yield_below", "Yield below a threshold (%)"),
         ("feature_spec", "Feature outside its spec"),
         ("spc_rule", "SPC rule broken (WE1, WE2)"),
         ("station_stopped", "Station stopped longer than (min)")]
SEVERITIES = [("warning", "Warning"), ("critical", "Critical"), ("info", "Info")]


def _describe(rule: Any) -> str:
    p = rule.params
    if rule.kind == "station_stopped":
        return f"stopped > {p.get('minutes', 0):g} min"
    window = f"over {p.get('window_minutes', 0):g} min"
    if rule.kind == "yield_below":
        return f"yield < {p.get('threshold', 0):g} % {window}"
    return f"{p.get('feature', '')} ({p.get('process', '')}) {window}"


def make_rule_list(rules: list[Any], *, can_edit: bool) -> Any:
    """Every rule of the cluster; editors can switch each on or off."""
    if not rules:
        return html.P("No alert rules yet.", className="small text-body-secondary mb-2")
    rows = []
    for rule in rules:
        label = html.Div([html.Span(rule.name, className="fw-semibold"),
                          html.Span(f" · {_describe(rule)} · {rule.severity}",
                                    className="text-body-secondary")])
        switch = dbc.Switch(id=dashboard_rule_enabled(rule.id), value=rule.enabled,
                            className="mb-0 ms-2") if can_edit else html.Span(
            "on" if rule.enabled else "off", className="ms-2")
        rows.append(html.Div([label, switch], className="d-flex justify-content-between "
                             "align-items-center small py-1 border-bottom"))
    return html.Div(rows, className="mb-2")


def _options(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in pairs]


def make_rule_form(features: list[dict[str, str]]) -> html.Details:
    """A compact form to add a rule (shown to editors); ``features`` are the feature choices
    (every feature of the cluster's catalog, those with spec limits first)."""
    return html.Details([
        html.Summary("Add a rule", className="small"),
        dbc.Input(id=DashboardRules.name, placeholder="Rule name", size="sm",
                  className="mt-2", maxLength=120),
        dbc.Select(id=DashboardRules.kind, options=_options(KINDS), value="yield_below",
                   size="sm", className="mt-2"),
        dbc.Select(id=DashboardRules.feature, options=features,
                   value=features[0]["value"] if features else None, size="sm",
                   className="mt-2", placeholder="No features yet"),
        dbc.InputGroup([dbc.InputGroupText("threshold % / minutes"),
                        dbc.Input(id=DashboardRules.value, type="number", value=95)],
                       size="sm", className="mt-2"),
        dbc.InputGroup([dbc.InputGroupText("window (min)"),
                        dbc.Input(id=DashboardRules.window, type="number", value=60)],
                       size="sm", className="mt-2"),
        dbc.Select(id=DashboardRules.severity, options=_options(SEVERITIES), value="warning",
                   size="sm", className="mt-2"),
        dbc.Button("Add rule", id=DashboardRules.add, size="sm", color="primary",
                   className="mt-2"),
    ], className="mt-2")
