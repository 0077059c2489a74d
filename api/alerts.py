"""Alerts over the API: list a cluster's alerts, acknowledge one (editors), list its rules."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request

from api.core import bp, json_body, page, page_params, runtime
from api.openapi import describe, query_param
from api.schemas import (
    ANY_OBJECT,
    BOOL,
    INT,
    STATUS_WITH_ID,
    STR,
    TIME,
    component,
    from_dataclass,
    list_schema,
    obj,
    page_schema,
)
from auth.roles import Role, require_role
from auth.session import current_actor
from lyceum.errors import ValidationError
from services.quality import alerts

ALERT = component("Alert", from_dataclass(alerts.AlertView))
RULE = component("AlertRule", obj(id=INT, name=STR, kind=STR, params=ANY_OBJECT, severity=STR,
                                  enabled=BOOL, created_at=TIME))
ACK_BODY = obj(comment=STR)
RULE_BODY = obj(required=("name", "kind"), name=STR, kind=STR, params=ANY_OBJECT,
                severity={**STR, "default": "warning"})


@bp.get("/clusters/<int:cluster_id>/alerts")
@describe(summary="Alerts of a cluster (default: the open ones)", tag="alerts", paged=True,
          role="viewer", response=page_schema("AlertPage", ALERT),
          query=[query_param("state", STR, description="comma-separated: firing, "
                             "acknowledged, resolved")])
def list_alerts(cluster_id: int) -> Any:
    """Alerts of a cluster (``state`` = firing, acknowledged, resolved; default open ones)."""
    require_role(cluster_id, Role.VIEWER)
    limit, offset = page_params()
    wanted = tuple(s for s in request.args.get("state", "firing,acknowledged").split(",") if s)
    if not wanted or set(wanted) - set(alerts.ALERT_STATES):
        raise ValidationError(
            f"state is a comma-separated list of {', '.join(alerts.ALERT_STATES)}.")
    found, total = alerts.list_alerts(runtime(), cluster_id, states=wanted, limit=limit,
                                      offset=offset)
    return jsonify(page([asdict(a) for a in found], total=total, limit=limit, offset=offset))


@bp.post("/clusters/<int:cluster_id>/alerts/<int:alert_id>/acknowledge")
@describe(summary="Acknowledge a firing alert with a comment", tag="alerts", body=ACK_BODY,
          role="editor", response=STATUS_WITH_ID, errors=(409,))
def acknowledge_alert(cluster_id: int, alert_id: int) -> Any:
    """Acknowledge a firing alert with ``{"comment": "…"}`` (editors and above)."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    comment = body.get("comment")
    if not isinstance(comment, str):
        raise ValidationError("Send a comment (text).", fields={"comment": "required"})
    alerts.acknowledge(runtime(), cluster_id, alert_id, comment=comment, actor=current_actor())
    return jsonify(status="acknowledged", id=alert_id)


def _rule_json(rule: Any) -> dict[str, Any]:
    return {"id": rule.id, "name": rule.name, "kind": rule.kind, "params": rule.params,
            "severity": rule.severity, "enabled": rule.enabled,
            "created_at": rule.created_at.isoformat()}


@bp.get("/clusters/<int:cluster_id>/alert-rules")
@describe(summary="The cluster's alert rules", tag="alerts", role="viewer",
          response=list_schema("AlertRuleList", RULE))
def list_alert_rules(cluster_id: int) -> Any:
    """The cluster's alert rules."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(items=[_rule_json(r) for r in alerts.rules_of(runtime(), cluster_id)])


@bp.post("/clusters/<int:cluster_id>/alert-rules")
@describe(summary="Add an alert rule", tag="alerts", body=RULE_BODY, role="editor",
          response=component("Created", obj(id=INT)), status=201)
def create_alert_rule(cluster_id: int) -> Any:
    """Add a rule: ``{"name", "kind", "params", "severity"}`` (editors and above)."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ValidationError("params is a JSON object.", fields={"params": "not an object"})
    rule_id = alerts.create_rule(runtime(), cluster_id, name=str(body.get("name", "")),
                                 kind=str(body.get("kind", "")), params=params,
                                 severity=str(body.get("severity", "warning")),
                                 actor=current_actor())
    return jsonify(id=rule_id), 201
