"""The expected allow/deny of every page, callback and API route, and how to ask them."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from auth.roles import Role
from data.metadata.models import AuditEntry
from services.core.runtime import Runtime

ORIGIN = {"Origin": "http://localhost"}
FAKE_ID = 999_999
GLOBAL = "global"
SIGNED_IN = "signed_in"

#: Callbacks by their first output id's prefix → the role they need. "global" means the
#: global admin flag; "signed_in" any account; "audit" the admin role on some cluster.
CALLBACK_RULES: list[tuple[str, str, str]] = [
    # (first output id, or its prefix, the role needed, whether it is cluster-bound)
    ("audit-verify-result-div", GLOBAL, "global"),
    ("dashboard-specs-result-div", "editor", "cluster"),
    ("dashboard-specs-editor-div", "viewer", "cluster"),
    ("dashboard-spc-feature-select", "viewer", "cluster"),
    ("dashboard-spc-exclude-result-div", "editor", "cluster"),
    ("dashboard-spc-exclusions-div", "viewer", "cluster"),
    ("dashboard-spc-subgroup-input", "viewer", "cluster"),
    ("audit-", "audit", "global"),
    ("cluster-header-div", "viewer", "cluster"),
    ("cluster-", "admin", "cluster"),
    ("team-header-div", "viewer", "cluster"),
    ("team-reset-result-div", GLOBAL, "global"),
    ("team-", "admin", "cluster"),
    ("tokens-", "viewer", "cluster"),
    ("sql-", "viewer", "cluster"),
    ("trace-body-div", "viewer", "cluster"),
    ("explorer-export-all-job-store", "analyst", "cluster"),
    ("clusters-", SIGNED_IN, "global"),
    ("overview-", SIGNED_IN, "global"),
    ("shell-", SIGNED_IN, "global"),
    ("_pages_", SIGNED_IN, "global"),
    ("engine-", GLOBAL, "global"),
    ("wizard-", GLOBAL, "global"),
]


def allowed(principal: str, *, needs: str, bound: bool, target_is_a: bool) -> bool | None:
    """Whether ``principal`` may (``None``: this matrix has no rule for it)."""
    if principal == "anon":
        return False
    if principal == "root":
        return True
    if needs == SIGNED_IN:
        return True
    if needs == GLOBAL:
        return False
    if needs == "audit":
        return principal == "admin"
    if bound and not target_is_a:
        return False
    return Role.parse(principal) >= Role.parse(needs)


def denials(runtime: Runtime) -> int:
    """How many refusals the audit log holds."""
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.outcome == "denied")) or 0


# --- Dash callbacks ----------------------------------------------------------------------

def _split_outputs(output: str) -> list[tuple[Any, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        found.append((json.loads(ident) if ident.startswith("{") else ident,
                      prop.split("@")[0]))
    return found


def is_wildcard(ident: Any) -> bool:
    """Whether a (dict) id has an ALL/MATCH/ALLSMALLER part."""
    return isinstance(ident, dict) and any(isinstance(v, list) for v in ident.values())


def _item(ident: Any, prop: str, value: Any, *, cluster: str) -> Any:
    if is_wildcard(ident):  # no matching component on the page
        return []
    text = str(ident)
    if "cluster" in text and prop in ("data", "value") and "select" not in text:
        value = cluster
    elif prop == "n_clicks":
        value = 1
    elif prop == "n_intervals":
        value = 0
    return {"id": ident, "property": prop, "value": value}


def _concrete(ident: dict[str, Any]) -> dict[str, Any]:
    return {k: (FAKE_ID if isinstance(v, list) else v) for k, v in ident.items()}


def _wild_input(ident: dict[str, Any], prop: str) -> Any:
    item = {"id": _concrete(ident), "property": prop,
            "value": 1 if prop == "n_clicks" else "viewer"}
    return item if any(v == ["MATCH"] for v in ident.values()) else [item]


def callback_payload(dep: dict[str, Any], *, cluster: str, path: str = "/") -> dict[str, Any]:
    """A raw /_dash-update-component body for one callback, aimed at ``cluster``."""
    outputs = []
    for ident, prop in _split_outputs(dep["output"]):
        if is_wildcard(ident):  # MATCH: the one item the input matched; ALL: none
            match = any(v == ["MATCH"] for v in ident.values())
            outputs.append({"id": _concrete(ident), "property": prop} if match else [])
        else:
            outputs.append({"id": ident, "property": prop})
    inputs: list[Any] = []
    for spec in dep["inputs"]:
        ident = json.loads(spec["id"]) if spec["id"].startswith("{") else spec["id"]
        if is_wildcard(ident):
            inputs.append(_wild_input(ident, spec["property"]))
        elif ident == "_pages_location":
            inputs.append({"id": ident, "property": spec["property"],
                           "value": path if spec["property"] == "pathname" else ""})
        else:
            inputs.append(_item(ident, spec["property"], None, cluster=cluster))
    state = [_item(json.loads(s["id"]) if s["id"].startswith("{") else s["id"],
                   s["property"], None, cluster=cluster) for s in dep["state"]]
    first = inputs[0]
    changed = first[0] if isinstance(first, list) and first else first
    changed_ids = [f"{json.dumps(changed['id'], sort_keys=True, separators=(',', ':'))}"
                   f".{changed['property']}" if isinstance(changed['id'], dict) else
                   f"{changed['id']}.{changed['property']}"] if changed else []
    return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs, "state": state, "changedPropIds": changed_ids}


def first_output(dep: dict[str, Any]) -> str:
    """The id of a callback's first output (as text)."""
    ident = _split_outputs(dep["output"])[0][0]
    return json.dumps(ident) if isinstance(ident, dict) else ident


def rule_for(dep: dict[str, Any]) -> tuple[str, str] | None:
    """The (role needed, cluster-bound or global) for a callback, if the matrix knows it."""
    name = first_output(dep)
    for prefix, needs, bound in CALLBACK_RULES:
        if name == prefix or (prefix.endswith(("-", "_")) and name.startswith(prefix)):
            return needs, bound
    return None


def dependencies(server: Flask, client: FlaskClient) -> list[dict[str, Any]]:
    """The app's callback list as the browser gets it."""
    deps: list[dict[str, Any]] = client.get("/_dash-dependencies").json  # type: ignore[assignment]
    return deps


def is_cluster_bound(dep: dict[str, Any]) -> bool:
    """Whether a callback takes a cluster id from a store."""
    specs = dep["inputs"] + dep["state"]
    return any("cluster" in s["id"] and s["property"] == "data" for s in specs)


# --- API routes --------------------------------------------------------------------------

_VAR = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")


def api_routes(server: Flask) -> list[tuple[str, str, str, Any]]:
    """Every /api/v1 route: (rule, method, endpoint, view)."""
    found = []
    for rule in server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.unknown_route":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method, rule.endpoint, server.view_functions[rule.endpoint]))
    return sorted(found)


def api_url(rule: str, *, cluster: int) -> str:
    """A concrete URL for a rule: the cluster id filled in, other ids unknown."""
    return _VAR.sub(lambda m: str(cluster) if m.group(1) == "cluster_id" else str(FAKE_ID),
                    rule)


def api_rule(view: Any, rule: str) -> tuple[str, bool] | None:
    """(role needed, cluster-bound) from the route's OpenAPI metadata, if it has any."""
    meta = getattr(view, "openapi", None)
    if not meta or not meta.get("role"):
        return None
    role = meta["role"]
    needs = {"global admin": GLOBAL, "signed in": SIGNED_IN}.get(role, role)
    bound = "<int:cluster_id>" in rule
    if rule.startswith("/api/v1/audit") and role == "admin":
        needs = "audit"
    return needs, bound
