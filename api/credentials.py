"""A cluster's credential over the API: its new secret while it waits to be saved, the
confirmation that it was saved, and rotation (cluster admins only)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.core import bp, runtime
from api.openapi import describe
from api.operations import PREFER_ASYNC, operation_url, started, wait_s
from api.schemas import STATUS, STR, TIME, component, from_dataclass
from auth.roles import Role, require_role
from auth.session import current_actor
from lyceum.errors import NotFound
from services.clusters import credentials
from services.clusters.credentials import PendingSecret

SECRET = component("PendingSecret", from_dataclass(
    PendingSecret, created_at=TIME, expires_at=TIME,
    acknowledge_url={**STR, "description": "POST here once the secret is saved"}))


def secret_json(pending: PendingSecret) -> dict[str, Any]:
    """A waiting secret as JSON, with where to confirm it was saved."""
    return {"cluster_id": pending.cluster_id, "username": pending.username,
            "secret": pending.secret, "purpose": pending.purpose,
            "created_at": pending.created_at.isoformat(),
            "expires_at": pending.expires_at.isoformat(),
            "acknowledge_url": f"/api/v1/clusters/{pending.cluster_id}/credential/"
                               "pending-secret/acknowledge"}


@bp.get("/clusters/<int:cluster_id>/credential/pending-secret")
@describe(summary="The credential's new secret, until it is confirmed saved (24 h at most)",
          tag="clusters", role="admin", response=SECRET)
def pending_secret(cluster_id: int) -> Any:
    """Read the waiting secret; reading does not use it up (404 when none waits)."""
    require_role(cluster_id, Role.ADMIN)
    pending = credentials.pending_secret(runtime(), cluster_id, actor=current_actor())
    if pending is None:
        raise NotFound(credentials.NOTHING_PENDING)
    return jsonify(secret_json(pending))


@bp.post("/clusters/<int:cluster_id>/credential/pending-secret/acknowledge")
@describe(summary="Confirm the new secret was saved; the app erases it", tag="clusters",
          role="admin", response=STATUS)
def acknowledge_secret(cluster_id: int) -> Any:
    """Erase the waiting secret for good (audited)."""
    require_role(cluster_id, Role.ADMIN)
    credentials.acknowledge_secret(runtime(), cluster_id, actor=current_actor())
    return jsonify(status="acknowledged")


@bp.post("/clusters/<int:cluster_id>/credential/rotate")
@describe(summary="Give the credential a new secret; the old one stops working at once",
          tag="clusters", query=[PREFER_ASYNC], role="admin", response=SECRET, status=201,
          errors=(409,))
def rotate_credential(cluster_id: int) -> Any:
    """Rotate (an operation with progress); the new secret is in the response, with the
    operation's id, and also waits, readable again at ``…/credential/pending-secret``,
    until it is confirmed saved. With ``Prefer: respond-async`` the answer is 202 and the
    operation's id; the secret is read there once the operation is done."""
    require_role(cluster_id, Role.ADMIN)
    operation = credentials.start_rotation(runtime(), cluster_id, actor=current_actor(),
                                           wait_s=wait_s())
    pending = None if operation.running else credentials.pending_secret(
        runtime(), cluster_id, actor=current_actor())
    if pending is None:
        return started(cluster_id, operation, status="rotated")
    return jsonify({**secret_json(pending), "operation_id": operation.id,
                    "operation_url": operation_url(cluster_id, operation.id)}), 201
