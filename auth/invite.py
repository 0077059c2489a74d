"""The public invitation page: the invitee opens the one-time link, sets a password, joins."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import login_user

from auth.web import AuthUser, _csrf_ok, client_ip, csrf_token
from lyceum.errors import ValidationError
from services import accounts, invitations
from services.accounts import SignInError
from services.invitations import InvitationInvalid

bp = Blueprint("invite", __name__, template_folder="templates")


def _page(token: str, *, error: str | None = None, status: int = 200) -> tuple[str, int]:
    runtime = current_app.extensions["lyceum"]
    try:
        view = invitations.preview(runtime, token)
    except InvitationInvalid as exc:
        return render_template("invite.html", invalid=exc.user_message, view=None,
                               csrf=csrf_token(), error=None), 404
    return render_template("invite.html", invalid=None, view=view, csrf=csrf_token(),
                           error=error, min_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.get("/invite/<token>")
def invite_form(token: str) -> Any:
    """Show who is invited to which cluster with which role, and the password form."""
    return _page(token)


@bp.post("/invite/<token>")
def invite_accept(token: str) -> Any:
    """Accept: create (or confirm) the account, join the cluster, sign in."""
    if not _csrf_ok():
        return _page(token, error="The form expired. Please try again.", status=400)
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return _page(token, error="The two passwords differ.", status=400)
    runtime = current_app.extensions["lyceum"]
    try:
        _user_id, email = invitations.accept(runtime, token, password=password, ip=client_ip())
    except InvitationInvalid:
        return _page(token)
    except ValidationError as exc:
        return _page(token, error=exc.user_message, status=400)
    return _sign_in(email, password)


def _sign_in(email: str, password: str) -> Any:
    runtime = current_app.extensions["lyceum"]
    try:
        user = accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                                     email=email,
                                     password=password, ip=client_ip(),
                                     user_agent=request.headers.get("User-Agent", ""))
    except SignInError:
        return redirect("/login")
    session.clear()
    login_user(AuthUser(user))
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect("/")
