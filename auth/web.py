"""Sign-in for the web: flask-login wiring, the login/logout routes, and the request guard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import LoginManager, current_user, logout_user

from auth import account, invite, oidc, proxies
from auth.session import (
    EXTENSION,
    AuthUser,
    app_runtime,
    client_ip,
    csrf_ok,
    csrf_token,
    current_actor,
    start_signed_in,
)
from services.access import accounts, tokens
from services.access.accounts import SessionUser, SignInError
from services.core import audit

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()

#: The routes anyone may fetch, by Flask endpoint: sign-in, invitations, health, and the
#: static files of the page (Dash names its own endpoints after their URL rules). The guard
#: decides on the rule the router matched, never on the raw path: a path such as
#: ``/invite/..%2f_dash-layout`` (the server decodes ``%2f``) starts with "/invite/" but is
#: routed to Dash's catch-all page, which is not public.
PUBLIC_ENDPOINTS = frozenset({
    "auth.login_form", "auth.login_submit", "invite.invite_form", "invite.invite_accept",
    "account.reset_form", "account.reset_submit",
    "oidc.sso_start", "oidc.sso_callback", "healthz", "_dash_assets.static",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>", "/_favicon.ico",
})
#: Dash's own endpoints and the API: refused with 401 JSON rather than a redirect.
DASH_PREFIXES = ("/_dash-", "/_reload-hash", "/api/")
#: The blueprint whose routes authenticate an ``Authorization`` header themselves.
API_BLUEPRINT = "api"
INVITE_NOTICE = "Sign in with the invited e-mail address; you then accept the invitation."
FORGED_NEXT = ("The sign-in link pointed to another site; after signing in you will be taken "
               "to the overview instead.")


def safe_next(value: str | None) -> tuple[str, bool]:
    """A same-site path to go to after sign-in, and whether ``value`` had to be refused."""
    if not value:
        return "/", False
    parts = urlsplit(value)
    if (not value.startswith("/") or value.startswith("//") or "\\" in value
            or parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value)):
        return "/", True
    return value, False


def _login_page(*, error: str | None = None, notice: str | None = None, email: str = "",
                status: int = 200) -> tuple[str, int]:
    target, forged = safe_next(request.values.get("next"))
    invite = INVITE_NOTICE if target.startswith("/invite/") else None
    notices = [n for n in (notice, invite, FORGED_NEXT if forged else None) if n]
    error = error or oidc.error_message(request.args.get("sso_error"))
    html = render_template("login.html", error=error, notices=notices, email=email[:254],
                           next=target if target != "/" else "", csrf=csrf_token(),
                           sso=oidc.configured(app_runtime().settings))
    return html, status


@bp.get("/login")
def login_form() -> Any:
    """The sign-in page (signed-in users go straight on)."""
    if getattr(current_user, "is_authenticated", False):
        return redirect(safe_next(request.args.get("next"))[0])
    notice = "You have signed out." if request.args.get("signed_out") else None
    if request.args.get("reset"):
        notice = "Your password is set. Sign in with it."
    return _login_page(notice=notice)


@bp.post("/login")
def login_submit() -> Any:
    """Check the password, rotate the session, and go to ``next``."""
    email = request.form.get("email", "")
    if not csrf_ok():
        return _login_page(error="Your sign-in form expired. Please try again.", status=400,
                           email=email)
    runtime = app_runtime()
    settings = runtime.settings
    try:
        user = accounts.authenticate(
            runtime.db, runtime.passwords, keys=runtime.keys, email=email,
            password=request.form.get("password", ""),
            ip=client_ip(), user_agent=request.headers.get("User-Agent", ""),
            max_failures=settings.login_max_failures,
            window=timedelta(seconds=settings.login_window_seconds),
        )
    except SignInError as exc:
        return _login_page(error=exc.user_message, status=exc.status_code, email=email)
    target, _forged = safe_next(request.form.get("next"))
    start_signed_in(user)
    return redirect(target)


@bp.post("/logout")
def logout() -> Any:
    """Revoke the server-side session and clear the cookie."""
    if getattr(current_user, "is_authenticated", False):
        if not csrf_ok():
            return redirect("/")
        accounts.end_session(app_runtime().db, current_user.get_id(), keys=app_runtime().keys,
                             actor=current_actor())
    logout_user()
    session.clear()
    return redirect("/login?signed_out=1")


def _same_origin() -> bool:
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return False
    return urlsplit(origin).netloc == request.host


def _json_error(code: str, message: str, status: int) -> Any:
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    return response


def is_public_request() -> bool:
    """Whether the route the router matched for this request is open to anyone."""
    rule = request.url_rule
    return rule is not None and request.routing_exception is None and (
        rule.endpoint in PUBLIC_ENDPOINTS)


def has_authorization_header() -> bool:
    """Whether the request carries an ``Authorization`` header (of any scheme or value)."""
    return "Authorization" in request.headers


def guard() -> Any:
    """Refuse every non-public request without a live session (and cross-site writes).

    A request authenticates by exactly one method. With an ``Authorization`` header the
    session cookie is ignored (see :func:`_load_user`): only the API takes such a header and
    authenticates it itself, refusing a bad one. Without it, the session cookie signs the
    request in, and every write must come from this site.
    """
    path = request.path
    if is_public_request():
        return None
    if has_authorization_header():
        if request.blueprint == API_BLUEPRINT:
            return None  # the API authenticates tokens and credentials itself
        return _json_error("not_authenticated", "Only the API (/api/v1) accepts an "
                           "Authorization header; sign in to use the web app.", 401)
    if not getattr(current_user, "is_authenticated", False):
        rule = request.url_rule.rule if request.url_rule is not None else path
        if rule.startswith(DASH_PREFIXES) or path.startswith(DASH_PREFIXES) or (
                request.method != "GET"):
            return _json_error("not_authenticated", "Sign in first.", 401)
        query = request.full_path.rstrip("?")
        return redirect(f"/login?next={query}" if path != "/" else "/login")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
        with app_runtime().db.session() as db_session:
            audit.record(db_session, "request.cross_origin", actor=current_actor(),
                         outcome="denied", detail={"path": path[:200], "origin": (
                             request.headers.get("Origin") or "")[:200]})
        return _json_error("cross_origin", "Cross-site request refused.", 403)
    return None


@login_manager.user_loader
def _load_user(token: str) -> AuthUser | None:
    """The session cookie's user; never for a request that carries an ``Authorization``
    header (one request, one way to authenticate)."""
    if has_request_context() and has_authorization_header():
        return None
    found = accounts.load_session(app_runtime().db, token, keys=app_runtime().keys)
    return AuthUser(found) if found else None


@login_manager.request_loader
def _load_token_user(req: Any) -> AuthUser | None:
    """API requests may carry ``Authorization: Bearer <token>`` instead of a session."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    found = tokens.verify_token(app_runtime(), header.removeprefix("Bearer ").strip())
    if found is None:
        return None
    user = SessionUser(id=found.user_id, email=found.email, display_name=found.email,
                       is_admin=False, session_token="")
    return AuthUser(user, scope=(found.cluster_id, found.role))


def init_app(server: Flask) -> None:
    """Attach sign-in to the Flask server: login manager, routes and the guard."""
    server.wsgi_app = proxies.wrap(server.wsgi_app,  # type: ignore[method-assign]
                                   server.extensions[EXTENSION].settings.trusted_proxies)
    login_manager.init_app(server)
    login_manager.session_protection = None
    server.register_blueprint(bp)
    server.register_blueprint(invite.bp)
    server.register_blueprint(account.bp)
    oidc.init_app(server)
    server.before_request(guard)
