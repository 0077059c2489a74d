"""The browser session: who is signed in, the form (CSRF) token, the client's address, and
starting a sign-in session. Used by the login, invitation, account and OIDC pages and by the
callbacks (the audit actor); it imports none of them.
"""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, has_request_context, request, session
from flask_login import UserMixin, current_user, login_user

from services.access.accounts import SessionUser
from services.core.audit import Actor
from services.core.runtime import Runtime

#: The key of the app's :class:`Runtime` in ``Flask.extensions`` (set by ``create_app``).
EXTENSION = "lyceum"


class AuthUser(UserMixin):
    """flask-login's view of a :class:`SessionUser`; its id is the server-side session token.

    ``scope`` is set for API tokens: (cluster id, role) the request is limited to.
    """

    def __init__(self, user: SessionUser, *, scope: tuple[int, str] | None = None) -> None:
        self.user = user
        self.id = user.id
        self.email = user.email
        self.display_name = user.display_name
        self.is_admin = user.is_admin
        self.scope = scope

    def get_id(self) -> str:
        """The session token (so revoking the session signs the browser out)."""
        return self.user.session_token


def app_runtime() -> Runtime:
    """The :class:`Runtime` of the app serving the current request (pages, callbacks, API
    and sign-in all reach it through this one function)."""
    found: Runtime = current_app.extensions[EXTENSION]
    return found


def client_ip() -> str:
    """The caller's address as the server saw it ("" outside a request)."""
    return (request.remote_addr or "") if has_request_context() else ""


def current_actor() -> Actor:
    """The audit actor for the current request."""
    if getattr(current_user, "is_authenticated", False):
        return Actor(user_id=current_user.id, label=current_user.email, ip=client_ip())
    return Actor(label="anonymous", ip=client_ip())


def csrf_token() -> str:
    """The per-session token that forms must send back."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return str(token)


def csrf_ok() -> bool:
    """Whether the submitted form carries this session's token."""
    sent = request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, str(session.get("csrf", "")))


def start_signed_in(user: SessionUser) -> None:
    """Sign ``user`` in on a fresh cookie session (no value of the old one survives) with a
    new form token: the one rotation used by password, invitation and single sign-on."""
    session.clear()
    login_user(AuthUser(user))
    session["csrf"] = secrets.token_urlsafe(24)
