"""Overview: the clusters you can use, with live figures."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.ids.overview import Overview
from components.layout import make_loading_placeholder, make_page_header

dash.register_page(__name__, path="/", name="Overview", title="Overview · Lyceum Clusters",
                   order=0, nav=True, icon="bi-grid-1x2", access="member")


def layout(**_query: str) -> html.Div:
    """Header and a placeholder that the overview callback fills."""
    return html.Div([
        make_page_header("Overview", "The analytics clusters you can use, with their latest "
                                     "figures from ClickHouse."),
        html.Div(id=Overview.error),
        html.Div(make_loading_placeholder("Reading cluster figures…"), id=Overview.clusters),
        dcc.Interval(id=Overview.load, interval=60_000, n_intervals=0),
    ])
