"""Traceability by serial: search a part and see everything recorded for it across stations
and processes, in time order."""

from __future__ import annotations

import dash
from dash import dcc, html

from components import trace as ui
from components.ids.trace import Trace
from components.layout import make_page_header

dash.register_page(__name__, path_template="/clusters/<cluster_id>/trace", name="Trace a part",
                   title="Trace a part · Lyceum Clusters", access="member",
                   cluster_role="viewer", nav=False, order=22, cluster_tab="Trace",
                   icon="bi-upc-scan")


def layout(cluster_id: str = "", serial: str = "", **_query: str) -> html.Div:
    """The frame; the callbacks check the role, suggest serials and fill the record."""
    serial = serial[:80]
    return html.Div([
        dcc.Store(id=Trace.cluster, data=cluster_id),
        dcc.Store(id=Trace.serial, data=serial),
        make_page_header("Trace a part", "Every curve, result, reading and alert recorded "
                         "for one serial, across stations and processes, in time order."),
        ui.make_search(serial),
        html.Div(id=Trace.error),
        dcc.Loading(html.Div(ui.make_start(), id=Trace.body), type="dot"),
    ], className="trace-page")
