"""The curve explorer: every matching curve as a density image, golden curve, outliers,
evaluation objects and exports for one cluster."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import explorer as ui
from components.ids import Explorer, ExplorerFresh
from components.layout import make_page_header
from components.save_to_project import make_save_to_project

dash.register_page(__name__, path_template="/clusters/<cluster_id>/explorer",
                   name="Curve explorer", title="Curve explorer · Lyceum Clusters",
                   access="member", cluster_role="viewer", nav=False, order=21,
                   cluster_tab="Curve explorer", icon="bi-activity")


def layout(cluster_id: str = "", s: str = "", **_query: str) -> html.Div:
    """The frame; the load callback checks the role, decodes ``s`` and fills everything."""
    tabs = dbc.Tabs([
        dbc.Tab(ui.make_outlier_table(), label="Outliers", tab_id="outliers"),
        dbc.Tab(ui.make_golden_panel(), label="Golden curve", tab_id="golden"),
        dbc.Tab(ui.make_objects_panel(), label="Evaluation", tab_id="objects"),
        dbc.Tab(ui.make_export_panel(), label="Export", tab_id="export"),
    ], active_tab="outliers", className="mb-2")
    return html.Div([
        dcc.Store(id=Explorer.cluster, data={"cluster": cluster_id, "s": s[:13_000]}),
        dcc.Store(id=Explorer.state), dcc.Store(id=Explorer.view),
        dcc.Store(id=Explorer.shape_moves), dcc.Store(id=Explorer.axis_moves),
        dcc.Store(id=Explorer.groups), dcc.Store(id=Explorer.selected), dcc.Store(id=Explorer.top),
        dcc.Store(id=Explorer.refine),
        html.Div(make_page_header("Curve explorer", "Every matching curve as a density "
                                  "image; golden curve, outliers and evaluation objects."),
                 id=Explorer.header),
        html.Div(id=Explorer.error),
        # New data (an import, an ingest) is looked for every 2 s (callbacks.explorer_fresh).
        dcc.Interval(id=ExplorerFresh.tick, interval=2000), dcc.Store(id=ExplorerFresh.seen),
        html.Div(id=ExplorerFresh.note, className="small text-body-secondary mb-1"),
        html.Div(make_save_to_project("explorer", Explorer.state),
                 className="d-flex justify-content-end mb-2"),
        ui.make_filters(),
        dbc.Row([
            dbc.Col(ui.make_chart(), lg=8),
            dbc.Col([dbc.Card(dbc.CardBody(tabs), className="shadow-sm mb-3"),
                     html.Div(id=Explorer.part)], lg=4),
        ]),
    ], className="explorer-page")
