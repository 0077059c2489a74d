"""A cluster's long operations over the API: their progress, read from the metadata database
(any web process answers), and how the routes that start one answer.

A route that starts an operation (retention, limits, credential rotation, decommission) waits
for its end like any request, or answers ``202`` at once when the client sends
``Prefer: respond-async`` (RFC 7240); either way the answer names the operation's id and the
URL of its progress.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.core import bp, runtime
from api.openapi import describe
from api.schemas import INT, STR, TIME, component, nullable, obj
from auth.roles import Role, require_role
from lyceum.errors import NotFound
from services.clusters import operations
from services.clusters.operations import OperationView
from services.core.work_pools import request_wait_s

OPERATION = component("ClusterOperation", obj(
    id=INT, kind=STR, label=STR, state={**STR, "description":
                                        "running, done, failed or interrupted"},
    done=INT, total=INT, percent=INT, summary=STR, message=STR, actor=STR,
    started_at=TIME, finished_at=nullable(TIME)))
STARTED = component("OperationStarted", obj(
    status=STR, operation_id=INT,
    operation_url={**STR, "description": "GET it for the operation's progress"}))
#: The header that asks for a 202 and the operation's id instead of waiting.
PREFER_ASYNC = {"name": "Prefer", "in": "header", "schema": {"type": "string"},
                "description": "respond-async: answer 202 at once with the operation's id"}


def wait_s() -> float | None:
    """How long a route waits for the operation it starts (``None``: not at all)."""
    wanted = {part.strip().lower() for part in request.headers.get("Prefer", "").split(",")}
    return None if "respond-async" in wanted else request_wait_s(runtime().settings)


def operation_url(cluster_id: int, operation_id: int) -> str:
    """Where an operation's progress is read."""
    return f"/api/v1/clusters/{cluster_id}/operations/{operation_id}"


def started(cluster_id: int, operation: OperationView, *, status: str) -> Any:
    """The answer of a route that started an operation: ``status`` once it ended, 202 with
    ``running`` while it runs."""
    body = {"operation_id": operation.id,
            "operation_url": operation_url(cluster_id, operation.id)}
    if operation.running:
        return jsonify(status="running", **body), 202
    return jsonify(status=status, **body)


@bp.get("/clusters/<int:cluster_id>/operations/<int:operation_id>")
@describe(summary="A long operation's progress (retention, limits, rotation, decommission)",
          tag="clusters", role="viewer", response=OPERATION)
def operation_progress(cluster_id: int, operation_id: int) -> Any:
    """How far the operation got, and how it ended."""
    require_role(cluster_id, Role.VIEWER)
    found = operations.get(runtime(), cluster_id, operation_id)
    return jsonify(operations.operation_fields(found))


@bp.get("/clusters/<int:cluster_id>/operations/latest")
@describe(summary="The cluster's newest long operation (404 when it never had one)",
          tag="clusters", role="viewer", response=OPERATION)
def latest_operation(cluster_id: int) -> Any:
    """The newest operation, running or ended."""
    require_role(cluster_id, Role.VIEWER)
    found = operations.latest(runtime(), cluster_id)
    if found is None:
        raise NotFound("This cluster has had no long operation yet.")
    return jsonify(operations.operation_fields(found))
