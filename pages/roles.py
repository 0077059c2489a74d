"""Roles: what each cluster role may do, in words."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from auth.roles import ROLE_DESCRIPTIONS, Role
from components.ids import Roles
from components.layout import make_page_header

dash.register_page(__name__, path="/roles", name="Roles", title="Roles · Lyceum Clusters",
                   order=90, nav=True, icon="bi-people", access="member")


def layout(**_query: str) -> html.Div:
    """A table of the four roles, highest first."""
    rows = [html.Tr([html.Td(dbc.Badge(role.label, color="secondary")),
                     html.Td(ROLE_DESCRIPTIONS[role])])
            for role in sorted(Role, reverse=True)]
    return html.Div([
        make_page_header("Roles", "Each member has one role per cluster; a role includes "
                                  "everything the roles below it may do. Global "
                                  "administrators act as admins on every cluster."),
        dbc.Table([html.Thead(html.Tr([html.Th("Role"), html.Th("May")])), html.Tbody(rows)],
                  bordered=False, hover=True, id=Roles.table, className="bg-body"),
    ])
