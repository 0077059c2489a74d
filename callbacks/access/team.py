"""Team page callbacks: show members, add, change role, remove, invite, withdraw.

The cluster id comes from the page's store (the browser): each callback checks the role on
that cluster on the server first — viewer to read, admin to change anything.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate
from flask import request

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from callbacks.guard import clicked, guarded, item_changed, item_clicked
from components import team as ui
from components.ids.team import (
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
@guarded(Role.VIEWER, outputs=5, error_output=4, fill=None, granted="role")
def refresh(_version: Any, cluster_id: int, *, role: Role = Role.VIEWER) -> tuple[Any, ...]:
    """Fill the page; admins get the editing controls."""
    admin = role >= Role.ADMIN
    view = team_view(runtime(), cluster_id, is_admin=admin)
    return (_header(view.cluster_name),
            ui.make_members_table(view.members, can_manage=admin, me=signed_in_user().id,
                                  can_reset=bool(signed_in_user().is_admin)),
            ui.make_manage_forms(smtp=view.smtp) if admin else ui.make_viewer_note(),
            ui.make_invitations(view.invitations, can_manage=admin)
            if admin else ui.make_invitations_note(), None)


def _ok(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="success", duration=6000, className="py-2")


@callback(BUMP, ALERT, Input(Team.add, "n_clicks"), State(Team.add_email, "value"),
          State(Team.add_role, "value"), State(Team.cluster, "data"), State(Team.version, "data"),
          prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, error_output=1, title="Not added", when=clicked)
def add(_n: Any, email: Any, role: Any, cluster_id: int, version: Any) -> tuple[Any, Any]:
    """Add an existing account with a role (not when the form is only redrawn)."""
    member = team.add_member(runtime().db, cluster_id=cluster_id,
                             email=email if isinstance(email, str) else "",
                             role=role if isinstance(role, str) else "", actor=current_actor())
    return (version or 0) + 1, _ok(f"{member.email} is now {member.role}.")


@callback(BUMP, ALERT, Input(team_member_role(ALL), "value"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
@guarded(Role.ADMIN, when=item_changed, on_error=lambda exc, _values, _cid, version: (
    (version or 0) + 1, make_error(exc.user_message, title="Role not changed")))
def change_role(_values: Any, cluster_id: int, version: Any) -> tuple[Any, Any]:
    """Change the role of the member whose picker changed; a refusal redraws the pickers."""
    changed = team.change_role(runtime().db, cluster_id=cluster_id,
                               user_id=_whole(ctx.triggered_id.get("user")),
                               role=str(ctx.triggered[0]["value"]), actor=current_actor())
    if not changed:  # the picker was (re)drawn, not changed: nothing to do
        raise PreventUpdate
    return (version or 0) + 1, _ok("Role changed.")


@callback(BUMP, ALERT, Input(team_member_remove(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, error_output=1, title="Not removed", when=item_clicked)
def remove(_clicks: Any, cluster_id: int, version: Any) -> tuple[Any, Any]:
    """Remove the member whose button was clicked."""
    team.remove_member(runtime().db, cluster_id=cluster_id,
                       user_id=_whole(ctx.triggered_id.get("user")), actor=current_actor())
    return (version or 0) + 1, _ok("Member removed.")


@callback(BUMP, Output(Team.invite_result, "children"), Input(Team.invite, "n_clicks"),
          State(Team.invite_email, "value"), State(Team.invite_role, "value"),
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, error_output=1, title="Not invited", when=clicked)
def invite(_n: Any, email: Any, role: Any, cluster_id: int, version: Any) -> tuple[Any, Any]:
    """Create an invitation; show "sent" or the link to copy."""
    new = invitations.create_invitation(
        runtime(), cluster_id=cluster_id, email=email if isinstance(email, str) else "",
        role=role if isinstance(role, str) else "", actor=current_actor(),
        link_base=request.host_url)
    link = f"{request.host_url.rstrip('/')}/invite/{new.token}"
    return (version or 0) + 1, ui.make_invite_result(email=new.email, link=link,
                                                     emailed=new.emailed,
                                                     mail_error=new.mail_error)


@callback(BUMP, ALERT, Input(team_invitation_revoke(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), State(Team.version, "data"), prevent_initial_call=True)
@guarded(Role.ADMIN, outputs=2, error_output=1, title="Not withdrawn", when=item_clicked)
def withdraw(_clicks: Any, cluster_id: int, version: Any) -> tuple[Any, Any]:
    """Withdraw the invitation whose button was clicked."""
    invitations.revoke(runtime(), cluster_id=cluster_id,
                       invitation_id=_whole(ctx.triggered_id.get("invitation")),
                       actor=current_actor())
    return (version or 0) + 1, _ok("Invitation withdrawn; its link no longer works.")


@callback(Output(Team.reset_result, "children"),
          Input(team_member_reset(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Team.cluster, "data"), prevent_initial_call=True)
@guarded(Role.ADMIN, cluster=None, title="No reset link", when=item_clicked)
def reset_link(_clicks: Any, _cluster_id: Any) -> Any:
    """Issue a one-time password-reset link for a member (global admins only); shown once."""
    new = password_resets.create_reset(runtime(), user_id=_whole(ctx.triggered_id.get("user")),
                                       actor=current_actor(), link_base=request.host_url)
    return ui.make_reset_result(email=new.email,
                                link=password_resets.reset_link(request.host_url, new.token),
                                emailed=new.emailed, mail_error=new.mail_error)


def _whole(value: Any) -> int:
    """An id from a pattern-matched component id (client input)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AppError("That item does not exist.")
    return value
