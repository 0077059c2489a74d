"""Import parts and curves from CSV or Parquet files into a cluster (editors)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.data_import import make_format_table
from components.ids.data_import import DataImport
from components.layout import make_page_header
from services.imports.file_format import MAX_UPLOAD_BYTES

dash.register_page(__name__, path_template="/clusters/<cluster_id>/import", name="Import data",
                   title="Import data · Lyceum Clusters", access="member",
                   cluster_role="editor", order=24, icon="bi-cloud-arrow-up",
                   cluster_tab="Import")


def layout(cluster_id: str = "", **_query: str) -> html.Div:
    """Kind, format, upload, mapping with preview, start, progress and history."""
    try:
        cid = int(cluster_id)
    except ValueError:
        cid = 0
    upload = dcc.Upload(id=DataImport.upload, max_size=MAX_UPLOAD_BYTES, multiple=False,
                        accept=".csv,.parquet,.pq", className="import-drop",
                        children=html.Div([html.I(className="bi bi-cloud-arrow-up fs-3 d-block"),
                                           "Drop a CSV or Parquet file here, or click to "
                                           "choose one",
                                           html.Div(f"up to {MAX_UPLOAD_BYTES // 1_000_000}"
                                                    " MB; larger files through the ingest API",
                                                    className="small mt-1")]))
    return html.Div([
        dcc.Store(id=DataImport.cluster, data=cluster_id),
        dcc.Store(id=DataImport.upload_store),
        dcc.Store(id=DataImport.job),
        dcc.Interval(id=DataImport.poll, interval=700, disabled=True),
        make_page_header("Import data", "Parts or curves from your plant, checked row by row "
                         "and imported whole or not at all."),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                dbc.RadioItems(id=DataImport.kind, inline=True, value="curves", className="mb-3",
                               options=[{"label": "Curves (one row per sample)",
                                         "value": "curves"},
                                        {"label": "Parts (one row per part)", "value": "parts"}]),
                upload, html.Div(id=DataImport.error, className="mt-3"),
                html.Div(id=DataImport.mapping, className="mt-3"),
                dbc.Button("Validate and import", id=DataImport.start, color="primary",
                           className="mt-3", disabled=True),
                html.Div(id=DataImport.progress, className="mt-3"),
            ]), className="shadow-sm"), lg=8, className="mb-4"),
            dbc.Col(dbc.Card(dbc.CardBody([html.H2("Recent imports", className="h6 "
                                               "text-uppercase text-body-secondary mb-3"),
                                       html.Div(id=DataImport.history)]),
                             className="shadow-sm"), lg=4, className="mb-4"),
        ]),
        dbc.Card(dbc.CardBody([html.H2("File format", className="h6 text-uppercase "
                                       "text-body-secondary mb-3"),
                               html.Div(make_format_table("curves", cluster_id=cid),
                                        id="import-format-div")]), className="shadow-sm"),
    ])
