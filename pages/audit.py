"""The audit log: filter, page through, export as CSV, verify the hash chain."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from auth.session import app_runtime, current_actor
from components.audit import make_filters
from components.ids.audit import Audit
from components.layout import make_denied, make_loading_placeholder, make_page_header
from lyceum.errors import Forbidden
from services.core import audit_reader

dash.register_page(__name__, path="/audit", name="Audit log", title="Audit log · Lyceum Clusters",
                   order=85, nav=True, icon="bi-journal-text", access="member",
                   audience="cluster admins")


def layout(**_query: str) -> html.Div:
    """Filters, the table with paging, export and the chain check; for someone who
    administers no cluster (the address typed: the navigation has no link for them), the
    refusal every page gives, audited, and no form."""
    try:
        audit_reader.administered_clusters(app_runtime(), user_id=int(current_user.id),
                                           is_admin=bool(current_user.is_admin),
                                           actor=current_actor())
    except Forbidden as exc:
        return make_denied(exc.user_message)
    export = dbc.Button([html.I(className="bi bi-download me-1"), "Export CSV"],
                        id=Audit.export, href="/api/v1/audit.csv", external_link=True,
                        color="outline-secondary", size="sm")
    return html.Div([
        dcc.Store(id=Audit.page, data=0),
        dcc.Store(id=Audit.load, data=0),
        make_page_header("Audit log", "Every change and every sign-in, append-only and "
                                      "hash-chained.", export),
        html.Div(id=Audit.error),
        dbc.Card(dbc.CardBody([
            make_filters(),
            html.Div(make_loading_placeholder("Reading the log…"), id=Audit.table),
            html.Div([
                dbc.Button("‹ Newer", id=Audit.prev, color="outline-secondary", size="sm",
                           className="me-2"),
                dbc.Button("Older ›", id=Audit.next, color="outline-secondary", size="sm"),
                html.Span(id=Audit.position, className="ms-3 small text-body-secondary"),
            ], className="d-flex align-items-center mt-3"),
        ]), className="shadow-sm mb-4"),
        dbc.Card(dbc.CardBody([
            html.H2("Tamper check", className="h6 text-uppercase text-body-secondary"),
            html.P("Each entry stores the hash of its content and of the entry before it. "
                   "Verifying recomputes the whole chain.", className="small"),
            dbc.Button([html.I(className="bi bi-shield-check me-1"), "Verify chain"],
                       id=Audit.verify, color="primary", size="sm", className="mb-3"),
            html.Div(id=Audit.verify_result),
        ]), className="shadow-sm", id=Audit.verify_card, style={"display": "none"}),
    ])
