"""Specification limits over the API: list a cluster's limits (viewers), set or reset one
feature's limits (editors). Every change is audited by the service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from api.core import bp, json_body, runtime
from api.openapi import describe
from api.schemas import STR, component, from_dataclass, list_schema, nullable, obj
from auth.roles import Role, require_role
from auth.session import current_actor
from services.quality import spec_limits
from services.quality.spec_limits import SpecLimit

LIMIT_BODY = {"type": "object", "properties": {
    "lsl": {"type": "number", "nullable": True}, "usl": {"type": "number", "nullable": True},
    "unit": {"type": "string", "maxLength": 20}}}
SPEC_LIMIT = component("SpecLimit", from_dataclass(SpecLimit, key=STR))
_PATH = "/clusters/<int:cluster_id>/spec-limits/<process>/<feature>"


def _json(limit: SpecLimit | None) -> dict[str, Any] | None:
    return None if limit is None else {**asdict(limit), "key": limit.key}


@bp.get("/clusters/<int:cluster_id>/spec-limits")
@describe(summary="Specification limits in force per (process, feature)", tag="spec-limits",
          role="viewer", response=list_schema("SpecLimitList", SPEC_LIMIT))
def list_spec_limits(cluster_id: int) -> Any:
    """The cluster's limits: the defaults, overridden by its own (``is_default`` false)."""
    require_role(cluster_id, Role.VIEWER)
    return jsonify(items=[_json(s) for s in spec_limits.list_limits(runtime(), cluster_id)])


@bp.put(_PATH)
@describe(summary="Set one feature's limits: {lsl, usl, unit}", tag="spec-limits",
          body=LIMIT_BODY, role="editor", response=SPEC_LIMIT)
def set_spec_limits(cluster_id: int, process: str, feature: str) -> Any:
    """Set the limits of a feature that exists in the cluster (editors and above)."""
    require_role(cluster_id, Role.EDITOR)
    body = json_body()
    found = spec_limits.set_limits(runtime(), cluster_id, process=process, feature=feature,
                             lsl=body.get("lsl"), usl=body.get("usl"),
                             unit=body.get("unit"), actor=current_actor())
    return jsonify(_json(found))


@bp.delete(_PATH)
@describe(summary="Reset one feature's limits to the default", tag="spec-limits",
          role="editor", response=component("SpecLimitInForce", obj(
              limit=nullable(SPEC_LIMIT))))
def reset_spec_limits(cluster_id: int, process: str, feature: str) -> Any:
    """Drop the cluster's own limits of a feature (editors and above); returns what is in
    force now (``null``: no limits)."""
    require_role(cluster_id, Role.EDITOR)
    found = spec_limits.reset_limits(runtime(), cluster_id, process=process, feature=feature,
                               actor=current_actor())
    return jsonify(limit=_json(found))
