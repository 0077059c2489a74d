"""A cluster's SQL console: an editor beside the tables, a paged result, exports, history."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.sql_console import SqlConsole
from components.layout import make_loading_placeholder, make_page_header
from services.gateway.console import MAX_ROWS, PAGE_SIZES

dash.register_page(__name__, path_template="/clusters/<cluster_id>/sql", name="SQL console",
                   title="SQL console · Lyceum Clusters", access="member",
                   cluster_role="viewer", order=24, icon="bi-terminal", cluster_tab="SQL")

PLACEHOLDER = "SELECT *\nFROM <table>\nLIMIT 100"


def _card(title: str, body: object, *, class_name: str = "") -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H2(title, className="h6 text-uppercase "
                                                         "text-body-secondary mb-3"), body]),
                    className=f"shadow-sm mb-4 {class_name}")


def layout(cluster_id: str = "", **_query: str) -> html.Div:
    """The editor, the schema panel, the result area and the history (filled by callbacks)."""
    pager = html.Div([
        dbc.Button([html.I(className="bi bi-chevron-left"), " Previous"], id=SqlConsole.prev,
                   size="sm", color="secondary", outline=True, disabled=True, className="me-2"),
        dbc.Button(["Next ", html.I(className="bi bi-chevron-right")], id=SqlConsole.next,
                   size="sm", color="secondary", outline=True, disabled=True, className="me-3"),
        html.Span(id=SqlConsole.page_label, className="small text-body-secondary me-3"),
        dbc.Select(id=SqlConsole.page_size, options=[{"label": f"{n} rows", "value": str(n)}
                                                     for n in PAGE_SIZES],
                   value=str(PAGE_SIZES[1]), size="sm", style={"width": "7.5rem"},
                   className="me-3"),
        dbc.Button([html.I(className="bi bi-filetype-csv me-1"), "CSV"],
                   id=SqlConsole.export_csv, size="sm", color="secondary", outline=True,
                   disabled=True, className="me-2"),
        dbc.Button([html.I(className="bi bi-download me-1"), "Parquet"],
                   id=SqlConsole.export_parquet, size="sm", color="secondary", outline=True,
                   disabled=True),
        dcc.Download(id=SqlConsole.download),
    ], className="d-flex flex-wrap align-items-center gap-1 mb-2")
    editor = html.Div([
        dbc.Textarea(id=SqlConsole.editor, placeholder=PLACEHOLDER, rows=9, spellCheck=False,
                     className="sql-editor mb-2", persistence=True,
                     persistence_type="session"),
        html.Div([dbc.Button([html.I(className="bi bi-play-fill me-1"), "Run"],
                             id=SqlConsole.run, color="primary", title="Ctrl+Enter"),
                  html.Span([html.Kbd("Ctrl"), "+", html.Kbd("Enter")],
                            className="small text-body-secondary me-2"),
                  html.Div(id=SqlConsole.role_note)],
                 className="d-flex flex-wrap align-items-center gap-2"),
    ])
    return html.Div([
        dcc.Store(id=SqlConsole.cluster, data=cluster_id),
        dcc.Store(id=SqlConsole.result),
        dcc.Store(id=SqlConsole.page, data=0),
        dcc.Store(id=SqlConsole.history_version, data=0),
        make_page_header("SQL console", "Run SQL on this cluster's tables with your role; "
                         f"results hold up to {MAX_ROWS:,} rows.",
                         actions=dcc.Link([html.I(className="bi bi-sliders me-1"), "Console"],
                                          href=f"/clusters/{cluster_id}",
                                          className="btn btn-sm btn-outline-secondary")),
        dbc.Row([
            dbc.Col(_card("Tables", html.Div(make_loading_placeholder("Reading the tables…"),
                                             id=SqlConsole.schema, className="sql-schema")),
                    lg=3, md=4),
            dbc.Col([
                _card("Query", editor),
                html.Div(id=SqlConsole.error),
                _card("Result", html.Div([html.Div(id=SqlConsole.summary), pager,
                                          html.Div(html.P("Run a statement to see its rows.",
                                                          className="text-muted small"),
                                                   id=SqlConsole.table)])),
                _card("History", html.Div(id=SqlConsole.history)),
            ], lg=9, md=8),
        ]),
    ])
