"""Engine: the analytics engine's mode, version, tiered storage and databases (admins)."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.ids.engine import Engine
from components.layout import make_loading_placeholder, make_page_header

dash.register_page(__name__, path="/engine", name="Engine", title="Engine · Lyceum Clusters",
                   order=80, nav=True, icon="bi-hdd-stack", access="admin")


def layout(**_query: str) -> html.Div:
    """Header and placeholders filled by the engine callback."""
    return html.Div([
        make_page_header("Analytics engine", "Where the data lives and how it is tiered."),
        html.Div(id=Engine.error),
        html.Div(make_loading_placeholder("Reading the engine's system tables…"),
                 id=Engine.summary),
        html.Div(id=Engine.volumes),
        html.Div(id=Engine.databases),
        dcc.Interval(id=Engine.load, interval=30_000, n_intervals=0),
    ])
