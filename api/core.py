"""The API blueprint: authentication, JSON errors with stable codes, paging, rate limits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from auth.session import app_runtime as runtime
from auth.session import current_actor
from lyceum.errors import AppError, NotAuthenticated, ValidationError
from services.core import audit

log = logging.getLogger(__name__)
T = TypeVar("T")
bp = Blueprint("api", __name__, url_prefix="/api/v1")

AUTH_FAILURE_LIMIT = 20
AUTH_FAILURE_WINDOW = timedelta(minutes=5)
MAX_PAGE_SIZE = 500
MAX_OFFSET = 1_000_000_000


class RateLimited(AppError):
    """Too many failed authentications from one address."""

    status_code = 429
    code = "rate_limited"


def _too_many_failures() -> bool:
    with runtime().db.session() as session:
        return audit.count_recent(session, action="api.auth_failure",
                                  within=AUTH_FAILURE_WINDOW,
                                  ip=request.remote_addr or "") >= AUTH_FAILURE_LIMIT


def _record_failure(reason: str) -> None:
    with runtime().db.session() as session:
        audit.record(session, "api.auth_failure", actor=current_actor(), outcome="denied",
                     detail={"reason": reason, "path": request.path[:200]})


@bp.before_request
def authenticate() -> None:
    """Bearer token (limited to its cluster and role) or the browser session; else 401.

    Routes that take another credential (the SQL gateway's HTTP Basic) set
    ``public_route`` on the view function to authenticate themselves.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "public_route", False):
        if _too_many_failures():
            raise RateLimited("Too many failed authentications; wait a few minutes.")
        return
    if getattr(current_user, "is_authenticated", False):
        return
    if _too_many_failures():
        raise RateLimited("Too many failed authentications; wait a few minutes.")
    header = request.headers.get("Authorization", "")
    if header:
        _record_failure("invalid, expired or revoked token"
                        if header.startswith("Bearer ") else "unsupported scheme")
        raise NotAuthenticated("The token is invalid, expired or revoked.")
    raise NotAuthenticated("Sign in or send an API token (Authorization: Bearer …).")


def public_route(view: Any) -> Any:
    """Mark a view as authenticating itself (see :func:`authenticate`)."""
    view.public_route = True
    return view


def error_body(code: str, message: str, status: int, *,
               fields: dict[str, str] | None = None) -> tuple[Response, int]:
    """A JSON error with a stable code."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), status


@bp.errorhandler(AppError)
def _app_error(exc: AppError) -> tuple[Response, int]:
    fields = exc.fields if isinstance(exc, ValidationError) else None
    if exc.status_code in (401, 403):
        with runtime().db.session() as session:
            audit.record(session, "api.denied", actor=current_actor(), outcome="denied",
                         detail={"path": request.path[:200], "code": exc.code})
    return error_body(exc.code, exc.user_message, exc.status_code, fields=fields)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or 500
    codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large",
             400: "bad_request", 415: "unsupported_media_type"}
    return error_body(codes.get(status, "http_error"), exc.description or exc.name, status)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> tuple[Response, int]:
    log.exception("API error on %s", request.path)
    return error_body("internal_error", "Something went wrong on the server; it was logged.",
                      500)


def page_params(*, default: int = 50) -> tuple[int, int]:
    """``limit`` and ``offset`` from the query string, validated."""
    try:
        limit = int(request.args.get("limit", default))
        offset = int(request.args.get("offset", 0))
    except ValueError as exc:
        raise ValidationError("limit and offset are whole numbers.") from exc
    if not 1 <= limit <= MAX_PAGE_SIZE or not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(f"limit is 1 to {MAX_PAGE_SIZE}; offset is 0 to {MAX_OFFSET:,}.")
    return limit, offset


def page(items: list[Any], *, total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page of results with what is needed to fetch the next one."""
    nxt = offset + limit if offset + limit < total else None
    return {"items": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": nxt}


def page_of(rows: Sequence[T], to_json: Callable[[T], Any]) -> dict[str, Any]:
    """One page (``limit``/``offset`` from the query string) of an in-memory list, as JSON."""
    limit, offset = page_params()
    items = [to_json(row) for row in rows[offset:offset + limit]]
    return page(items, total=len(rows), limit=limit, offset=offset)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a validation error."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("Send a JSON object with Content-Type: application/json.")
    return data


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@public_route
def unknown_route(_rest: str) -> tuple[Response, int]:
    """Any other /api/v1 path: a JSON 404 (not the web app's page), or 405 for a known path.

    It answers without authenticating: which routes exist is public (the OpenAPI document),
    and a client that sends a valid credential to a wrong path must not be counted, and
    locked out, as a failed sign-in.
    """
    adapter = current_app.url_map.bind("localhost")
    allowed = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            rule, _args = adapter.match(request.path, method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint != "api.unknown_route":
            allowed.add(method)
    if allowed:
        return error_body("method_not_allowed", "This route does not take "
                          f"{request.method}; it takes {', '.join(sorted(allowed))}.", 405)
    return error_body("not_found", "There is no such API route.", 404)
