"""The audit log over the API: search with filters and paging, CSV export, chain check."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user

from api.core import bp, page, page_params, runtime
from api.openapi import describe
from api.schemas import ANY_OBJECT, BOOL, INT, STR, TIME, component, nullable, obj, page_schema
from auth.roles import Role, parse_cluster_id, require_role
from auth.session import current_actor
from services.core import audit_reader

FILTERS = [
    {"name": "user", "in": "query", "schema": {"type": "string", "maxLength": 254}},
    {"name": "action", "in": "query", "schema": {"type": "string", "maxLength": 254}},
    {"name": "cluster_id", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "outcome", "in": "query",
     "schema": {"type": "string", "enum": list(audit_reader.OUTCOMES)}},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}},
]

ENTRY = component("AuditEntry", obj(
    id=INT, created_at=TIME, actor=STR, actor_user_id=nullable(INT), action=STR, outcome=STR,
    cluster_id=nullable(INT), target_type=nullable(STR), target_id=nullable(STR),
    ip=nullable(STR), detail=nullable(ANY_OBJECT), entry_hash=nullable(STR)))
CHAIN = component("AuditChainReport", obj(
    ok=BOOL, checked=INT, broken_at=nullable(INT), missing_at_end=nullable(INT),
    anchored=nullable(BOOL), anchor_entries=nullable(INT)))


def _filter() -> audit_reader.AuditFilter:
    require_role(None, Role.VIEWER)
    visible = audit_reader.administered_clusters(
        runtime(), user_id=current_user.id, is_admin=bool(current_user.is_admin),
        scope=getattr(current_user, "scope", None), actor=current_actor())
    args = request.args
    cluster = args.get("cluster_id")
    return audit_reader.make_filter(
        user=args.get("user", ""), action=args.get("action", ""),
        cluster_id=parse_cluster_id(cluster) if cluster else None,
        outcome=args.get("outcome", ""), since=args.get("since"), until=args.get("until"),
        visible=visible)


@bp.get("/audit")
@describe(summary="Audit entries, newest first (cluster admins: their clusters)", tag="audit",
          query=FILTERS, paged=True, role="admin",
          response=page_schema("AuditPage", ENTRY))
def list_audit() -> Any:
    """Search the audit log."""
    flt = _filter()
    limit, offset = page_params()
    found = audit_reader.search(runtime(), flt, limit=limit, offset=offset)
    items = [audit_reader.entry_json(e) for e in found.entries]
    return jsonify(page(items, total=found.total, limit=limit, offset=offset))


@bp.get("/audit.csv")
@describe(summary="The matching audit entries as CSV", tag="audit", query=FILTERS,
          role="admin", response=STR, content_type="text/csv")
def export_audit() -> Any:
    """The matching entries as a CSV download (formula-like cells neutralised)."""
    text = audit_reader.to_csv(runtime(), _filter())
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


@bp.get("/audit/verify")
@describe(summary="Recompute the audit hash chain", tag="audit", role="global admin",
          response=CHAIN)
def verify_audit() -> Any:
    """Check that no entry was changed or removed, in the middle or at the end (global
    administrators)."""
    require_role(None, Role.ADMIN)
    report = audit_reader.check_chain(runtime())
    return jsonify(ok=report.ok, checked=report.checked, broken_at=report.broken_at,
                   missing_at_end=report.missing_at_end, anchored=report.anchored,
                   anchor_entries=report.anchor_entries)
