"""The caller's own account (password change) and admins' one-time password-reset links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import jsonify, request
from flask_login import current_user

from api.core import bp, json_body, runtime
from api.openapi import describe
from api.schemas import BOOL, INT, STR, TIME, component, obj
from auth.roles import Role, require_role
from auth.session import current_actor
from lyceum.errors import Forbidden
from services.access import accounts, password_resets

PASSWORD_BODY = {"type": "object", "required": ["current_password", "new_password"],
                 "properties": {"current_password": {"type": "string", "maxLength": 1024},
                                "new_password": {"type": "string", "maxLength": 1024}}}

PASSWORD_CHANGED = component("PasswordChanged", obj(status=STR, other_sessions_ended=INT))
RESET = component("PasswordReset", obj(
    id=INT, user_id=INT, email=STR, expires_at=TIME, emailed=BOOL,
    link={**STR, "description": "the one-time link; shown only in this answer"}))


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


@bp.post("/account/password")
@describe(summary="Change your own password (current one required; other sessions end)",
          tag="account", body=PASSWORD_BODY, role="signed in", response=PASSWORD_CHANGED)
def change_password() -> Any:
    """Change the signed-in person's password; throttled like sign-in, audited."""
    if getattr(current_user, "scope", None) is not None:
        raise Forbidden("API tokens cannot change a password; sign in to do that.")
    body = json_body()
    settings = runtime().settings
    ended = accounts.change_password(
        runtime().db, runtime().passwords, keys=runtime().keys, user_id=current_user.id,
        session_token=current_user.get_id(), current=_text(body, "current_password"),
        new=_text(body, "new_password"), ip=current_actor().ip,
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_window_seconds))
    return jsonify(status="changed", other_sessions_ended=ended)


@bp.post("/users/<int:user_id>/password-reset")
@describe(summary="Issue a one-time password-reset link for an account; returned once",
          tag="account", role="global admin", response=RESET, status=201)
def create_password_reset(user_id: int) -> Any:
    """A reset link (24 hours, single use; e-mailed when SMTP is configured)."""
    require_role(None, Role.ADMIN)
    new = password_resets.create_reset(runtime(), user_id=user_id, actor=current_actor(),
                                       link_base=request.host_url)
    return jsonify({"id": new.id, "user_id": new.user_id, "email": new.email,
                    "expires_at": new.expires_at.isoformat(), "emailed": new.emailed,
                    "link": password_resets.reset_link(request.host_url, new.token)}), 201
