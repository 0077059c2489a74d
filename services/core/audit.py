"""The audit log: every mutation and every sign-in attempt is recorded here, append-only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from data.metadata import audit as audit_data
from data.metadata import cluster_meta
from data.metadata.audit_anchor import Anchor
from data.metadata.db import Session
from data.metadata.models import AuditEntry, utcnow


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
    entry = _entry(action, actor=actor, outcome=outcome, target_type=target_type,
                   target_id=target_id, cluster_id=cluster_id, detail=detail)
    return audit_data.append_entry(session, entry, seal)


@dataclass(frozen=True)
class Pending:
    """One audit entry to append later (what :func:`record` takes, as a value)."""

    action: str
    actor: Actor
    outcome: str = "success"
    target_type: str = ""
    target_id: str | int = ""
    cluster_id: int | None = None
    detail: dict[str, Any] | None = None
    #: When it happened (``None``: when it is appended).
    at: datetime | None = None


def record_many(session: Session, pending: Sequence[Pending]) -> list[AuditEntry]:
    """Append ``pending`` in order in the caller's unit of work: the same entries (and
    chain) as :func:`record` one by one, with one update of the chain head for all."""
    entries = [_entry(p.action, actor=p.actor, outcome=p.outcome, target_type=p.target_type,
                      target_id=p.target_id, cluster_id=p.cluster_id, detail=p.detail,
                      at=p.at)
               for p in pending]
    return list(audit_data.append_entries(session, entries, seal))


def _entry(action: str, *, actor: Actor, outcome: str, target_type: str,
           target_id: str | int, cluster_id: int | None,
           detail: dict[str, Any] | None, at: datetime | None = None) -> AuditEntry:
    return AuditEntry(
        created_at=at or utcnow(),
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


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the hash chain.

    ``broken_at``: the first entry whose hash does not match (changed or removed in the middle).
    ``missing_at_end``: at least this many entries were lost at the end, by the anchor kept
    apart from the rows (``anchor_entries`` entries ending in its hash). ``anchored`` is False
    when no anchor was written yet (entries lost at the end cannot be noticed then).
    """

    ok: bool
    checked: int
    broken_at: int | None = None
    missing_at_end: int = 0
    anchored: bool = False
    anchor_entries: int | None = None


def _missing_at_end(entries: list[AuditEntry], anchor: Anchor) -> int:
    """How many entries the anchor counts that the log no longer holds (0: none).

    The anchored entry still there, with its hash, means nothing was cut after it was
    anchored; gone or different means the end was cut (and perhaps written again).
    """
    anchored = next((e for e in reversed(entries) if e.id == anchor.last_id), None)
    if anchored is not None and anchored.entry_hash == anchor.last_hash:
        return 0
    return max(anchor.entries - len(entries), 1)


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order, and compare the end with the anchor kept apart.

    Reports the first entry that does not match, and entries missing at the end.
    """
    anchor_file = audit_data.anchor_of(session)
    anchor = anchor_file.read() if anchor_file is not None else None  # before the rows
    entries = audit_data.all_in_order(session)
    prev, broken_at = "", None
    for entry in entries:
        if entry.prev_hash != prev or seal(entry, prev) != entry.entry_hash:
            broken_at = entry.id
            break
        prev = entry.entry_hash
    missing = _missing_at_end(entries, anchor) if anchor is not None else 0
    return ChainReport(ok=broken_at is None and not missing, checked=len(entries),
                       broken_at=broken_at, missing_at_end=missing,
                       anchored=anchor is not None,
                       anchor_entries=anchor.entries if anchor is not None else None)


def record_cluster_action(session: Session, cluster_id: int, *, actor: Actor, action: str,
                          kind: str, message: str, detail: dict[str, Any],
                          outcome: str = "success") -> None:
    """Audit an action on a cluster and add it to the cluster's events, linked to the entry."""
    entry = record(session, action, actor=actor, outcome=outcome, target_type="cluster",
                   target_id=cluster_id, cluster_id=cluster_id, detail=detail)
    cluster_meta.add_event(session, cluster_id=cluster_id, kind=kind, message=message,
                           detail={**detail, "audit_id": entry.id, "actor": actor.label})


def count_recent(session: Session, *, action: str, within: timedelta,
                 ip: str | None = None) -> int:
    """How many entries with ``action`` in the last ``within``, from one address if given."""
    return audit_data.count_recent(session, action=action, since=utcnow() - within, ip=ip)
