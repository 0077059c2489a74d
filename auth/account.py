"""The signed-in person's account page (change the password) and the public reset-link page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request
from flask_login import current_user

from auth.session import app_runtime, client_ip, csrf_ok, csrf_token
from lyceum.errors import AppError
from services.access import accounts, password_resets
from services.access.password_resets import ResetInvalid

bp = Blueprint("account", __name__, template_folder="templates")
CHANGED = "Password changed. Your other devices were signed out."
EXPIRED = "The form expired. Please try again."


def _account_page(*, error: str | None = None, notice: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    return render_template("account.html", email=current_user.email, error=error,
                           notice=notice, csrf=csrf_token(),
                           min_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.get("/account")
def account_form() -> Any:
    """The account page with the change-password form (the guard requires a session)."""
    return _account_page(notice=CHANGED if request.args.get("changed") else None)


@bp.post("/account/password")
def change_password() -> Any:
    """Change the signed-in person's password."""
    if not csrf_ok():
        return _account_page(error=EXPIRED, status=400)
    new = request.form.get("new_password", "")
    if new != request.form.get("new_password_again", ""):
        return _account_page(error="The two new passwords differ.", status=400)
    runtime = app_runtime()
    settings = runtime.settings
    try:
        accounts.change_password(
            runtime.db, runtime.passwords, keys=runtime.keys, user_id=current_user.id,
            session_token=current_user.get_id(), current=request.form.get("current_password", ""),
            new=new, ip=client_ip(), max_failures=settings.login_max_failures,
            window=timedelta(seconds=settings.login_window_seconds))
    except AppError as exc:
        return _account_page(error=exc.user_message, status=exc.status_code)
    return redirect("/account?changed=1")


def _reset_page(token: str, *, error: str | None = None, status: int = 200) -> tuple[str, int]:
    runtime = app_runtime()
    try:
        email = password_resets.preview(runtime, token)
    except ResetInvalid as exc:
        return render_template("reset.html", invalid=exc.user_message, email=None,
                               csrf=csrf_token(), error=None), 404
    return render_template("reset.html", invalid=None, email=email, csrf=csrf_token(),
                           error=error, min_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.get("/reset/<token>")
def reset_form(token: str) -> Any:
    """The one-time reset link: choose a new password."""
    return _reset_page(token)


@bp.post("/reset/<token>")
def reset_submit(token: str) -> Any:
    """Set the new password; every session of the account ends; sign in afresh."""
    if not csrf_ok():
        return _reset_page(token, error=EXPIRED, status=400)
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return _reset_page(token, error="The two passwords differ.", status=400)
    runtime = app_runtime()
    try:
        password_resets.complete(runtime, token, password=password, ip=client_ip())
    except ResetInvalid:
        return _reset_page(token)
    except AppError as exc:
        return _reset_page(token, error=exc.user_message, status=400)
    return redirect("/login?reset=1")
