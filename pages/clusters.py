"""Clusters: every cluster you can see, with status, health, size, estimate and your role."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.clusters import ANY, STATUS_OPTIONS, TYPE_OPTIONS
from components.ids.clusters import Clusters
from components.layout import make_loading_placeholder, make_page_header

dash.register_page(__name__, path="/clusters", name="Clusters", title="Clusters · Lyceum Clusters",
                   order=10, nav=True, icon="bi-database", access="member")


def layout(**_query: str) -> html.Div:
    """Filters and the table (filled by a callback)."""
    return html.Div([
        make_page_header("Clusters", "Analytics clusters: each is a ClickHouse database with "
                                     "its tiers, retention, limits and team.",
                         actions=html.Div(id=Clusters.actions)),
        dbc.Row([
            dbc.Col(dbc.Input(id=Clusters.search, placeholder="Search by name or database",
                              type="search", debounce=True), md=5),
            dbc.Col(dbc.Select(id=Clusters.status, options=STATUS_OPTIONS, value=ANY), md=3),
            dbc.Col(dbc.Select(id=Clusters.kind, options=TYPE_OPTIONS, value=ANY), md=3),
        ], className="g-2 mb-3"),
        html.Div(id=Clusters.error),
        html.Div(make_loading_placeholder("Reading clusters…"), id=Clusters.table),
        dcc.Interval(id=Clusters.load, interval=15_000, n_intervals=0),
    ])
