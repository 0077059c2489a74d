"""The append-only, hash-chained audit log table."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.models import AuditEntry

_chain_lock = threading.Lock()


def append_entry(session: Session, entry: AuditEntry,
                 seal: Callable[[AuditEntry, str], str]) -> AuditEntry:
    """Append ``entry`` after the newest row; ``seal(entry, prev_hash)`` returns its hash.

    The chain is kept linear by a process lock and, on PostgreSQL, a transaction-scoped
    advisory lock, so two writers never link to the same predecessor.
    """
    with _chain_lock:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(7710001)"))
        last = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
        entry.prev_hash = last or ""
        entry.entry_hash = seal(entry, entry.prev_hash)
        session.add(entry)
        session.flush()
    return entry


def count_recent(session: Session, *, action: str, since: datetime, actor: str | None = None,
                 ip: str | None = None) -> int:
    """How many entries with ``action`` since ``since``, for an actor label and/or an IP."""
    query = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.created_at >= since
    )
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if ip is not None:
        query = query.where(AuditEntry.ip == ip)
    return session.scalar(query) or 0


def list_entries(session: Session, *, limit: int = 100, action: str | None = None,
                 cluster_id: int | None = None) -> list[AuditEntry]:
    """The newest entries first, optionally filtered."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if cluster_id is not None:
        query = query.where(AuditEntry.cluster_id == cluster_id)
    return list(session.scalars(query))


def all_in_order(session: Session) -> list[AuditEntry]:
    """Every entry, oldest first (for verifying the chain)."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
