"""A cluster's team: members and roles, adding, invitations."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.team import Team
from components.layout import make_loading_placeholder

dash.register_page(__name__, path_template="/clusters/<cluster_id>/team", name="Team",
                   title="Team · Lyceum Clusters", access="member", cluster_role="viewer",
                   order=25, cluster_tab="Team", icon="bi-people")


def _card(title: str, body: object, *, body_id: str | None = None) -> dbc.Card:
    inner = [html.H2(title, className="h6 text-uppercase text-body-secondary mb-3"), body]
    return dbc.Card(dbc.CardBody(inner, id=body_id) if body_id else dbc.CardBody(inner),
                    className="shadow-sm mb-4")


def layout(cluster_id: str = "", **_query: str) -> html.Div:
    """The team frame; callbacks fill members, forms and invitations."""
    return html.Div([
        dcc.Store(id=Team.cluster, data=cluster_id),
        dcc.Store(id=Team.version, data=0),
        html.Div(make_loading_placeholder("Reading the team…"), id=Team.header),
        html.Div(id=Team.error),
        html.Div(id=Team.alert),
        html.Div(id=Team.invite_result),
        html.Div(id=Team.reset_result),
        dbc.Row([
            dbc.Col(_card("Members", html.Div(id=Team.members)), lg=7),
            dbc.Col([_card("Add people", html.Div(id=Team.manage)),
                     _card("Open invitations", html.Div(id=Team.invitations))], lg=5),
        ]),
    ])
