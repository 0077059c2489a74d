"""The explorer's analysis over the API, with the explorer's role checks: build and save a
golden curve from a filter (editor), rank outliers and evaluate objects with what-if
(viewer), and stream every filtered curve's samples (analyst)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file
from flask_login import current_user

from api.core import bp, json_body, page_params, runtime
from api.openapi import describe
from api.schemas import component
from auth.roles import Role, require_role
from auth.session import current_actor
from lyceum.errors import ValidationError
from services.explorer import analysis, export_jobs, export_stream
from services.explorer.golden import METHODS
from services.explorer.state import MAX_FILTER_VALUES, MAX_OBJECTS, OBJECT_KINDS, RESULTS

_TEXT = {"type": "string"}
_NUMS = {"type": "array", "items": {"type": "number", "nullable": True}}
_NAMES = {"type": "array", "maxItems": MAX_FILTER_VALUES, "items": {"type": "string"}}
FILTER = {"type": "object", "additionalProperties": False,
          "description": "Which curves: one process and optional value lists (values the "
                         "cluster knows) and a time window; unknown keys are refused.",
          "properties": {"process": _TEXT, "lines": _NAMES, "stations": _NAMES,
                         "products": _NAMES, "batches": _NAMES,
                         "results": {"type": "array", "items": {"type": "string",
                                                                "enum": list(RESULTS)}},
                         "start": {"type": "string", "format": "date-time"},
                         "end": {"type": "string", "format": "date-time"}}}
OBJECT = {"type": "object", "required": ["kind", "name", "x0", "x1"],
          "additionalProperties": False, "properties": {
              "kind": {"type": "string", "enum": list(OBJECT_KINDS)}, "name": _TEXT,
              "x0": {"type": "number"}, "x1": {"type": "number"}, "y0": {"type": "number"},
              "y1": {"type": "number"},
              "entry": {"type": "string", "enum": ["left", "right", "top", "bottom"]},
              "exit": {"type": "string", "enum": ["left", "right", "top", "bottom"]},
              "direction": {"type": "string", "enum": ["up", "down"]},
              "margin": {"type": "number", "minimum": 0}}}
GOLDEN_REF = {"type": "object", "nullable": True, "properties": {
    "id": {"type": "integer", "nullable": True}, "name": _TEXT,
    "version": {"type": "integer"}, "n_curves": {"type": "integer"}}}
GOLDEN = {"type": "object", "required": ["id", "name", "version", "x", "center"],
          "properties": {"id": {"type": "integer"}, "name": _TEXT,
                         "version": {"type": "integer"}, "method": _TEXT,
                         "band": {"type": "number"}, "n_curves": {"type": "integer"},
                         "x": _NUMS, "center": _NUMS, "lower": _NUMS, "upper": _NUMS}}
_CURVE = {"curve_id": {"type": "integer"}, "serial": _TEXT, "line": _TEXT,
          "station": _TEXT, "ts": {"type": "string", "format": "date-time"},
          "result": _TEXT}
OUTLIERS = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "rank": {"type": "integer"}, **_CURVE,
        "score": {"type": "number", "nullable": True,
                  "description": "robust z units: how far from the usual the curve is"},
        "reason": {"type": "string", "description": "why it ranks there, in words"},
        "area_outside": {"type": "number"}, "max_abs_dev": {"type": "number"}}}},
    "total": {"type": "integer"}, "limit": {"type": "integer"},
    "offset": {"type": "integer"}, "next_offset": {"type": "integer", "nullable": True},
    "golden": GOLDEN_REF}}
VERDICTS = {"type": "object", "required": ["items", "total", "n_curves"], "properties": {
    "items": {"type": "array", "items": {"type": "object", "properties": {
        **_CURVE, "recorded": _TEXT, "verdict": {"type": "string", "enum": ["OK", "NOK"]},
        "failing_object": {"type": "string", "nullable": True},
        "flip": {"type": "string", "nullable": True, "enum": ["ok_to_nok", "nok_to_ok"]}}}},
    "total": {"type": "integer"}, "limit": {"type": "integer"},
    "offset": {"type": "integer"}, "next_offset": {"type": "integer", "nullable": True},
    "n_curves": {"type": "integer"}, "n_nok": {"type": "integer"},
    "n_recorded_nok": {"type": "integer"}, "n_ok_to_nok": {"type": "integer"},
    "n_nok_to_ok": {"type": "integer"}, "objects": {"type": "array", "items": _TEXT},
    "golden": GOLDEN_REF}}
_GOLDEN_ID = {"type": "integer", "minimum": 1, "nullable": True,
              "description": "a saved golden curve of this cluster (default: one built "
                             "from the filtered OK curves)"}


def _body(allowed: set[str]) -> dict[str, Any]:
    body = json_body()
    unknown = sorted(str(k) for k in set(body) - allowed)
    if unknown:
        raise ValidationError(f"Unknown field: {unknown[0][:40]}.")
    return body


def _golden_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
        raise ValidationError("golden_id: the id of a saved golden curve.",
                              fields={"golden_id": "invalid"})
    return value


def _paged(found: dict[str, Any], *, limit: int, offset: int) -> dict[str, Any]:
    total = found["total"]
    return {**found, "limit": limit, "offset": offset,
            "next_offset": offset + limit if offset + limit < total else None}


@bp.post("/clusters/<int:cluster_id>/golden-curves")
@describe(summary="Build a golden curve and envelope from a filter and save it", tag="explorer",
          role="editor", response=component("BuiltGoldenCurve", GOLDEN), body={
              "type": "object", "required": ["name"], "additionalProperties": False,
              "properties": {"filter": FILTER, "name": _TEXT,
                             "method": {"type": "string", "enum": list(METHODS)},
                             "band": {"type": "number", "description": "percentile in (0, 50)"
                                      " for median-percentile, k in (0, 10] for mean-sigma"},
                             "source": {"type": "string", "enum": ["ok", "all"]}}})
def build_golden(cluster_id: int) -> Any:
    """Save a new version of a named golden curve built from the filtered curves."""
    require_role(cluster_id, Role.EDITOR)
    body = _body({"filter", "name", "method", "band", "source"})
    state = analysis.parse_filter(body.get("filter"))
    saved = analysis.build_golden(runtime(), cluster_id, state, name=body.get("name"),
                                  method=body.get("method", "median-percentile"),
                                  band=body.get("band", 5.0), source=body.get("source", "ok"),
                                  actor=current_actor())
    return jsonify(saved), 201


@bp.post("/clusters/<int:cluster_id>/outliers")
@describe(summary="Rank the filtered curves by deviation from a golden curve (paged)",
          tag="explorer", role="viewer", paged=True,
          response=component("OutlierPage", OUTLIERS), body={
              "type": "object", "additionalProperties": False,
              "properties": {"filter": FILTER, "golden_id": _GOLDEN_ID}})
def rank_outliers(cluster_id: int) -> Any:
    """Most deviating first; ties by curve id, so pages never overlap or skip."""
    require_role(cluster_id, Role.VIEWER)
    limit, offset = page_params()
    body = _body({"filter", "golden_id"})
    found = analysis.outliers(runtime(), cluster_id, analysis.parse_filter(body.get("filter")),
                              golden_id=_golden_id(body.get("golden_id")), limit=limit,
                              offset=offset)
    return jsonify(_paged(found, limit=limit, offset=offset))


@bp.post("/clusters/<int:cluster_id>/evaluations")
@describe(summary="Judge the filtered curves with evaluation objects; what-if flips against "
                  "the recorded results (paged)", tag="explorer", role="viewer", paged=True,
          response=component("EvaluationPage", VERDICTS), body={
              "type": "object", "required": ["objects"], "additionalProperties": False,
              "properties": {"filter": FILTER, "golden_id": _GOLDEN_ID,
                             "objects": {"type": "array", "minItems": 1,
                                         "maxItems": MAX_OBJECTS, "items": OBJECT},
                             "show": {"type": "string", "enum": list(analysis.VERDICT_VIEWS),
                                      "description": "all curves (default), the NOK ones, "
                                                     "or the flips"}}})
def evaluate(cluster_id: int) -> Any:
    """Per curve OK or NOK with the first failing object, and the recorded result."""
    require_role(cluster_id, Role.VIEWER)
    limit, offset = page_params()
    body = _body({"filter", "golden_id", "objects", "show"})
    state = analysis.parse_filter(body.get("filter"))
    found = analysis.evaluate(runtime(), cluster_id, state,
                              objects=analysis.parse_objects(body.get("objects")),
                              golden_id=_golden_id(body.get("golden_id")),
                              show=body.get("show", "all"), limit=limit, offset=offset)
    return jsonify(_paged(found, limit=limit, offset=offset))


_LISTS = ("lines", "stations", "products", "batches", "results")
_EXPORT_QUERY = [
    {"name": "format", "in": "query", "required": True,
     "schema": {"type": "string", "enum": list(export_stream.FORMATS)}},
    {"name": "process", "in": "query", "required": False, "schema": _TEXT},
    *[{"name": k, "in": "query", "required": False, "style": "form", "explode": True,
       "schema": {"type": "array", "items": _TEXT},
       "description": "repeat the parameter for several values"} for k in _LISTS],
    {"name": "start", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date-time"}},
    {"name": "end", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date-time"}}]


@bp.get("/clusters/<int:cluster_id>/curve-samples")
@describe(summary="Every filtered curve's samples as CSV, Parquet or Arrow (streamed)",
          tag="explorer", role="analyst", query=_EXPORT_QUERY,
          media=tuple(m for m, _ext in export_stream.FORMATS.values()))
def export_samples(cluster_id: int) -> Any:
    """One row per sample with its curve's part columns, curve by curve, streamed from
    ClickHouse in chunks by the exports pool (429 when the cluster's exports are full)."""
    require_role(cluster_id, Role.ANALYST)
    unknown = set(request.args) - {"format", "process", "start", "end", *_LISTS}
    if unknown:
        raise ValidationError(f"Unknown query parameter: {sorted(unknown)[0][:40]}.")
    fmt = export_stream.check_format(request.args.get("format"))
    filters: dict[str, Any] = {k: request.args.getlist(k) for k in _LISTS if k in request.args}
    for key in ("process", "start", "end"):
        if request.args.get(key):
            filters[key] = request.args[key]
    started = export_stream.stream(runtime(), cluster_id, analysis.parse_filter(filters),
                                   fmt=fmt)
    return Response(started.pieces, content_type=started.media_type,
                    headers={"Content-Disposition":
                             f'attachment; filename="{started.filename}"',
                             "X-Curve-Count": str(started.n_curves),
                             "X-Sample-Count": str(started.n_samples)})


@bp.get("/clusters/<int:cluster_id>/curve-exports/<string:job_id>")
@describe(summary="The file of a finished export of every filtered curve (started on the "
                  "explorer page)", tag="explorer", role="analyst",
          media=tuple(m for m, _ext in export_stream.FORMATS.values()))
def export_file(cluster_id: int, job_id: str) -> Any:
    """Only the user who started the export, on its cluster, while it is kept (an hour)."""
    require_role(cluster_id, Role.ANALYST)
    job = export_jobs.ready_file(runtime(), cluster_id, job_id, user_id=int(current_user.id))
    return send_file(job.path, mimetype=job.media_type, as_attachment=True,
                     download_name=job.filename, max_age=0)
