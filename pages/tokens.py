"""A cluster's API tokens: create (secret shown once), list with last use, revoke."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.tokens import Tokens
from components.layout import make_loading_placeholder
from components.tokens import make_create_form

dash.register_page(__name__, path_template="/clusters/<cluster_id>/tokens", name="API tokens",
                   title="API tokens · Lyceum Clusters", access="member",
                   cluster_role="viewer", order=26, cluster_tab="API tokens",
                   icon="bi-key")


def layout(cluster_id: str = "", **_query: str) -> html.Div:
    """The tokens frame; callbacks fill the header and the table."""
    return html.Div([
        dcc.Store(id=Tokens.cluster, data=cluster_id),
        dcc.Store(id=Tokens.version, data=0),
        html.Div(make_loading_placeholder("Reading the tokens…"), id=Tokens.header),
        html.Div(id=Tokens.error),
        html.Div(id=Tokens.secret_box),
        html.Div(id=Tokens.alert),
        dbc.Card(dbc.CardBody([html.H2("New token", className="h6 text-uppercase "
                                                              "text-body-secondary mb-3"),
                               make_create_form()]), className="shadow-sm mb-4"),
        dbc.Card(dbc.CardBody(html.Div(id=Tokens.table)), className="shadow-sm"),
    ])
