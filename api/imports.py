"""Data import over the API: ingest a batch, read import jobs, download the template."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, jsonify, request

from api.core import bp, runtime
from api.openapi import describe, query_param
from api.schemas import STR, component, from_dataclass, list_schema
from auth.roles import Role, require_role
from auth.session import current_actor
from services.imports.file_format import MAX_INGEST_BYTES, ImportFileError, template_csv
from services.imports.import_job import JobView, get_job, list_jobs
from services.imports.upload import BODY_FORMATS, ingest_body

JOB = component("ImportJob", from_dataclass(JobView))
INGEST_BODY = {"type": "object", "required": ["batch_id", "kind", "rows"], "properties": {
    "batch_id": STR, "kind": {"type": "string", "enum": ["curves", "parts"]},
    "rows": {"type": "array", "items": {"type": "object", "additionalProperties": True}}},
    "description": "JSON rows; or send an Arrow IPC stream, a Parquet file or a CSV file "
                   "(UTF-8, with a header row) as the body with ?batch_id=…&kind=… and its "
                   "Content-Type. Columnar bodies are the fast path: one batch of up to 60 MB "
                   "is checked and inserted whole or not at all."}


@bp.post("/clusters/<int:cluster_id>/ingest")
@describe(summary="Import one batch whole or not at all (201 new, 200 seen before)",
          tag="imports", body=INGEST_BODY, role="editor", response=JOB, status=201,
          errors=(413, 415, 422), query=[query_param("batch_id", STR),
                                         query_param("kind", STR)],
          body_media=tuple(BODY_FORMATS))
def ingest_batch(cluster_id: int) -> Any:
    """Import one batch (JSON rows, Arrow stream, Parquet or CSV) whole or not at all.

    JSON: ``{"batch_id": "...", "kind": "curves"|"parts", "rows": [{...}, ...]}``;
    Arrow/Parquet/CSV: the body, with ``?batch_id=…&kind=…``. A batch id seen before returns
    the earlier job (200) instead of importing twice (201).
    """
    require_role(cluster_id, Role.EDITOR)
    length = request.content_length
    if length is not None and length > MAX_INGEST_BYTES:
        raise ImportFileError(f"A batch is at most {MAX_INGEST_BYTES // 1_000_000} MB; split "
                              "the data into several batches.")
    body = request.get_data(cache=True)
    data = request.get_json(silent=True) if request.is_json else None
    if request.is_json and not isinstance(data, dict):
        raise ImportFileError("The JSON body is not an object with batch_id, kind and rows.")
    job, created = ingest_body(runtime(), cluster_id=cluster_id, actor=current_actor(), body=body,
                               content_type=request.content_type or "",
                               query=dict(request.args), json_data=data)
    status = 201 if created else 200
    if job.status == "failed":
        status = 422
    return jsonify(asdict(job)), status


@bp.get("/clusters/<int:cluster_id>/imports")
@describe(summary="The cluster's latest imports", tag="imports", role="viewer",
          response=list_schema("ImportJobList", JOB))
def list_import_jobs(cluster_id: int) -> Any:
    """The cluster's latest imports."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(items=[asdict(j) for j in list_jobs(runtime(), cluster_id=cluster_id)])


@bp.get("/clusters/<int:cluster_id>/imports/<int:job_id>")
@describe(summary="One import job with its progress and errors", tag="imports",
          role="viewer", response=JOB)
def get_import_job(cluster_id: int, job_id: int) -> Any:
    """One import job with its progress and errors."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(asdict(get_job(runtime(), cluster_id=cluster_id, job_id=job_id)))


@bp.get("/clusters/<int:cluster_id>/imports/template/<kind>.csv")
@describe(summary="The CSV template of an import kind (curves or parts)", tag="imports",
          role="viewer", response=STR, content_type="text/csv")
def import_template(cluster_id: int, kind: str) -> Any:
    """The CSV template of an import kind."""
    require_role(cluster_id, Role.VIEWER)
    return Response(template_csv(kind), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=lyceum-{kind}-template.csv"})
