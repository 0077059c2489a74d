"""One cluster's console: progress, configuration, connection, usage, health, events, manage."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.cluster_detail import ClusterDetail
from components.layout import make_loading_placeholder

dash.register_page(__name__, path_template="/clusters/<cluster_id>", name="Cluster",
                   title="Cluster · Lyceum Clusters", access="member", cluster_role="viewer",
                   order=20, cluster_tab="Console", icon="bi-sliders")


def _section(title: str, component_id: str, *, lg: int = 6) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([html.H2(title, className="h6 text-uppercase "
                                                                   "text-body-secondary mb-3"),
                                          html.Div(id=component_id)]),
                            className="shadow-sm h-100"), lg=lg, className="mb-4")


def layout(cluster_id: str = "", **_query: str) -> html.Div:
    """The console frame; every section is filled (and refreshed) by callbacks."""
    return html.Div([
        dcc.Store(id=ClusterDetail.cluster, data=cluster_id),
        dcc.Store(id=ClusterDetail.seen_status, data=""),
        dcc.Store(id=ClusterDetail.secret_seen, data=""),
        dcc.Interval(id=ClusterDetail.poll, interval=1_000, n_intervals=0),
        html.Div(make_loading_placeholder("Reading the cluster…"), id=ClusterDetail.header),
        html.Div(id=ClusterDetail.error),
        html.Div(id=ClusterDetail.secret_box),
        html.Div(id=ClusterDetail.secret_note),
        html.Div(id=ClusterDetail.progress),
        dbc.Row([_section("Configuration", ClusterDetail.config),
                 _section("Connection", ClusterDetail.connection)]),
        dbc.Row([_section("Usage by tier", ClusterDetail.usage, lg=7),
                 _section("Health", ClusterDetail.health, lg=5)]),
        dbc.Row([_section("Events", ClusterDetail.events, lg=7),
                 _section("Manage", ClusterDetail.manage, lg=5)]),
    ])
