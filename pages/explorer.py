"""The curve explorer: every matching curve as a density image, golden curve, outliers,
evaluation objects and exports for one cluster."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import explorer as ui
from components.ids.explorer import Explorer, ExplorerFresh
from components.layout import make_page_header
from components.personal_views import make_personal_views
from components.role_gates import make_role_note
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
    ], active_tab="outliers", className="mb-2 tabs-one-row", id="explorer-side-tabs")
    return html.Div([
        dcc.Store(id=Explorer.cluster, data={"cluster": cluster_id, "s": s[:8_000]}),
        dcc.Store(id=Explorer.state), dcc.Store(id=Explorer.view),
        dcc.Store(id=Explorer.shape_moves), dcc.Store(id=Explorer.axis_moves),
        dcc.Store(id=Explorer.groups), dcc.Store(id=Explorer.selected), dcc.Store(id=Explorer.top),
        dcc.Store(id=Explorer.place),
        # The view in the address (callbacks.explorer.url): Back/Forward reopen it.
        dcc.Location(id=Explorer.url, refresh=False), dcc.Store(id=Explorer.address),
        dcc.Store(id=Explorer.shown_state),
        dcc.Store(id=Explorer.refine), dcc.Store(id=Explorer.refined),
        html.Div(make_page_header("Curve explorer", "Every matching curve as a density "
                                  "image; golden curve, outliers and evaluation objects."),
                 id=Explorer.header),
        html.Div(id=Explorer.error),
        # New data (an import, an ingest) is looked for every 2 s (callbacks.explorer.fresh).
        dcc.Interval(id=ExplorerFresh.tick, interval=2000), dcc.Store(id=ExplorerFresh.seen),
        dcc.Store(id=ExplorerFresh.redraw),
        html.Div(id=ExplorerFresh.note, className="small text-body-secondary mb-1"),
        html.Div([
            html.Div([make_personal_views("explorer"),
                      make_save_to_project("explorer", Explorer.shown_state)],
                     className="d-flex justify-content-end align-items-center flex-wrap gap-2 "
                               "mb-1"),
            html.Div(make_role_note("explorer"), className="text-end mb-2"),
            ui.make_filters(),
            # The side column takes 5/12 below 1400 px, so its four tabs fit in one row.
            dbc.Row([
                dbc.Col(ui.make_chart(), lg=7, xxl=8),
                dbc.Col([dbc.Card(dbc.CardBody(tabs), className="shadow-sm mb-3"),
                         html.Div(id=Explorer.part)], lg=5, xxl=4),
            ]),
        ], id=Explorer.body),
    ], className="explorer-page")
