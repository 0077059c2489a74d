"""The append-only, hash-chained audit log table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data.models import AuditChainHead, AuditEntry


def append_entry(session: Session, entry: AuditEntry,
                 seal: Callable[[AuditEntry, str], str]) -> AuditEntry:
    """Append ``entry`` after the newest row; ``seal(entry, prev_hash)`` returns its hash.

    The first statement writes the single chain-head row, which takes the database's write
    lock (SQLite) or the row lock (PostgreSQL) until the caller's transaction ends; so two
    writers — threads or processes — never link to the same predecessor.
    """
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                    .values(entries=AuditChainHead.entries + 1))
    head = session.get(AuditChainHead, 1, populate_existing=True)
    if head is None:  # a database migrated before the head existed is repaired here
        last = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc())
                              .limit(1))
        head = AuditChainHead(id=1, last_hash=last or "", entries=1)
        session.add(head)
    entry.prev_hash = head.last_hash
    entry.entry_hash = seal(entry, entry.prev_hash)
    session.add(entry)
    head.last_hash = entry.entry_hash
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
