"""Reading the audit log: who may see which entries, search, CSV export, chain check."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from data.metadata import audit_log, memberships
from data.metadata.audit_log import AuditFilter
from data.metadata.models import AuditEntry
from lyceum.errors import Forbidden, ValidationError
from services.core.audit import Actor, ChainReport, record, verify_chain
from services.core.runtime import Runtime

OUTCOMES = ("success", "denied", "refused", "failure")
CSV_COLUMNS = ("id", "created_at", "actor", "action", "outcome", "cluster_id", "target_type",
               "target_id", "ip", "detail", "entry_hash")
MAX_EXPORT = 50_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditPage:
    """One page of entries and how many match."""

    entries: list[AuditEntry]
    total: int
    cluster_names: dict[int, str]


def parse_time(value: Any, label: str) -> datetime | None:
    """An ISO date or date-time (UTC if no zone given), or ``None`` for empty."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ValidationError(f"{label}: use a date like 2026-11-25 or 2026-11-25T08:00.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError(f"{label}: use a date like 2026-11-25 or 2026-11-25T08:00.") \
            from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def make_filter(*, user: Any = "", action: Any = "", cluster_id: int | None = None,
                outcome: Any = "", since: Any = None, until: Any = None,
                visible: frozenset[int] | None = None) -> AuditFilter:
    """A validated filter; ``visible`` limits non-admins to the clusters they administer."""
    texts = {"user": user, "action": action, "outcome": outcome}
    for name, value in texts.items():
        if value is not None and (not isinstance(value, str) or len(value) > 254):
            raise ValidationError(f"The {name} filter is text of at most 254 characters.")
    if outcome and outcome not in OUTCOMES:
        raise ValidationError(f"Outcome is one of {', '.join(OUTCOMES)}.")
    end = parse_time(until, "Until")
    if end is not None and isinstance(until, str) and len(until.strip()) == 10:
        end += timedelta(days=1)  # a date alone means "until the end of that day"
    return AuditFilter(user=(user or "").strip(), action=(action or "").strip(),
                       cluster_id=cluster_id, outcome=outcome or "",
                       since=parse_time(since, "From"), until=end, cluster_ids=visible)


def search(runtime: Runtime, flt: AuditFilter, *, limit: int = 50, offset: int = 0
           ) -> AuditPage:
    """One page of matching entries, newest first."""
    with runtime.db.session() as session:
        entries, total = audit_log.search(session, flt, limit=limit, offset=offset)
        ids = sorted({e.cluster_id for e in entries if e.cluster_id is not None})
        names = {c.id: c.name for c in memberships.list_clusters(session, cluster_ids=ids)}
    return AuditPage(entries=entries, total=total, cluster_names=names)


def filter_choices(runtime: Runtime, visible: frozenset[int] | None
                   ) -> tuple[list[str], dict[int, str]]:
    """The action names and the clusters (id → name) the filters offer."""
    with runtime.db.session() as session:
        clusters = memberships.list_clusters(
            session, cluster_ids=None if visible is None else sorted(visible))
        return audit_log.distinct_actions(session), {c.id: c.name for c in clusters}


def neutralise(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry as plain values."""
    return {"id": entry.id, "created_at": entry.created_at.isoformat(), "actor": entry.actor,
            "actor_user_id": entry.actor_user_id, "action": entry.action,
            "outcome": entry.outcome, "cluster_id": entry.cluster_id,
            "target_type": entry.target_type, "target_id": entry.target_id, "ip": entry.ip,
            "detail": entry.detail, "entry_hash": entry.entry_hash}


def to_csv(runtime: Runtime, flt: AuditFilter) -> str:
    """Every matching entry (up to :data:`MAX_EXPORT`) as CSV text."""
    entries = search(runtime, flt, limit=MAX_EXPORT, offset=0).entries
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        values = entry_json(entry)
        writer.writerow([neutralise(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def check_chain(runtime: Runtime) -> ChainReport:
    """Recompute the hash chain of the whole log."""
    with runtime.db.session() as session:
        return verify_chain(session)


def administers_any(runtime: Runtime, *, user_id: int, is_admin: bool) -> bool:
    """Whether the user may read some of the audit log: a global admin, or an admin of at
    least one cluster now (for showing the link; reading still checks
    :func:`administered_clusters`)."""
    if is_admin:
        return True
    with runtime.db.session() as session:
        roles = memberships.roles_by_cluster(session, user_id=user_id)
    return any(role == "admin" for role in roles.values())


def administered_clusters(runtime: Runtime, *, user_id: int, is_admin: bool,
                          scope: tuple[int, str] | None = None,
                          actor: Actor | None = None) -> frozenset[int] | None:
    """Whose entries a user may read: ``None`` for all (global admins), else the clusters
    they administer. Raises :class:`Forbidden` (audited) when that is none at all."""
    if scope is not None:
        found = frozenset({scope[0]}) if scope[1] == "admin" else frozenset()
    elif is_admin:
        return None
    else:
        with runtime.db.session() as session:
            roles = memberships.roles_by_cluster(session, user_id=user_id)
        found = frozenset(cid for cid, role in roles.items() if role == "admin")
    if not found:
        with runtime.db.session() as session:
            record(session, "access.denied", actor=actor or Actor(user_id=user_id),
                   outcome="denied", target_type="audit_log",
                   detail={"needed": "admin of a cluster"})
        raise Forbidden("The audit log is for administrators of a cluster.")
    return found
