"""Factories for the API tokens page (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.formatting import when
from components.ids.tokens import Tokens, tokens_revoke
from components.layout import make_empty_state, make_shown_once
from components.team import ROLE_OPTIONS, role_badge

EXPIRY_OPTIONS = [{"label": "1 day", "value": "1"}, {"label": "7 days", "value": "7"},
                  {"label": "30 days", "value": "30"}, {"label": "90 days", "value": "90"},
                  {"label": "never (permanent)", "value": "never"}]


def make_create_form() -> html.Div:
    """Name, role and expiry of a new token."""
    return html.Div([
        dbc.Row([
            dbc.Col([dbc.Label("Name", html_for=Tokens.name),
                     dbc.Input(id=Tokens.name, placeholder="e.g. line 3 ingest", maxLength=120)],
                    md=5),
            dbc.Col([dbc.Label("Role", html_for=Tokens.role),
                     dbc.Select(id=Tokens.role, options=ROLE_OPTIONS, value="viewer")], md=3),
            dbc.Col([dbc.Label("Expires after", html_for=Tokens.expiry),
                     dbc.Select(id=Tokens.expiry, options=EXPIRY_OPTIONS, value="30")], md=2),
            dbc.Col(dbc.Button([html.I(className="bi bi-key me-1"), "Create"],
                               id=Tokens.create, color="primary", className="w-100"),
                    md=2, className="d-flex align-items-end"),
        ], className="g-2"),
        html.P("A token acts for you on this cluster only, with a role no higher than yours. "
               "Use it as Authorization: Bearer <token> on /api/v1.",
               className="small text-body-secondary mt-2 mb-0"),
    ])


def _state(token: Any, now: datetime) -> dbc.Badge:
    if token.revoked_at is not None:
        return dbc.Badge("revoked", color="secondary")
    if token.expires_at is not None and token.expires_at <= now:
        return dbc.Badge("expired", color="warning", text_color="dark")
    return dbc.Badge("active", color="success")


def make_tokens_table(rows: Sequence[Any], *, now: datetime, owners: dict[int, str]) -> Any:
    """Tokens with prefix, role, owner, expiry, last use and a revoke button."""
    if not rows:
        return make_empty_state(icon="bi-key", title="No API tokens yet",
                                text="Create one above for a script or another system.")
    body = []
    for t in rows:
        live = t.revoked_at is None and (t.expires_at is None or t.expires_at > now)
        body.append(html.Tr([
            html.Td(t.name), html.Td(html.Code(t.prefix + "…")), html.Td(role_badge(t.role)),
            html.Td(owners.get(t.user_id, str(t.user_id)), className="small"),
            html.Td(when(t.created_at), className="small"),
            html.Td("never" if t.expires_at is None else when(t.expires_at), className="small"),
            html.Td(when(t.last_used_at), className="small"), html.Td(_state(t, now)),
            html.Td(dbc.Button("Revoke", id=tokens_revoke(t.id), color="outline-danger",
                               size="sm") if live else None, className="text-end")]))
    head = html.Thead(html.Tr([html.Th(h) for h in ("Name", "Prefix", "Role", "Owner",
                                                    "Created", "Expires", "Last used",
                                                    "State", "")]))
    # nine columns: on a phone the table scrolls in its card, not the page sideways
    return dbc.Table([head, html.Tbody(body)], hover=True, size="sm", responsive=True,
                     className="mb-0 align-middle")


def make_secret(secret: str, *, name: str) -> dbc.Alert:
    """The new token's secret, shown only this once."""
    return dbc.Alert([
        html.Div([html.Strong(f"Token “{name}” created. "),
                  "Copy it now — it is stored only as a hash and will not be shown again."]),
        make_shown_once(secret, "tokens-secret-value"),
    ], color="success", dismissable=True)
