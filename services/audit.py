"""The audit log: every mutation and every sign-in attempt is recorded here, append-only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from data import audit as audit_data
from data.db import Session
from data.models import AuditEntry, utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it and from where (a user, or an unauthenticated caller)."""

    user_id: int | None = None
    label: str = ""
    ip: str = ""


SYSTEM = Actor(label="system")


def _canonical(entry: AuditEntry, prev_hash: str) -> bytes:
    payload = {
        "prev": prev_hash,
        "at": entry.created_at.isoformat(),
        "uid": entry.actor_user_id,
        "actor": entry.actor,
        "action": entry.action,
        "target": [entry.target_type, entry.target_id],
        "cluster": entry.cluster_id,
        "ip": entry.ip,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def seal(entry: AuditEntry, prev_hash: str) -> str:
    """The SHA-256 of an entry's content linked to its predecessor's hash."""
    return hashlib.sha256(_canonical(entry, prev_hash)).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor: Actor,
    outcome: str = "success",
    target_type: str = "",
    target_id: str | int = "",
    cluster_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry in the caller's unit of work."""
    entry = AuditEntry(
        created_at=utcnow(),
        actor_user_id=actor.user_id,
        actor=actor.label[:254],
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:120],
        cluster_id=cluster_id,
        ip=actor.ip[:64],
        outcome=outcome,
        detail=detail or {},
    )
    return audit_data.append_entry(session, entry, seal)


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the hash chain: ``ok`` or the first broken entry id."""

    ok: bool
    checked: int
    broken_at: int | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not match."""
    prev = ""
    entries = audit_data.all_in_order(session)
    for entry in entries:
        if entry.prev_hash != prev or seal(entry, prev) != entry.entry_hash:
            return ChainReport(ok=False, checked=len(entries), broken_at=entry.id)
        prev = entry.entry_hash
    return ChainReport(ok=True, checked=len(entries))
