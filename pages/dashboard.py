"""The live quality dashboard of one cluster: KPIs, line states, SPC, heatmap and alerts."""

from __future__ import annotations

import uuid

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import dashboard as ui
from components import spc_chart
from components.ids import (
    Dashboard,
    DashboardRuleForm,
    DashboardRules,
    DashboardSpc,
    DashboardSpecs,
    DashboardStores,
)
from components.layout import make_page_header
from components.save_to_project import make_save_to_project

dash.register_page(__name__, path_template="/clusters/<cluster_id>/dashboard",
                   name="Live quality", title="Live quality · Lyceum Clusters",
                   access="member", cluster_role="viewer", nav=False,
                   order=22, cluster_tab="Live quality", icon="bi-speedometer2")

WINDOWS = [("1h", "Last hour"), ("shift", "Last shift (8 h)"), ("24h", "Last 24 h"),
           ("7d", "Last 7 days")]
KINDS = [("xbar_r", "X̄-R (n = 5)"), ("xbar_s", "X̄-S (n = 10)"), ("imr", "I-MR")]
BASELINES = [("7d", "Baseline: 7 d before window"), ("30d", "Baseline: 30 d before window")]
_GRAPH: dcc.Graph.Config = {"displayModeBar": False}


def _spc_controls() -> html.Div:
    return html.Div([
        # The cluster's features (from its catalog) arrive with the first callback.
        dbc.Select(id=Dashboard.spc_feature, value=None, size="sm", className="me-2",
                   options=[], placeholder="Feature"),
        dbc.Select(id=Dashboard.spc_kind, value="xbar_r", size="sm", className="me-2",
                   options=[{"label": t, "value": v} for v, t in KINDS]),
        dbc.Select(id=Dashboard.spc_baseline, value="7d", size="sm",
                   options=[{"label": t, "value": v} for v, t in BASELINES]),
    ], className="d-flex mb-2")


def layout(cluster_id: str = "", asset: str = "", **_query: str) -> html.Div:
    """The frame; the refresh callbacks fill and patch every panel (every
    ``LYCEUM_DASHBOARD_REFRESH_S`` seconds, which the first status refresh sets)."""
    return html.Div([
        dcc.Store(id=Dashboard.cluster, data=cluster_id),
        dcc.Store(id=Dashboard.viewer, data=uuid.uuid4().hex),
        dcc.Store(id=Dashboard.config, data={"asset": asset[:12]}),
        dcc.Store(id=DashboardStores.alerts_seen, data=None),
        dcc.Store(id=DashboardSpecs.version, data=None),
        # Until callbacks.dashboard.refresh_status sets the configured period on first load.
        dcc.Interval(id=Dashboard.tick, interval=30_000, n_intervals=0),
        make_page_header("Live quality", "Yield, line states, SPC and alerts of this cluster, "
                         "refreshed automatically.",
                         actions=html.Div([html.Div(id=Dashboard.feed_row),
                                           make_save_to_project("dashboard", Dashboard.config)],
                                          className="d-flex gap-2 align-items-center")),
        # Lines and stations come from the cluster's catalog (callbacks.dashboard).
        ui.make_controls(windows=WINDOWS, lines=[], stations=[]),
        html.Div(id=Dashboard.error),
        dbc.Row([ui.make_kpi_card(k, label) for k, label in ui.KPI_CARDS]),
        html.Div(["Parts in window: ", html.Span("—", id=Dashboard.parts)],
                 className="small text-body-secondary mb-3"),
        dbc.Row([
            dbc.Col(ui.make_card("Defect rate by mode", dcc.Graph(
                id=Dashboard.defects, figure=spc_chart.make_defect_bars(), config=_GRAPH)),
                lg=7, className="mb-4"),
            dbc.Col(ui.make_card("Line status", html.Div(id=Dashboard.status)), lg=5,
                    className="mb-4"),
        ]),
        dbc.Row([
            dbc.Col(ui.make_card("Control chart", html.Div([
                _spc_controls(), dcc.Graph(id=Dashboard.spc, config=_GRAPH,
                                           figure=spc_chart.make_control_chart()),
                html.Div(id=Dashboard.spc_summary, className="small"),
                html.Div(id=DashboardSpecs.editor), html.Div(id=DashboardSpecs.result)]),
                extra=ui.make_computing_badge(DashboardSpc.running)), lg=7, className="mb-4"),
            dbc.Col(ui.make_card("Defect rate p-chart", dcc.Graph(
                id=Dashboard.pchart, config=_GRAPH,
                figure=spc_chart.make_control_chart(height=340))), lg=5, className="mb-4"),
        ]),
        dbc.Row([
            dbc.Col(ui.make_card("Defect rate by station and hour", dcc.Graph(
                id=Dashboard.heatmap, figure=spc_chart.make_heatmap(), config=_GRAPH)),
                lg=8, className="mb-4"),
            dbc.Col(ui.make_card("Alerts", html.Div([
                html.Div(id=Dashboard.ack_result), html.Div(id=Dashboard.alerts),
                html.H3("Rules", className="h6 text-uppercase text-body-secondary mt-3"),
                html.Div(id=DashboardRules.result), html.Div(id=DashboardRules.list),
                html.Div(id=DashboardRuleForm.container)])),
                lg=4, className="mb-4"),
        ]),
    ], className="dashboard")
