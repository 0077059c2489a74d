"""Clusters over the API, beyond reading: create (the wizard's validation and provisioning),
retention, query limits, decommission, and status, usage and events."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.clusters import HEALTH, TIER_USAGE
from api.core import bp, json_body, runtime
from api.openapi import describe
from api.operations import PREFER_ASYNC, STARTED, started, wait_s
from api.schemas import ANY_OBJECT, INT, STR, TIME, array, component, nullable, obj
from auth.roles import Role, require_role
from auth.session import current_actor
from lyceum.errors import ValidationError
from services.clusters import console, retire
from services.clusters.console_view import console_view
from services.clusters.rules import coerce_int
from services.provisioning.deploy import begin_deploy_request

_INT = {"type": "integer"}
SPEC_BODY = {"type": "object", "required": ["name", "cluster_type", "region_code"],
             "properties": {
                 "name": {"type": "string"}, "description": {"type": "string"},
                 "cluster_type": {"type": "string", "description":
                                  "development, manufacturing or production: fills that "
                                  "type's preset (resources, tier sizes, retention) for "
                                  "every field left out"},
                 "region_code": {"type": "string"},
                 "nodes": _INT, "vcpu_per_node": _INT, "memory_gb_per_node": _INT,
                 "storage": {"type": "object"}, "retention": {"type": "object"},
                 "members": {"type": "array", "items": {"type": "object"}},
                 "load_sample_data": {"type": "boolean"}}}
RETENTION_BODY = {"type": "object", "required": ["warm_after_days", "cold_after_days",
                                                 "archive_after_days", "delete_after_days"],
                  "properties": {"warm_after_days": _INT, "cold_after_days": _INT,
                                 "archive_after_days": _INT,
                                 "delete_after_days": {"type": "integer", "nullable": True}}}
LIMITS_BODY = {"type": "object", "required": ["max_threads", "max_memory_gb",
                                              "max_execution_time_s"],
               "properties": {"max_threads": _INT, "max_memory_gb": _INT,
                              "max_execution_time_s": _INT}}
DECOMMISSION_BODY = {"type": "object", "required": ["confirm_name"],
                     "properties": {"confirm_name": {"type": "string"}}}
CREATED = component("ClusterCreated", obj(
    id=INT, status=STR, status_url=STR,
    secret_url={**STR, "description": "where the new credential's secret waits"}))
CLUSTER_STATUS = component("ClusterStatus", obj(
    id=INT, status=STR, status_reason=STR, progress=ANY_OBJECT, health=nullable(HEALTH)))
USAGE = component("ClusterUsage", obj(tiers=array(TIER_USAGE), trend=array(obj(
    at=TIME, tier=STR, rows=INT, bytes_on_disk=INT))))
TIMELINE = component("ClusterTimeline", obj(items=array(component("TimelineEntry", obj(
    at=TIME, source=STR, kind=STR, message=STR, actor=STR, outcome=STR)))))


@bp.post("/clusters")
@describe(summary="Create a cluster (validated and provisioned like the wizard)",
          tag="clusters", body=SPEC_BODY, role="global admin",
          response=CREATED, status=202)
def create_cluster() -> Any:
    """Start deploying a cluster; poll its status until it is running, then read its secret
    at ``secret_url`` (it waits there until it is confirmed saved)."""
    require_role(None, Role.ADMIN)
    cluster_id = begin_deploy_request(runtime(), json_body(), actor=current_actor())
    return jsonify(id=cluster_id, status="provisioning",
                   status_url=f"/api/v1/clusters/{cluster_id}/status",
                   secret_url=f"/api/v1/clusters/{cluster_id}/credential/pending-secret"), 202


@bp.put("/clusters/<int:cluster_id>/retention")
@describe(summary="Change the tier and delete days (an operation with progress)",
          tag="clusters", body=RETENTION_BODY, query=[PREFER_ASYNC], role="admin",
          response=STARTED, errors=(409,))
def update_retention(cluster_id: int) -> Any:
    """Apply new retention to a running cluster; ``changed`` once applied, or 202 and the
    operation's id with ``Prefer: respond-async``."""
    require_role(cluster_id, Role.ADMIN)
    retention = console.retention_from(json_body())
    operation = console.start_retention_change(runtime(), cluster_id, retention,
                                               actor=current_actor(), wait_s=wait_s())
    return started(cluster_id, operation, status="changed")


@bp.put("/clusters/<int:cluster_id>/limits")
@describe(summary="Change the per-query limits (an operation with progress)", tag="clusters",
          body=LIMITS_BODY, query=[PREFER_ASYNC], role="admin", response=STARTED,
          errors=(409,))
def update_limits(cluster_id: int) -> Any:
    """Store new per-query limits for a running cluster."""
    require_role(cluster_id, Role.ADMIN)
    body = json_body()
    names = ("max_threads", "max_memory_gb", "max_execution_time_s")
    values: dict[str, Any] = {k: body.get(k) for k in names}
    operation = console.start_limits_change(runtime(), cluster_id, actor=current_actor(),
                                            wait_s=wait_s(), **values)
    return started(cluster_id, operation, status="changed")


@bp.post("/clusters/<int:cluster_id>/decommission")
@describe(summary="Drop the cluster's database for good (type its name to confirm)",
          tag="clusters", body=DECOMMISSION_BODY, query=[PREFER_ASYNC], role="admin",
          response=STARTED, errors=(409,))
def decommission(cluster_id: int) -> Any:
    """Decommission a running or failed cluster (an operation with progress)."""
    require_role(cluster_id, Role.ADMIN)
    body = json_body()
    name = body["confirm_name"] if isinstance(body.get("confirm_name"), str) else ""
    operation = console.start_decommission(runtime(), cluster_id, typed_name=name,
                                           actor=current_actor(), wait_s=wait_s())
    return started(cluster_id, operation, status="decommissioned")


HIDE_BODY = {"type": "object", "required": ["hidden"],
             "properties": {"hidden": {"type": "boolean"}}}
HIDDEN = component("ClusterHidden", obj(id=INT, hidden={"type": "boolean"}))


@bp.post("/clusters/<int:cluster_id>/hide")
@describe(summary="Hide a decommissioned cluster from the overview (or show it again)",
          tag="clusters", body=HIDE_BODY, role="admin", response=HIDDEN, errors=(409,))
def hide_cluster(cluster_id: int) -> Any:
    """``{"hidden": true}`` hides it, ``false`` shows it again; it stays on the list."""
    require_role(cluster_id, Role.ADMIN)
    hidden = retire.set_hidden(runtime(), cluster_id, hidden=json_body().get("hidden"),
                               actor=current_actor())
    return jsonify(id=cluster_id, hidden=hidden)


@bp.post("/clusters/<int:cluster_id>/purge")
@describe(summary="Purge a decommissioned cluster: its engine data and records (the audit "
                  "log is kept); type its name to confirm", tag="clusters",
          body=DECOMMISSION_BODY, query=[PREFER_ASYNC], role="admin", response=STARTED,
          errors=(409,))
def purge_cluster(cluster_id: int) -> Any:
    """Purge (an operation with progress)."""
    require_role(cluster_id, Role.ADMIN)
    body = json_body()
    name = body["confirm_name"] if isinstance(body.get("confirm_name"), str) else ""
    operation = retire.start_purge(runtime(), cluster_id, typed_name=name,
                                   actor=current_actor(), wait_s=wait_s())
    return started(cluster_id, operation, status="purged")


@bp.get("/clusters/<int:cluster_id>/status")
@describe(summary="Status, provisioning progress and health", tag="clusters", role="viewer",
          response=CLUSTER_STATUS)
def cluster_status(cluster_id: int) -> Any:
    """Where the cluster stands: status, reason, provisioning steps, health score."""
    role = require_role(cluster_id, Role.VIEWER)
    view = console_view(runtime(), cluster_id, role=role.label)
    health = None if view.health is None else {
        "score": view.health.score, "status": view.health.status,
        "recommendations": list(view.health.recommendations)}
    return jsonify(id=cluster_id, status=view.cluster.status,
                   status_reason=view.cluster.status_reason,
                   progress=view.cluster.progress, health=health)


@bp.get("/clusters/<int:cluster_id>/usage")
@describe(summary="Storage by tier now, and sampled over the last days", tag="clusters",
          query=[{"name": "days", "in": "query",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 365}}],
          role="viewer", response=USAGE)
def cluster_usage(cluster_id: int) -> Any:
    """Usage by tier and its trend."""
    role = require_role(cluster_id, Role.VIEWER)
    days = coerce_int(request.args.get("days", "30"))
    if not 1 <= days <= 365:
        raise ValidationError("days is 1 to 365.", fields={"days": "range"})
    view = console_view(runtime(), cluster_id, role=role.label)
    trend = console.usage_trend(runtime(), cluster_id, days=days)
    return jsonify(
        tiers=[{"tier": u.tier, "rows": u.rows, "bytes_on_disk": u.bytes_on_disk,
                "bytes_uncompressed": u.bytes_uncompressed, "parts": u.parts}
               for u in view.usage],
        trend=[{"at": p.sampled_at.isoformat(), "tier": p.tier, "rows": p.rows,
                "bytes_on_disk": p.bytes_on_disk} for p in trend])


@bp.get("/clusters/<int:cluster_id>/events")
@describe(summary="The cluster's timeline", tag="clusters", role="viewer",
          query=[{"name": "limit", "in": "query",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
          response=TIMELINE)
def cluster_events(cluster_id: int) -> Any:
    """Events and audit entries of the cluster, newest first."""
    require_role(cluster_id, Role.VIEWER)
    limit = coerce_int(request.args.get("limit", "50"))
    rows = console.events_timeline(runtime(), cluster_id, limit=limit)
    return jsonify(items=[{"at": r.at.isoformat(), "source": r.source, "kind": r.kind,
                           "message": r.message, "actor": r.actor, "outcome": r.outcome}
                          for r in rows])
