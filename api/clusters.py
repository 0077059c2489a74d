"""Clusters over the API: list and read (create, update and decommission join them later)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from api.core import bp, page_of, runtime
from api.openapi import describe
from api.schemas import ANY_OBJECT, INT, NUM, STR, TIME, array, component, obj, page_schema
from auth.roles import Role, require_role
from services.clusters.console_view import cluster_fields, console_view
from services.clusters.listing import visible_clusters

CLUSTER = component("Cluster", obj(
    id=INT, name=STR, database=STR, type=STR, region=STR, status=STR, status_reason=STR,
    nodes=INT, vcpu_per_node=INT, memory_gb_per_node=INT, storage=ANY_OBJECT,
    retention=ANY_OBJECT, query_limits=ANY_OBJECT, credential_user=STR, credential_mode=STR,
    monthly_estimate=NUM, created_at=TIME,
    your_role={**STR, "description": "the caller's role on this cluster"}))
HEALTH = component("ClusterHealth", obj(score=NUM, status=STR, recommendations=array(STR)))
TIER_USAGE = component("TierUsage", obj(tier=STR, rows=INT, bytes_on_disk=INT,
                                        bytes_uncompressed=INT, parts=INT))
CLUSTER_DETAIL = component("ClusterDetail", {"allOf": [CLUSTER, obj(
    required=("notes", "usage"), notes={"type": "object", "additionalProperties": STR},
    health=HEALTH, usage=array(TIER_USAGE))]})
CLUSTER_PAGE = page_schema("ClusterPage", CLUSTER)


@bp.get("/clusters")
@describe(summary="The clusters you may see", tag="clusters", paged=True, role="signed in",
          response=CLUSTER_PAGE)
def list_clusters() -> Any:
    """The clusters the caller may see (a token sees only its own cluster)."""
    require_role(None, Role.VIEWER)
    clusters, roles = visible_clusters(runtime(), user_id=current_user.id,
                                       is_admin=bool(current_user.is_admin),
                                       scope=getattr(current_user, "scope", None))
    return jsonify(page_of(clusters, lambda c: cluster_fields(c, role=roles.get(c.id, "viewer"))))


@bp.get("/clusters/<int:cluster_id>")
@describe(summary="One cluster with health and usage", tag="clusters", role="viewer",
          response=CLUSTER_DETAIL)
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
