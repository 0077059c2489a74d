"""Team page callbacks: show members, add, change role, remove, invite, withdraw.

The cluster id comes from the page's store (the browser): each callback checks the role on
that cluster on the server first — viewer to read, admin to change anything.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html, no_update
from dash.exceptions import PreventUpdate
from flask import request

from auth.roles import Role, parse_cluster_id, require_role
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from components import team as ui
from components.ids import (
    Team,
    team_invitation_revoke,
    team_member_remove,
    team_member_reset,
    team_member_role,
)
from components.layout import make_error, make_page_header
from lyceum.errors import AppError
from services.access import invitations, password_resets, team
from services.access.page_views import team_view

BUMP = Output(Team.version, "data", allow_duplicate=True)
ALERT = Output(Team.alert, "children", allow_duplicate=True)


def _header(name: str) -> html.Div:
    link = dbc.Button([html.I(className="bi bi-question-circle me-1"), "What roles may do"],
                      href="/roles", color="link", size="sm")
    return make_page_header(f"Team · {name}", "Who can do what on this cluster.", link)


@callback(Output(Team.header, "children"), Output(Team.members, "children"),
          Output(Team.manage, "children"), Output(Team.invitations, "children"),
          Output(Team.error, "children"),
          Input(Team.version, "data"), State(Team.cluster, "data"))
def refresh(_version: Any, cluster_id: Any) -> tuple[Any, ...]:
    """Fill the page; admins get the editing controls."""
    try:
        role = require_role(cluster_id, Role.VIEWER)
        cid = parse_cluster_id(cluster_id)
        view = team_view(runtime(), cid, is_admin=role >= Role.ADMIN)
    except AppError as exc:
        return None, None, None, None, make_error(exc.user_message)
    admin = role >= Role.ADMIN
    return (_header(view.cluster_name),
            ui.make_members_table(view.members, can_manage=admin, me=signed_in_user().id,
                                  can_reset=bool(signed_in_user().is_admin)),
            ui.make_manage_forms(smtp=view.smtp) if admin else ui.make_viewer_note(),
            ui.make_invitations(view.invitations, can_manage=admin)
            if admin else ui.make_viewer_note(), None)


def _ok(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="success", duration=6000, className="py-2")


@callback(BUMP, ALERT, Input(Team.add, "n_clicks"), State(Team.add_email, "value"),
          State(Team.add_role, "value"), State(Team.cluster, "data"), State(Team.version, "data"),
          prevent_initial_call=True)
def add(n: Any, email: Any, role: Any, cluster_id: Any, version: Any) -> tuple[Any, Any]:
    """Add an existing account with a role."""
    if not n:  # the form was (re)drawn, not submitted
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        member = team.add_member(runtime().db, cluster_id=parse_cluster_id(cluster_id),
                                 email=email if isinstance(email, str) else "",
                                 role=role if isinstance(role, str) else "", actor=current_actor())
    except AppError as exc:
        return no_update, make_error(exc.user_message, title="Not added")
    return (version or 0) + 1, _ok(f"{member.email} is now {member.role}.")


@callback(BUMP, ALERT, Input(team_member_role(ALL), "value"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
def change_role(_values: Any, cluster_id: Any, version: Any) -> tuple[Any, Any]:
    """Change the role of the member whose picker changed."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or ctx.triggered[0]["value"] is None:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        changed = team.change_role(runtime().db, cluster_id=parse_cluster_id(cluster_id),
                                   user_id=_whole(trigger.get("user")),
                                   role=str(ctx.triggered[0]["value"]), actor=current_actor())
    except AppError as exc:
        return (version or 0) + 1, make_error(exc.user_message, title="Role not changed")
    if not changed:  # the picker was (re)drawn, not changed: nothing to do
        raise PreventUpdate
    return (version or 0) + 1, _ok("Role changed.")


@callback(BUMP, ALERT, Input(team_member_remove(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
def remove(_clicks: Any, cluster_id: Any, version: Any) -> tuple[Any, Any]:
    """Remove the member whose button was clicked."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        team.remove_member(runtime().db, cluster_id=parse_cluster_id(cluster_id),
                           user_id=_whole(trigger.get("user")), actor=current_actor())
    except AppError as exc:
        return no_update, make_error(exc.user_message, title="Not removed")
    return (version or 0) + 1, _ok("Member removed.")


@callback(BUMP, Output(Team.invite_result, "children"), Input(Team.invite, "n_clicks"),
          State(Team.invite_email, "value"), State(Team.invite_role, "value"),
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
def invite(n: Any, email: Any, role: Any, cluster_id: Any, version: Any) -> tuple[Any, Any]:
    """Create an invitation; show "sent" or the link to copy."""
    if not n:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        new = invitations.create_invitation(
            runtime(), cluster_id=parse_cluster_id(cluster_id),
            email=email if isinstance(email, str) else "",
            role=role if isinstance(role, str) else "", actor=current_actor(),
            link_base=request.host_url)
    except AppError as exc:
        return no_update, make_error(exc.user_message, title="Not invited")
    link = f"{request.host_url.rstrip('/')}/invite/{new.token}"
    return (version or 0) + 1, ui.make_invite_result(email=new.email, link=link,
                                                     emailed=new.emailed,
                                                     mail_error=new.mail_error)


@callback(BUMP, ALERT, Input(team_invitation_revoke(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
def withdraw(_clicks: Any, cluster_id: Any, version: Any) -> tuple[Any, Any]:
    """Withdraw the invitation whose button was clicked."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    try:
        require_role(cluster_id, Role.ADMIN)
        invitations.revoke(runtime(), cluster_id=parse_cluster_id(cluster_id),
                           invitation_id=_whole(trigger.get("invitation")),
                           actor=current_actor())
    except AppError as exc:
        return no_update, make_error(exc.user_message, title="Not withdrawn")
    return (version or 0) + 1, _ok("Invitation withdrawn; its link no longer works.")


@callback(Output(Team.reset_result, "children"),
          Input(team_member_reset(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), prevent_initial_call=True)
def reset_link(_clicks: Any, _cluster_id: Any) -> Any:
    """Issue a one-time password-reset link for a member (global admins only); shown once."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    try:
        require_role(None, Role.ADMIN)
        new = password_resets.create_reset(runtime(), user_id=_whole(trigger.get("user")),
                                           actor=current_actor(), link_base=request.host_url)
    except AppError as exc:
        return make_error(exc.user_message, title="No reset link")
    return ui.make_reset_result(email=new.email,
                                link=password_resets.reset_link(request.host_url, new.token),
                                emailed=new.emailed, mail_error=new.mail_error)


def _whole(value: Any) -> int:
    """An id from a pattern-matched component id (client input)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AppError("That item does not exist.")
    return value
