"""Curves over the API: the values each filter takes, the filtered curve list (paged)
and the saved golden curves."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.core import bp, page, page_params, runtime
from api.openapi import describe
from api.schemas import (
    INT,
    STR,
    TIME,
    array,
    component,
    list_schema,
    nullable,
    obj,
    object_schema,
    page_schema,
)
from auth.roles import Role, require_role
from lyceum.errors import ValidationError
from services.explorer import golden
from services.explorer.view import SEARCHABLE, filter_values, list_curves

_LISTS = (*SEARCHABLE, "results")
_QUERY = [{"name": "process", "schema": {"type": "string"},
           "description": "default: the first process"},
          *[{"name": k, "schema": {"type": "string"},
             "description": "repeat the parameter for several values"} for k in _LISTS],
          {"name": "start", "schema": {"type": "string", "format": "date-time"}},
          {"name": "end", "schema": {"type": "string", "format": "date-time"}}]

CURVE = component("Curve", obj(
    curve_id=INT, part_id=INT, serial=STR, ts=TIME, line=STR, station=STR, product=STR,
    batch=STR, result=STR, defect_mode=STR, n_points=INT))
CURVE_FILTERS = component("CurveFilters", object_schema({
    "process": {**nullable(STR), "description": "the process these values belong to"},
    "processes": array(STR), "results": array(STR), **{k: array(STR) for k in SEARCHABLE}}))
GOLDEN = component("GoldenCurveVersion", obj(id=INT, name=STR, version=INT, method=STR,
                                              n_curves=INT, created_at=TIME))


def _filters() -> dict[str, Any]:
    unknown = set(request.args) - {"process", *_LISTS, "start", "end", "limit", "offset"}
    if unknown:
        raise ValidationError(f"Unknown query parameter: {sorted(unknown)[0][:40]}.")
    out: dict[str, Any] = {k: request.args.getlist(k) for k in _LISTS}
    for key in ("process", "start", "end"):
        out[key] = request.args.get(key) or None
    return out


@bp.get("/clusters/<int:cluster_id>/curves")
@describe(summary="Curves matching filters (newest first)", tag="curves", query=_QUERY,
          paged=True, role="viewer", response=page_schema("CurvePage", CURVE))
def curves(cluster_id: int) -> Any:
    """A page of the cluster's curves for one process, filtered by known values."""
    require_role(cluster_id, Role.VIEWER)
    limit, offset = page_params()
    items, total = list_curves(runtime(), cluster_id, filters=_filters(), limit=limit,
                               offset=offset)
    return jsonify(page(items, total=total, limit=limit, offset=offset))


@bp.get("/clusters/<int:cluster_id>/curve-filters")
@describe(summary="The values each curve filter takes for a process", tag="curves",
          query=[{"name": "process", "schema": {"type": "string"},
                  "description": "default: the first process"},
                 {"name": "search", "schema": {"type": "string"},
                  "description": "only values containing this text (any case)"}],
          role="viewer", response=CURVE_FILTERS)
def curve_filters(cluster_id: int) -> Any:
    """The processes, and the lines, stations, products, batches and results of one."""
    require_role(cluster_id, Role.VIEWER)
    unknown = set(request.args) - {"process", "search"}
    if unknown:
        raise ValidationError(f"Unknown query parameter: {sorted(unknown)[0][:40]}.")
    return jsonify(filter_values(runtime(), cluster_id, process=request.args.get("process"),
                                 search=request.args.get("search", "")))


@bp.get("/clusters/<int:cluster_id>/golden-curves")
@describe(summary="Saved golden curves of a process", tag="curves",
          query=[{"name": "process", "schema": {"type": "string"}, "required": True}],
          role="viewer", response=list_schema("GoldenCurveList", GOLDEN, total=True))
def golden_curves(cluster_id: int) -> Any:
    """Every saved golden-curve version of a process (metadata; arrays via the explorer)."""
    require_role(cluster_id, Role.VIEWER)
    process = request.args.get("process", "")
    if not process or len(process) > 80:
        raise ValidationError("Give the process: ?process= one of the cluster's processes.")
    items = golden.list_for(runtime(), cluster_id, process=process)
    return jsonify({"items": items, "total": len(items)})
