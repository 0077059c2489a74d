"""The OpenAPI 3 document of ``/api/v1``, built from the live URL map at serve time.

Routes describe themselves with :func:`describe`; a route without it still appears, with a
generic description, so routes added by any module are always listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, render_template_string

from api.core import bp
from api.schemas import COMPONENTS, ERROR

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_TYPES = {"int": {"type": "integer", "minimum": 1}, "float": {"type": "number"},
          "path": {"type": "string"}, "string": {"type": "string"}, "uuid": {"type": "string"}}
#: The error body of every refusal (``api.core.error_body``), as a schema reference.
ERROR_SCHEMA = ERROR
#: The catch-all that answers unknown /api/v1 paths with a JSON 404 is not an operation.
HIDDEN_ENDPOINTS = frozenset({"api.unknown_route"})
PAGE_PARAMS = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
    {"name": "offset", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 0}},
]
#: The errors every operation may answer with (any route: bad input, no or a wrong
#: credential, too many failed sign-ins, an unexpected failure).
COMMON_ERRORS = (400, 401, 429, 500)
#: The errors of a route that checks a role (on a cluster: also an unknown cluster).
ROLE_ERRORS = (403, 404)
_ERROR_TEXT = {400: "Bad input (nothing changed)", 401: "No valid credential",
               403: "The caller's role is too low", 404: "Not found (or not visible)",
               405: "Method not allowed", 409: "Conflicts with the current state",
               413: "Body too large", 415: "Unsupported media type",
               422: "Understood but not accepted (e.g. a failed import)",
               429: "Too many failed authentications", 500: "Unexpected failure (logged)",
               503: "Busy; retry later"}
JSON = "application/json"


def query_param(name: str, schema: dict[str, Any], *, required: bool = False,
                description: str = "") -> dict[str, Any]:
    """A query-string parameter (what ``describe(query=[...])`` takes)."""
    param: dict[str, Any] = {"name": name, "in": "query", "required": required,
                             "schema": schema}
    if description:
        param["description"] = description
    return param


def describe(*, summary: str, tag: str = "", body: dict[str, Any] | None = None,
             query: list[dict[str, Any]] | None = None, paged: bool = False,
             role: str = "", response: dict[str, Any] | None = None, status: int = 200,
             content_type: str = JSON, errors: tuple[int, ...] = (),
             body_required: bool = True, media: tuple[str, ...] = (),
             body_media: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """Attach OpenAPI metadata to a view.

    ``summary``; ``tag``; ``body``: the JSON request body's schema; ``query``: query
    parameters (``in: query`` is filled in when missing); ``paged``: adds ``limit`` and
    ``offset``; ``role``: the role it needs (``"signed in"``, ``"global admin"`` or a
    cluster role), documented and used by the security matrix; ``response``: the schema
    of the success body (usually a reference from :mod:`api.schemas`), answered with
    ``status`` as ``content_type`` (``status=204``: no body); ``media``: instead, the media
    types of a streamed file answer; ``body_media``: media types the request body may
    also be sent as (a file's bytes) besides the JSON ``body``; ``errors``: error statuses beyond
    :data:`COMMON_ERRORS` and, for a route with a role, :data:`ROLE_ERRORS`.
    """
    params = [{**p, "in": p.get("in", "query")} for p in (query or [])]
    def wrap(view: Any) -> Any:
        view.openapi = {"summary": summary, "tag": tag, "body": body,
                        "query": params + (PAGE_PARAMS if paged else []),
                        "role": role, "response": response, "status": status,
                        "content_type": content_type, "errors": tuple(errors),
                        "body_required": body_required, "media": tuple(media),
                        "body_media": tuple(body_media)}
        return view
    return wrap


def _success(meta: dict[str, Any]) -> dict[str, Any]:
    """The 200 answer: a JSON schema, file media types, or an undescribed JSON body."""
    if meta.get("media"):
        return {"description": "A file, streamed",
                "content": {m: {"schema": {"type": "string", "format": "binary"}}
                            for m in meta["media"]}}
    content: dict[str, Any] = {"schema": meta["response"]} if meta.get("response") else {}
    return {"description": "Success", "content": {"application/json": content}}


def _access(role: str | None, doc: str) -> str:
    if role == "signed in":
        return "Any signed-in user or API token."
    if role:
        return f"Needs the {role} role."
    return doc or "Undocumented route (no metadata attached)."


def _responses(meta: dict[str, Any]) -> dict[str, Any]:
    status = int(meta.get("status") or 200)
    success: dict[str, Any] = {"description": "Success"}
    response = meta.get("response")
    if meta.get("media"):
        success = {"description": "A file, streamed",
                   "content": {m: {"schema": {"type": "string", "format": "binary"}}
                               for m in meta["media"]}}
    elif status != 204:
        success["content"] = {meta.get("content_type") or JSON: {
            "schema": response if response is not None else {}}}
    codes = set(COMMON_ERRORS) | set(meta.get("errors") or ())
    if meta.get("role"):
        codes |= set(ROLE_ERRORS)
    out: dict[str, Any] = {str(status): success}
    for code in sorted(codes):
        out[str(code)] = {"$ref": f"#/components/responses/Error{code}"}
    return out


def _operation(view: Any, rule: Any, method: str) -> dict[str, Any]:
    meta = getattr(view, "openapi", None) or {}
    doc = (getattr(view, "__doc__", None) or "").strip().split("\n")[0]
    params = [{"name": m.group("name"), "in": "path", "required": True,
               "schema": _TYPES.get(m.group("conv") or "string", {"type": "string"})}
              for m in _CONVERTER.finditer(rule.rule)]
    op: dict[str, Any] = {
        "operationId": f"{rule.endpoint.removeprefix('api.')}_{method.lower()}",
        "summary": meta.get("summary") or doc or f"{method} {rule.rule}",
        "description": _access(meta.get("role"), doc),
        "tags": [meta.get("tag") or rule.rule.split("/")[3]],
        "parameters": params + list(meta.get("query") or []),
        "responses": _responses(meta),
    }
    if method in ("POST", "PUT", "PATCH") and meta.get("body") is not None:
        op["requestBody"] = {"required": bool(meta.get("body_required", True)),
                             "content": {JSON: {"schema": meta["body"]}, **{
                                 m: {"schema": {"type": "string", "format": "binary"}}
                                 for m in meta.get("body_media", ())}}}
    if getattr(view, "public_route", False):
        op["security"] = [{"basic": []}]
    return op


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 document of every ``/api/v1`` route registered on ``app``."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in HIDDEN_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        path = _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, rule, method)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Lyceum Clusters API", "version": "1",
                 "description": "Bearer tokens (Authorization: Bearer lyc_…) are limited to "
                                "one cluster and one role; the browser session works for "
                                "same-origin use. Errors are JSON with a stable code."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "basic": {"type": "http", "scheme": "basic"}},
            "schemas": dict(sorted(COMPONENTS.items())),
            "responses": {f"Error{code}": {"description": text,
                                           "content": {JSON: {"schema": ERROR}}}
                          for code, text in _ERROR_TEXT.items()}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
@describe(summary="This OpenAPI document", tag="meta", role="signed in",
          response={"type": "object", "additionalProperties": True})
def openapi_document() -> Any:
    """The OpenAPI 3 document of this API."""
    return jsonify(build_document(current_app))


_DOCS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>API · Lyceum Clusters</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"></head>
<body class="bg-body-tertiary"><main class="container py-4">
<h1 class="h3">Lyceum Clusters API <small class="text-body-secondary">v1</small></h1>
<p>{{ doc.info.description }} The machine-readable document is
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<table class="table table-sm bg-body" id="api-docs-table"><thead><tr><th>Method</th>
<th>Path</th><th>What it does</th><th>Access</th></tr></thead><tbody>
{% for path, ops in doc.paths.items() %}{% for method, op in ops.items() %}
<tr><td><code>{{ method|upper }}</code></td><td><code>{{ path }}</code></td>
<td>{{ op.summary }}</td><td class="small text-body-secondary">{{ op.description }}</td></tr>
{% endfor %}{% endfor %}</tbody></table></main></body></html>"""


@bp.get("/docs")
@describe(summary="A readable list of the API's operations", tag="meta", role="signed in",
          response={"type": "string"}, content_type="text/html")
def docs_page() -> Any:
    """The API's operations as an HTML page (signed-in users)."""
    return render_template_string(_DOCS, doc=build_document(current_app))
