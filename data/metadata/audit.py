"""The append-only, hash-chained audit log table, and its anchor kept apart from the rows."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from data.metadata.audit_anchor import Anchor, AnchorFile, AnchorUnreadable
from data.metadata.models import AuditChainHead, AuditEntry

log = logging.getLogger(__name__)
#: ``Session.info`` keys: the anchor file of the database, "this transaction appended",
#: and the head to record once the transaction has committed.
_ANCHOR = "lyceum_audit_anchor"
_APPENDED = "lyceum_audit_appended"
_HEAD = "lyceum_audit_head"


#: The session factories already listening. Not ``event.contains``: SQLAlchemy keys its
#: registry by ``id()``, so a new factory made where a freed one was looked as if it listened,
#: and none of its commits wrote the anchor.
_LISTENING: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def keep_anchor(factory: sessionmaker[Session], anchor: AnchorFile) -> None:
    """Make every session of ``factory`` record the chain's head in ``anchor`` after each
    commit that appended audit entries."""
    factory.configure(info={_ANCHOR: anchor})
    if factory not in _LISTENING:
        event.listen(factory, "before_commit", _head_before_commit)
        event.listen(factory, "after_commit", _anchor_after_commit)
        event.listen(factory, "after_rollback", _forget)
        event.listen(factory, "after_soft_rollback", _forget_soft)
        _LISTENING.add(factory)


def anchor_of(session: Session) -> AnchorFile | None:
    """The anchor file this session's database keeps, if any."""
    found = session.info.get(_ANCHOR)
    return found if isinstance(found, AnchorFile) else None


def holds(session: Session, anchor: Anchor) -> bool:
    """Whether the log still holds the anchored entry as it was when anchored."""
    return session.scalar(select(AuditEntry.entry_hash).where(
        AuditEntry.id == anchor.last_id)) == anchor.last_hash


def _head_before_commit(session: Session) -> None:
    # the chain-head row is still locked by this transaction: what it says now is committed
    anchor = anchor_of(session)
    if not session.info.pop(_APPENDED, False) or anchor is None:
        return
    head = session.get(AuditChainHead, 1, populate_existing=True)
    newest = session.execute(select(AuditEntry.id, AuditEntry.entry_hash)
                             .order_by(AuditEntry.id.desc()).limit(1)).first()
    if head is None or newest is None or newest.entry_hash != head.last_hash:
        return
    try:
        current = anchor.read()
    except AnchorUnreadable:
        current = None
    if current is not None and not holds(session, current):
        log.error("the audit log no longer holds anchored entry %s: entries were lost at the "
                  "end; the anchor %s is kept as it is", current.last_id, anchor.path)
        return
    session.info[_HEAD] = Anchor(entries=int(head.entries), last_id=int(newest.id),
                                 last_hash=newest.entry_hash)


def _anchor_after_commit(session: Session) -> None:
    head, anchor = session.info.pop(_HEAD, None), anchor_of(session)
    if head is None or anchor is None:
        return
    try:
        anchor.advance(head)
    except Exception:  # noqa: BLE001 - the entries are committed; the next write catches up
        log.exception("could not update the audit anchor %s", anchor.path)


def _forget(session: Session) -> None:
    session.info.pop(_APPENDED, None)
    session.info.pop(_HEAD, None)


def _forget_soft(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction():
        _forget(session)


def append_entry(session: Session, entry: AuditEntry,
                 seal: Callable[[AuditEntry, str], str]) -> AuditEntry:
    """Append ``entry`` after the newest row; ``seal(entry, prev_hash)`` returns its hash.

    The first statement writes the single chain-head row, which takes the database's write
    lock (SQLite) or the row lock (PostgreSQL) until the caller's transaction ends; so two
    writers — threads or processes — never link to the same predecessor.
    """
    return append_entries(session, [entry], seal)[0]


def append_entries(session: Session, entries: Sequence[AuditEntry],
                   seal: Callable[[AuditEntry, str], str]) -> Sequence[AuditEntry]:
    """Append ``entries`` in order after the newest row, each sealed to the one before it
    (as :func:`append_entry` does one by one), with one update of the chain head for all."""
    if not entries:
        return entries
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                    .values(entries=AuditChainHead.entries + len(entries)))
    head = session.get(AuditChainHead, 1, populate_existing=True)
    if head is None:  # a database migrated before the head existed is repaired here
        last = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc())
                              .limit(1))
        count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        head = AuditChainHead(id=1, last_hash=last or "", entries=count + len(entries))
        session.add(head)
    previous = head.last_hash
    for entry in entries:
        entry.prev_hash = previous
        entry.entry_hash = previous = seal(entry, previous)
    session.add_all(entries)
    head.last_hash = previous
    session.flush()
    session.info[_APPENDED] = True
    return entries


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
