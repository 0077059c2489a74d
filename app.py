"""The application factory: one Flask server, sign-in, and the Dash pages on top of it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html
from dash.exceptions import DependencyException
from flask import Flask, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

import api
from auth import roles, web
from auth.session import EXTENSION, app_runtime
from components.ids.shared import Shell
from components.layout import make_denied, make_navbar
from lyceum import dash_adapter
from lyceum.background_callbacks import make_manager
from lyceum.errors import AppError, Forbidden, NotAuthenticated, NotFound
from lyceum.json_bodies import BoundedJSONProvider
from lyceum.settings import Settings, load_settings
from services.core.audit_reader import administers_any
from services.core.runtime import Runtime

log = logging.getLogger("lyceum")
MAX_REQUEST_BYTES = 64 * 1024 * 1024
#: Bootstrap and its icons, served from assets/vendor (the browser may have no internet).
VENDOR_STYLESHEETS = ("/assets/vendor/bootstrap.min.css", "/assets/vendor/bootstrap-icons.min.css")
ASSETS = Path(__file__).resolve().parent / "assets"
#: How long the browser keeps an asset whose address carries its version (``?m=`` the file's
#: modification time, as Dash adds it, or a font's hash): a new version has a new address.
VERSIONED_ASSET_MAX_AGE = 365 * 24 * 3600


def vendor_stylesheets(folder: Path = ASSETS) -> list[str]:
    """The vendor stylesheets' addresses, each with its file's modification time (so the
    browser may keep them, and fetches a changed file at once)."""
    return [f"{path}?m={int((folder / path.removeprefix('/assets/')).stat().st_mtime)}"
            for path in VENDOR_STYLESHEETS]


def _configure_server(server: Flask, settings: Settings) -> None:
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="lyceum_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    server.json = BoundedJSONProvider(server)  # every request body's JSON: bounded nesting


def _healthz(runtime: Runtime) -> Callable[[], Any]:
    def healthz() -> Any:
        checks: dict[str, str] = {}
        for name, probe in (("metadata", runtime.db.ping), ("clickhouse", runtime.ch.ping)):
            try:
                checks[name] = "ok" if probe() else "failed"
            except Exception as exc:  # noqa: BLE001 - report, never raise, from a health check
                log.warning("health check %s failed: %s", name, exc)
                checks[name] = "failed"
        healthy = all(v == "ok" for v in checks.values())
        return jsonify(status="ok" if healthy else "degraded", checks=checks), (
            200 if healthy else 503)
    return healthz


def _guard_page(layout: Any, page: dict[str, Any]) -> Callable[..., Any]:
    """Wrap a page layout so the server checks the user's role before building it.

    Page metadata ``access`` is ``"admin"`` (global admins) or ``"member"`` (signed-in);
    pages with a ``cluster_id`` path variable also need ``cluster_role`` on that cluster.
    """
    global_role = roles.Role.ADMIN if page.get("access") == "admin" else roles.Role.VIEWER

    def guarded(**kwargs: Any) -> Any:
        try:
            roles.require_role(None, global_role)
            if "cluster_id" in kwargs:
                roles.require_role(kwargs["cluster_id"], page.get("cluster_role", "viewer"))
        except (Forbidden, NotAuthenticated, NotFound) as exc:
            return make_denied(exc.user_message)
        return layout(**kwargs) if callable(layout) else layout
    guarded.__wrapped__ = layout  # type: ignore[attr-defined]
    return guarded


def visible_pages(user: Any, *, administers: Callable[[], bool]) -> list[dict[str, Any]]:
    """Pages for the navigation: those marked ``nav`` that this user's role may open (a page
    whose ``audience`` is ``"cluster admins"`` only when ``administers()``: the user is an
    admin of some cluster, read when there is such a page to show)."""
    pages = [p for p in dash.page_registry.values() if p.get("nav")]
    if not user.is_admin:
        pages = [p for p in pages if p.get("access") != "admin"]
        if any(p.get("audience") == "cluster admins" for p in pages) and not administers():
            pages = [p for p in pages if p.get("audience") != "cluster admins"]
    return sorted(pages, key=lambda p: p.get("order", 99))


def _shell() -> Any:
    """The frame around every page, built per request for the signed-in user."""
    if not getattr(current_user, "is_authenticated", False):
        return html.Div(dash.page_container)
    runtime = app_runtime()
    administers = partial(administers_any, runtime, user_id=current_user.id,
                          is_admin=current_user.is_admin)
    navbar = make_navbar(pages=visible_pages(current_user, administers=administers),
                         user_label=current_user.email,
                         user_badge="global admin" if current_user.is_admin else "member",
                         csrf=web.csrf_token())
    return html.Div([navbar, dbc.Container([html.Div(id=Shell.cluster_nav), dash.page_container],
                                           fluid="lg", id=Shell.content, className="pb-5")])


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the Flask server with sign-in, health check and the Dash app mounted on it."""
    settings = settings or load_settings()
    runtime = runtime or Runtime.open(settings)
    server = Flask(__name__, instance_path=str(settings.instance_path))
    _configure_server(server, settings)
    server.extensions[EXTENSION] = runtime
    web.init_app(server)
    server.register_blueprint(api.bp)
    server.add_url_rule("/healthz", "healthz", _healthz(runtime))

    @server.errorhandler(AppError)
    def _app_error(exc: AppError) -> Any:
        return jsonify(error={"code": exc.code, "message": exc.user_message}), exc.status_code

    @server.errorhandler(413)
    def _too_large(_exc: Exception) -> Any:
        return jsonify(error={"code": "too_large", "message": "The request is too large."}), 413

    @server.errorhandler(DependencyException)
    def _unknown_script(_exc: DependencyException) -> Any:
        # Dash raises this (a 500) for a component-suite path it never registered, e.g.
        # "/_dash-component-suites/..%2f_dash-layout": a public route, so a plain 404
        return jsonify(error={"code": "not_found", "message": "No such file."}), 404

    @server.errorhandler(404)
    @server.errorhandler(405)
    def _not_routed(exc: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return exc
        code = "not_found" if exc.code == 404 else "method_not_allowed"
        return jsonify(error={"code": code, "message": exc.description}), exc.code

    jobs = make_manager(settings)  # background callbacks: Celery with REDIS_URL, else threads
    jobs.bind(server)
    app = Dash(__name__, server=server, use_pages=True, title="Lyceum Clusters",  # type: ignore[arg-type]
               update_title="", suppress_callback_exceptions=True, serve_locally=True,
               compress=False, assets_path_ignore=["^vendor$"],
               background_callback_manager=jobs, external_stylesheets=vendor_stylesheets())
    for page in dash.page_registry.values():
        if not hasattr(page["layout"], "__wrapped__"):
            page["layout"] = _guard_page(page["layout"], page)
    _order_for_matching(dash.page_registry)
    app.layout = _shell
    dash_adapter.serialize_setup(app, server)
    _attach_callbacks(app)
    server.before_request(partial(_known_callback, app))

    server.after_request(_security_headers)
    log.info("app ready (clickhouse: %s)",
             "bundled engine service" if runtime.ch.bundled else "server")
    return server


def _known_callback(app: Dash) -> Any:
    """A callback request must name one of this app's server callbacks: a forged output,
    or one that runs only in the browser, gets a clear 400 (Dash itself fails with 500)."""
    if request.method != "POST" or not request.path.endswith("/_dash-update-component"):
        return None
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    entry = app.callback_map.get(output) if isinstance(output, str) else None
    if not isinstance(entry, dict) or "callback" not in entry:
        return jsonify(error={"code": "unknown_callback", "message": "No such callback."}), 400
    return None


def _order_for_matching(registry: Any) -> None:
    """Dash matches an address against pages in registry order, and a path template's
    variable also matches "a/b"; so fixed paths go first, then templates, deepest first."""
    def key(page: dict[str, Any]) -> tuple[int, int]:
        template = page.get("path_template")
        return (1, -str(template).count("/")) if template else (0, 0)

    for page in sorted(registry.values(), key=key):
        registry.move_to_end(page["module"])


_CALLBACKS: tuple[dict[str, Any], list[Any]] | None = None


def _attach_callbacks(app: Dash) -> None:
    """Give this app every page's callbacks.

    ``dash.callback`` parks callbacks in module globals that the first app to serve a request
    takes and clears; a second app in the same process (tests) would get none. The callbacks
    are imported once, kept, and handed to each app explicitly.
    """
    global _CALLBACKS
    if _CALLBACKS is None:
        import callbacks  # noqa: F401  (registers every page's callbacks)

        _CALLBACKS = dash_adapter.registered_callbacks()
    dash_adapter.forget_registered_callbacks()
    # Dash pops a background callback's cancel inputs from its entry when it sets up the
    # app's cancel callbacks: each app gets its own copy of those entries
    dash_adapter.add_callbacks(
        app, {key: {**entry, "background": dict(entry["background"])}
              if isinstance(entry.get("background"), dict) else entry
              for key, entry in _CALLBACKS[0].items()}, _CALLBACKS[1])


def _security_headers(response: Any) -> Any:
    if request.path.startswith("/assets/") and request.query_string and \
            response.status_code in (200, 304):
        # a versioned address: the browser keeps the file instead of asking on every page
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_ASSET_MAX_AGE
        response.cache_control.immutable = True
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
