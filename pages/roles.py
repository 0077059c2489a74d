"""Roles: what each cluster role may do, as a matrix, and the roles in words."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from auth.permissions import CAPABILITIES, GLOBAL, allows
from auth.roles import ROLE_DESCRIPTIONS, Role
from components.ids.roles import Roles
from components.layout import make_page_header

dash.register_page(__name__, path="/roles", name="Roles", title="Roles · Lyceum Clusters",
                   order=90, nav=True, icon="bi-people", access="member")

_ROLES = sorted(Role, reverse=True)
_YES = html.I(className="bi bi-check-circle-fill text-success", title="allowed")
_NO = html.I(className="bi bi-dash text-body-tertiary", title="not allowed")


def _matrix() -> dbc.Table:
    head = html.Thead(html.Tr([html.Th("Area"), html.Th("May …")]
                              + [html.Th(r.label, className="text-center") for r in _ROLES]
                              + [html.Th(GLOBAL, className="text-center")]))
    rows = [html.Tr([html.Td(c.area, className="text-body-secondary small"), html.Td(c.action)]
                    + [html.Td(_YES if allows(r, c) else _NO, className="text-center")
                       for r in _ROLES] + [html.Td(_YES, className="text-center")])
            for c in CAPABILITIES]
    return dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True, id=Roles.table,
                     className="bg-body align-middle")


def layout(**_query: str) -> html.Div:
    """The capability matrix, then each role in one sentence."""
    words = [html.Tr([html.Td(dbc.Badge(role.label, color="secondary")),
                      html.Td(ROLE_DESCRIPTIONS[role])]) for role in _ROLES]
    return html.Div([
        make_page_header("Roles", "Each member has one role per cluster; a role includes "
                                  "everything the roles below it may do. Global "
                                  "administrators act as admins on every cluster. API tokens "
                                  "carry one role on one cluster."),
        _matrix(),
        html.H2("In short", className="h5 mt-4"),
        dbc.Table([html.Tbody(words)], bordered=False, className="bg-body"),
    ])
