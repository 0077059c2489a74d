"""API tokens page callbacks: list, create (secret shown once), revoke.

Every member may hold tokens with a role no higher than their own; admins see and revoke all
of the cluster's tokens, others only their own.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from auth.roles import Role, require_role
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from callbacks.guard import clicked, guarded, item_clicked
from components import tokens as ui
from components.ids.tokens import Tokens, tokens_revoke
from components.layout import make_error, make_page_header
from lyceum.clock import utcnow
from lyceum.errors import AppError, ValidationError
from services.access import tokens
from services.access.page_views import tokens_view

BUMP = Output(Tokens.version, "data", allow_duplicate=True)


def _header(name: str, *, admin: bool) -> html.Div:
    scope = "all tokens of this cluster" if admin else "your tokens on this cluster"
    link = dbc.Button([html.I(className="bi bi-book me-1"), "API reference"],
                      href="/api/v1/docs", color="link", size="sm", external_link=True)
    return make_page_header(f"API tokens · {name}", f"Programmatic access; showing {scope}.",
                            link)


@callback(Output(Tokens.header, "children"), Output(Tokens.table, "children"),
          Output(Tokens.error, "children"), Input(Tokens.version, "data"),
          State(Tokens.cluster, "data"))
@guarded(Role.VIEWER, outputs=3, error_output=2, fill=None, granted="role")
def refresh(_version: Any, cluster_id: int, *,
            role: Role = Role.VIEWER) -> tuple[Any, Any, Any]:
    """Fill the header and the token table."""
    admin = role >= Role.ADMIN
    view = tokens_view(runtime(), cluster_id, owner_id=None if admin else signed_in_user().id)
    return (_header(view.cluster_name, admin=admin),
            ui.make_tokens_table(view.tokens, now=utcnow(), owners=view.owners), None)


def _expiry(value: Any) -> int | None:
    if value == "never":
        return None
    if isinstance(value, str) and value in {"1", "7", "30", "90"}:
        return int(value)
    raise ValidationError("Choose 1, 7, 30 or 90 days, or never.")


def not_created_message(exc: AppError) -> str:
    """What to fix, said once: each field's message when there are some (the title already
    says the token was not created), else the error's own message."""
    fields = getattr(exc, "fields", None) or {}
    return " ".join(fields.values()) or exc.user_message


def _not_created(exc: AppError, *_args: Any) -> tuple[Any, Any, Any]:
    return no_update, None, make_error(not_created_message(exc), title="Not created")


@callback(BUMP, Output(Tokens.secret_box, "children"), Output(Tokens.alert, "children"),
          Input(Tokens.create, "n_clicks"), State(Tokens.name, "value"),
          State(Tokens.role, "value"), State(Tokens.expiry, "value"),
          State(Tokens.cluster, "data"), State(Tokens.version, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, when=clicked, on_error=_not_created)
def create(_n: Any, name: Any, role: Any, expiry: Any, cluster_id: int,
           version: Any) -> tuple[Any, Any, Any]:
    """Create a token with a role no higher than the creator's; show its secret once."""
    wanted = Role.parse(role) if isinstance(role, str) and role in {
        r.label for r in Role} else None
    if wanted is None:
        raise ValidationError("Choose a role: admin, editor, analyst or viewer.")
    require_role(cluster_id, wanted)
    row, secret = tokens.create_token(
        runtime(), user_id=signed_in_user().id, cluster_id=cluster_id,
        name=name if isinstance(name, str) else "", role=wanted.label,
        expires_in_days=_expiry(expiry), actor=current_actor())
    return (version or 0) + 1, ui.make_secret(secret, name=row.name), None


@callback(BUMP, Output(Tokens.alert, "children", allow_duplicate=True),
          Input(tokens_revoke(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Tokens.cluster, "data"), State(Tokens.version, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=2, error_output=1, title="Not revoked", when=item_clicked,
         granted="role")
def revoke(_clicks: Any, cluster_id: int, version: Any, *,
           role: Role = Role.VIEWER) -> tuple[Any, Any]:
    """Revoke the token whose button was clicked (admins: any; others: their own)."""
    token_id = ctx.triggered_id.get("token")
    if isinstance(token_id, bool) or not isinstance(token_id, int):
        raise ValidationError("That token does not exist.")
    tokens.revoke_token(runtime(), cluster_id=cluster_id, token_id=token_id,
                        actor=current_actor(),
                        owner_id=None if role >= Role.ADMIN else signed_in_user().id)
    return (version or 0) + 1, dbc.Alert("Token revoked; it is refused from now on.",
                                         color="success", duration=6000, className="py-2")
