"""Traceability over the API: find parts by serial prefix, and read everything recorded for
one serial (curves with their golden curves, features, results, readings, alerts)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.core import bp, runtime
from api.openapi import describe
from api.schemas import component
from auth.roles import Role, require_role
from lyceum.errors import ValidationError
from services.explorer import trace

_TEXT = {"type": "string"}
_NUM = {"type": "number"}
_TIME = {"type": "string", "format": "date-time"}
_NUMS = {"type": "array", "items": {"type": "number", "nullable": True}}
_ROW = {"type": "object", "additionalProperties": True}
SUGGESTIONS = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "serial": _TEXT, "part_id": {"type": "integer"}, "n_curves": {"type": "integer"},
        "first": _TIME, "last": _TIME}}},
    "total": {"type": "integer"}}}
PART = {"type": "object", "required": ["serial", "curves", "events"], "properties": {
    "serial": _TEXT, "part_ids": {"type": "array", "items": {"type": "integer"}},
    "truncated": {"type": "boolean"},
    "curves": {"type": "array", "items": {"type": "object", "properties": {
        "curve_id": {"type": "integer"}, "process": _TEXT, "line": _TEXT, "station": _TEXT,
        "product": _TEXT, "batch": _TEXT, "ts": _TIME, "result": _TEXT, "defect_mode": _TEXT,
        "x_name": _TEXT, "x_unit": _TEXT, "y_name": _TEXT, "y_unit": _TEXT,
        "n_points": {"type": "integer"}, "x": _NUMS, "y": _NUMS,
        "features": {"type": "array", "items": {"type": "object", "properties": {
            "feature": _TEXT, "value": _NUM, "unit": _TEXT}}},
        "golden": {"type": "object", "nullable": True, "properties": {
            "id": {"type": "integer"}, "name": _TEXT, "version": {"type": "integer"},
            "x": _NUMS, "center": _NUMS, "lower": _NUMS, "upper": _NUMS}}}}},
    "results": {"type": "array", "items": _ROW},
    "readings": {"type": "array", "items": _ROW},
    "alerts": {"type": "array", "items": _ROW},
    "events": {"type": "array", "items": {"type": "object", "properties": {
        "ts": _TIME, "kind": {"type": "string", "enum": ["curve", "result", "reading",
                                                        "alert"]},
        "what": _TEXT, "result": _TEXT}}}}}


@bp.get("/clusters/<int:cluster_id>/parts")
@describe(summary="Find parts by serial prefix (or part id)", tag="trace", role="viewer",
          query=[{"name": "search", "in": "query", "required": True, "schema": {
                      "type": "string", "maxLength": trace.MAX_SEARCH},
                  "description": "the start of a serial, or a whole part id"},
                 {"name": "limit", "in": "query", "required": False, "schema": {
                     "type": "integer", "minimum": 1, "maximum": trace.MAX_SUGGESTIONS}}],
          response=component("PartSuggestions", SUGGESTIONS))
def part_search(cluster_id: int) -> Any:
    """Serials starting with the text typed, alphabetically (a few, for suggestions)."""
    require_role(cluster_id, Role.VIEWER)
    unknown = set(request.args) - {"search", "limit"}
    if unknown:
        raise ValidationError(f"Unknown query parameter: {sorted(unknown)[0][:40]}.")
    try:
        limit = int(request.args.get("limit", 10))
    except ValueError:
        raise ValidationError(f"limit is 1 to {trace.MAX_SUGGESTIONS}.") from None
    items = trace.search(runtime(), cluster_id, request.args.get("search", ""), limit=limit)
    return jsonify({"items": items, "total": len(items)})


@bp.get("/clusters/<int:cluster_id>/parts/<string:serial>")
@describe(summary="Everything recorded for one serial, in time order", tag="trace",
          role="viewer", response=component("PartRecord", PART))
def part_trace(cluster_id: int, serial: str) -> Any:
    """The part's curves (with the golden curve of each process), features, results,
    readings and alerts, and one time-ordered list of them all."""
    require_role(cluster_id, Role.VIEWER)
    if request.args:
        raise ValidationError(f"Unknown query parameter: {sorted(request.args)[0][:40]}.")
    return jsonify(trace.as_json(trace.trace(runtime(), cluster_id, serial)))
