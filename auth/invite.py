"""The public invitation page: the invitee opens the one-time link and joins.

A new address sets a password here. An address that already has an account is never asked
for its password on this page: its owner signs in through ``/login`` (which throttles and
audits) and comes back to accept. The page reads the same whether or not an account exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, redirect, render_template, request
from flask_login import current_user

from auth.session import app_runtime, client_ip, csrf_ok, csrf_token, start_signed_in
from lyceum.errors import AppError, ValidationError
from services.access import accounts, invitations
from services.access.invitations import InvitationInvalid, SignInRequired

bp = Blueprint("invite", __name__, template_folder="templates")


def _signed_in() -> Any:
    """The browser's signed-in account (API tokens never reach this page), or ``None``."""
    user = current_user
    if getattr(user, "is_authenticated", False) and getattr(user, "scope", None) is None:
        return user
    return None


def login_link(token: str) -> str:
    """The sign-in page that comes back to this invitation afterwards."""
    return "/login?next=" + quote(f"/invite/{token}", safe="/")


def _page(token: str, *, error: str | None = None, status: int = 200) -> tuple[str, int]:
    runtime = app_runtime()
    try:
        view = invitations.preview(runtime, token)
    except InvitationInvalid as exc:
        return render_template("invite.html", invalid=exc.user_message, view=None,
                               csrf=csrf_token(), error=None, me=None), 404
    me = _signed_in()
    return render_template("invite.html", invalid=None, view=view, csrf=csrf_token(),
                           error=error, min_length=accounts.MIN_PASSWORD_LENGTH,
                           me=me.email if me is not None else None,
                           is_invitee=me is not None and me.email.lower() == view.email.lower(),
                           login_link=login_link(token)), status


@bp.get("/invite/<token>")
def invite_form(token: str) -> Any:
    """Who is invited to which cluster with which role, and how to accept."""
    return _page(token)


@bp.post("/invite/<token>")
def invite_accept(token: str) -> Any:
    """Accept: as the signed-in invitee, or by creating the invited (new) account."""
    if not csrf_ok():
        return _page(token, error="The form expired. Please try again.", status=400)
    runtime = app_runtime()
    me = _signed_in()
    if me is not None:
        try:
            invitations.accept_signed_in(runtime, token, user_id=me.id, ip=client_ip())
        except InvitationInvalid:
            return _page(token)
        except AppError as exc:
            return _page(token, error=exc.user_message, status=exc.status_code)
        return redirect("/")
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return _page(token, error="The two passwords differ.", status=400)
    try:
        user_id = invitations.accept_new_account(runtime, token, password=password,
                                                 ip=client_ip())
    except InvitationInvalid:
        return _page(token)
    except SignInRequired:
        return redirect(login_link(token))
    except ValidationError as exc:
        return _page(token, error=exc.user_message, status=400)
    return _sign_in(user_id)


def _sign_in(user_id: int) -> Any:
    runtime = app_runtime()
    user = accounts.start_session(runtime.db, keys=runtime.keys, user_id=user_id, ip=client_ip(),
                                  user_agent=request.headers.get("User-Agent", ""))
    start_signed_in(user)
    return redirect("/")
