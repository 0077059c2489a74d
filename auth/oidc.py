"""OpenID Connect sign-in with authlib, configured by LYCEUM_OIDC_ISSUER, _CLIENT_ID and
_CLIENT_SECRET. The routes live under /login (public) and appear only when configured."""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, redirect, request, url_for

from auth.session import EXTENSION, app_runtime, client_ip, start_signed_in
from lyceum.settings import Settings
from services.access import sso
from services.access.accounts import SignInError

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__)
FAILED = "Single sign-on did not complete. Try again, or sign in with your password."


def configured(settings: Settings) -> bool:
    """Whether single sign-on is set up."""
    return bool(settings.oidc_issuer and settings.oidc_client_id
                and settings.oidc_client_secret)


def _client() -> Any:
    oauth: OAuth | None = current_app.extensions.get("lyceum_oidc")
    return oauth.create_client("sso") if oauth is not None else None


@bp.get("/login/sso")
def sso_start() -> Any:
    """Send the browser to the identity provider."""
    client = _client()
    if client is None:
        return redirect("/login")
    return client.authorize_redirect(url_for("oidc.sso_callback", _external=True))


@bp.get("/login/sso/callback")
def sso_callback() -> Any:
    """Finish the sign-in: check the ID token, find or create the (issuer, subject) account."""
    client = _client()
    if client is None:
        return redirect("/login")
    runtime = app_runtime()
    try:
        token = client.authorize_access_token()
        claims = token.get("userinfo") or client.userinfo(token=token)
        user = sso.sign_in(runtime.db, keys=runtime.keys, issuer=str(claims.get("iss") or
                                                  runtime.settings.oidc_issuer),
                           subject=str(claims.get("sub") or ""),
                           email=str(claims.get("email") or ""),
                           name=str(claims.get("name") or ""), ip=client_ip(),
                           user_agent=request.headers.get("User-Agent", ""))
    except SignInError as exc:
        return redirect(f"/login?sso_error={_code(exc.user_message)}")
    except (OAuthError, ValueError, KeyError) as exc:
        log.warning("OIDC sign-in failed: %s", exc)
        return redirect("/login?sso_error=failed")
    start_signed_in(user)
    return redirect("/")


def _code(message: str) -> str:
    return "email_taken" if "already exists" in message else "failed"


def error_message(code: str | None) -> str | None:
    """The sign-in page's message for an ``sso_error`` code."""
    if code == "email_taken":
        return ("An account with your e-mail address already exists and is not linked to "
                "single sign-on. Sign in with your password, or ask an administrator.")
    return FAILED if code else None


def init_app(server: Flask) -> None:
    """Register the provider when configured (discovery at the issuer's well-known URL)."""
    server.register_blueprint(bp)
    settings: Settings = server.extensions[EXTENSION].settings
    if not configured(settings):
        return
    oauth = OAuth(server)
    oauth.register(
        "sso", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
        server_metadata_url=str(settings.oidc_issuer).rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"})
    server.extensions["lyceum_oidc"] = oauth
