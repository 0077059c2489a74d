"""Clusters over the API: list and read (create, update and decommission join them later)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from api.core import bp, page_of, runtime
from api.openapi import describe
from auth.roles import Role, require_role
from services.clusters.console_view import cluster_fields, console_view
from services.clusters.listing import visible_clusters


@bp.get("/clusters")
@describe(summary="The clusters you may see", tag="clusters", paged=True, role="signed in")
def list_clusters() -> Any:
    """The clusters the caller may see (a token sees only its own cluster)."""
    require_role(None, Role.VIEWER)
    scope = getattr(current_user, "scope", None)
    clusters, roles = visible_clusters(runtime(), user_id=current_user.id,
                                       is_admin=bool(current_user.is_admin))
    if scope is not None:
        clusters = [c for c in clusters if c.id == scope[0]]
        roles = {scope[0]: scope[1]}
    return jsonify(page_of(clusters, lambda c: cluster_fields(c, role=roles.get(c.id, "viewer"))))


@bp.get("/clusters/<int:cluster_id>")
@describe(summary="One cluster with health and usage", tag="clusters", role="viewer")
def get_cluster(cluster_id: int) -> Any:
    """One cluster, if the caller has at least the viewer role on it."""
    role = require_role(cluster_id, Role.VIEWER)
    view = console_view(runtime(), cluster_id, role=role.label)
    body = cluster_fields(view.cluster, role=role.label)
    body["notes"] = view.notes
    if view.health is not None:
        body["health"] = {"score": view.health.score, "status": view.health.status,
                          "recommendations": list(view.health.recommendations)}
    body["usage"] = [{"tier": u.tier, "rows": u.rows, "bytes_on_disk": u.bytes_on_disk,
                      "bytes_uncompressed": u.bytes_uncompressed, "parts": u.parts}
                     for u in view.usage]
    return jsonify(body)
