"""Factories for the team page: member table, add/invite forms, invitations (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.formatting import when
from components.ids.team import (
    Team,
    team_invitation_revoke,
    team_member_remove,
    team_member_reset,
    team_member_role,
)
from components.layout import make_empty_state, make_shown_once
from services.core.roles import ROLE_NAMES

ROLE_OPTIONS = [{"label": r, "value": r} for r in ROLE_NAMES]
ROLE_COLORS = {"admin": "danger", "editor": "primary", "analyst": "info", "viewer": "secondary"}


def role_badge(role: str) -> dbc.Badge:
    """A coloured badge with a role's name."""
    return dbc.Badge(role, color=ROLE_COLORS.get(role, "secondary"), className="role-badge")


def _reset_button(user_id: int) -> dbc.Button:
    return dbc.Button([html.I(className="bi bi-key me-1"), "Reset link"],
                      id=team_member_reset(user_id), color="outline-secondary", size="sm",
                      className="me-1", title="Issue a one-time password-reset link")


def make_members_table(members: Sequence[Any], *, can_manage: bool, me: int,
                       can_reset: bool = False) -> Any:
    """The members with their roles; admins get a role picker and a remove button per row,
    global admins also a password-reset link for the others."""
    if not members:
        return make_empty_state(icon="bi-people", title="No members yet",
                                text="Add people with an existing account, or invite them.")
    rows = []
    for m in members:
        if can_manage:
            role_cell: Any = dbc.Select(id=team_member_role(m.user_id), options=ROLE_OPTIONS,
                                        value=m.role, size="sm", className="team-role-select")
            action: Any = dbc.Button([html.I(className="bi bi-person-dash me-1"), "Remove"],
                                     id=team_member_remove(m.user_id), color="outline-danger",
                                     size="sm")
        else:
            role_cell, action = role_badge(m.role), None
        rows.append(html.Tr([
            html.Td([html.Div(m.display_name if m.display_name != m.email else m.email),
                     html.Div(m.email, className="small text-body-secondary")
                     if m.display_name != m.email else None,
                     dbc.Badge("you", color="light", text_color="dark", className="ms-1")
                     if m.user_id == me else None]),
            html.Td(role_cell), html.Td(_stamp(when(m.since)), className="small"),
            html.Td([_reset_button(m.user_id) if can_reset and m.user_id != me else None,
                     action], className="text-end text-nowrap")]))
    head = html.Thead(html.Tr([html.Th("Member"), html.Th("Role"), html.Th("Since"),
                               html.Th("")]))
    return dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True,
                     className="mb-0 align-middle")


def _stamp(text: str) -> list[Any]:
    """"2026-12-04 09:05 UTC" breaking only between the day and the time, never inside the
    day ("2026- / 12-04" on a phone)."""
    day, _, rest = text.partition(" ")
    parts = [day, rest] if rest else [day]
    return [piece for i, part in enumerate(parts)
            for piece in ([" "] if i else []) + [html.Span(part, className="text-nowrap")]]


def _address_row(email_id: str, role_id: str, placeholder: str,
                 button: dbc.Button) -> dbc.Row:
    """An e-mail field beside a role picker and its button; on a phone (below 576 px) the
    field takes a row of its own: beside the picker it kept ~130 px ("name@plant.e")."""
    field = dbc.Input(id=email_id, type="email", placeholder=placeholder, maxLength=254)
    role = dbc.Select(id=role_id, options=ROLE_OPTIONS, value="viewer",
                      className="team-role-picker")
    return dbc.Row([dbc.Col(field, xs=12, sm=True),
                    dbc.Col(dbc.InputGroup([role, button], className="flex-nowrap"),
                            xs=12, sm="auto")], className="g-2 team-address-row")


def make_manage_forms(*, smtp: bool) -> html.Div:
    """Add an existing account, or invite an e-mail address by one-time link."""
    mail_note = ("The link is e-mailed to the invitee." if smtp else
                 "E-mail is not configured on this server: you will get the link to copy "
                 "and pass on yourself.")
    return html.Div([
        html.H2("Add an existing account", className="h6"),
        _address_row(Team.add_email, Team.add_role, "name@plant.example",
                     dbc.Button("Add", id=Team.add, color="primary")),
        html.H2("Invite by e-mail", className="h6 mt-4"),
        _address_row(Team.invite_email, Team.invite_role, "new.colleague@plant.example",
                     dbc.Button("Invite", id=Team.invite, color="outline-primary")),
        html.P(f"Invitation links work once and expire after 7 days. {mail_note}",
               className="small text-body-secondary mt-2 mb-0", id="team-mail-note"),
    ])


def make_viewer_note() -> html.P:
    """What non-admins see instead of the forms."""
    return html.P("Only the cluster's admins can add, change or remove members.",
                  className="text-body-secondary mb-0")


def make_invitations_note() -> html.P:
    """What non-admins see in the invitations card (not the add/change note a second time)."""
    return html.P("Open invitations are listed for the cluster's admins.",
                  className="text-body-secondary mb-0")


def make_invitations(rows: Sequence[Any], *, can_manage: bool) -> Any:
    """The open invitations with a withdraw button."""
    if not can_manage:
        return None
    if not rows:
        return html.P("No open invitations.", className="text-body-secondary small mb-0")
    items = [html.Tr([html.Td([html.Div(r.email, className="text-break"),
                               html.Div(f"expires {r.expires_at:%Y-%m-%d}",
                                        className="small text-body-secondary")]),
                      html.Td(role_badge(r.role)),
                      html.Td(dbc.Button("Withdraw", id=team_invitation_revoke(r.id),
                                         color="outline-secondary", size="sm"),
                              className="text-end")]) for r in rows]
    return dbc.Table(html.Tbody(items), size="sm", className="mb-0 align-middle")


def make_invite_result(*, email: str, link: str, emailed: bool, mail_error: str) -> dbc.Alert:
    """After inviting: either "sent", or the link to copy (shown only this once)."""
    if emailed:
        return dbc.Alert(f"Invitation e-mailed to {email}.", color="success",
                         id="team-invite-sent")
    why = mail_error or "E-mail is not configured on this server."
    return dbc.Alert([
        html.Div([html.Strong(f"Invitation for {email} created. "), why,
                  " Copy this link and send it yourself — it is shown only now:"]),
        make_shown_once(link, "team-invite-link"),
    ], color="warning", id="team-invite-copy")


def make_reset_result(*, email: str, link: str, emailed: bool, mail_error: str) -> dbc.Alert:
    """After issuing a reset link: the link, shown only this once (and "e-mailed" if it was)."""
    sent = (f"It was also e-mailed to {email}. " if emailed else
            (mail_error or "E-mail is not configured on this server.") + " ")
    return dbc.Alert([
        html.Div([html.Strong(f"Reset link for {email} created. "), sent,
                  "It works once, for 24 hours, and is shown only now:"]),
        make_shown_once(link, "team-reset-link"),
    ], color="info", id="team-reset-copy", dismissable=True)
