"""The audit log table: entries chained to their predecessor through the head row, the
anchor advanced after commits that appended (and only then), counts and listings."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from data.metadata import audit
from data.metadata.audit_anchor import Anchor, AnchorFile
from data.metadata.db import Database
from data.metadata.models import AuditChainHead, AuditEntry

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _seal(entry: AuditEntry, prev_hash: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{entry.action}|{entry.actor}".encode()).hexdigest()


def _append(db: Database, action: str, **fields: object) -> AuditEntry:
    with db.session() as session:
        return audit.append_entry(session, AuditEntry(action=action, outcome="ok", **fields),
                                  _seal)


def test_entries_chain_to_their_predecessor(db: Database) -> None:
    first = _append(db, "a.one", actor="ada")
    second = _append(db, "a.two", actor="bob")
    assert first.prev_hash == "" or len(first.prev_hash) == 64
    assert second.prev_hash == first.entry_hash == _seal(first, first.prev_hash)
    with db.session() as session:
        chain = audit.all_in_order(session)
        assert [e.id for e in chain][-2:] == [first.id, second.id]
        assert all(b.prev_hash == a.entry_hash for a, b in zip(chain, chain[1:], strict=False))
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.last_hash == second.entry_hash
        assert head.entries == len(chain)


def test_a_missing_head_row_is_rebuilt_from_the_log(db: Database) -> None:
    first = _append(db, "a.one", actor="ada")
    with db.session() as session:
        session.query(AuditChainHead).delete()
    second = _append(db, "a.two", actor="ada")
    assert second.prev_hash == first.entry_hash
    with db.session() as session:
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.entries == len(audit.all_in_order(session))


def test_the_anchor_follows_commits_that_appended(db: Database, tmp_path: Path) -> None:
    anchor = AnchorFile(tmp_path / "audit.anchor")
    db.keep_audit_anchor(anchor)
    db.keep_audit_anchor(anchor)  # listening twice would not double anything
    with db.session() as session:
        assert audit.anchor_of(session) is anchor
        session.add(AuditEntry(action="not.appended", outcome="ok"))  # no chain: no anchor
    assert anchor.read() is None
    entry = _append(db, "a.one", actor="ada")
    found = anchor.read()
    assert found is not None and (found.last_id, found.last_hash) == (entry.id, entry.entry_hash)
    with db.session() as session:
        assert audit.holds(session, found)
        assert not audit.holds(session, Anchor(entries=found.entries, last_id=found.last_id,
                                               last_hash="0" * 64))
    try:
        with db.session() as session:
            audit.append_entry(session, AuditEntry(action="a.rolled", outcome="ok"), _seal)
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    assert anchor.read() == found  # a rolled-back append leaves the anchor alone


def test_every_new_session_factory_keeps_its_anchor(db: Database, tmp_path: Path) -> None:
    """A new factory is often made where a freed one was, and SQLAlchemy's
    ``event.contains`` keys its registry by ``id()``: asked there, it said the listeners
    were in place, none were added, and no commit of the new database wrote its anchor (CI,
    ``test_concurrent_writers_keep_the_anchor_at_the_head``: no anchor after 36 commits)."""
    for i in range(30):
        factory = sessionmaker(db.engine, expire_on_commit=False)
        anchor = AnchorFile(tmp_path / f"{i}.anchor")
        audit.keep_anchor(factory, anchor)
        with factory() as session:
            entry = audit.append_entry(session, AuditEntry(action="a.one", outcome="ok"), _seal)
            session.commit()
        found = anchor.read()
        assert found is not None and found.last_hash == entry.entry_hash, i
        del factory


def test_count_recent_by_action_actor_and_address(db: Database) -> None:
    with db.session() as session:
        session.add_all([
            AuditEntry(action="login.failed", actor="ada", ip="10.0.0.1", outcome="denied",
                       created_at=T0),
            AuditEntry(action="login.failed", actor="ada", ip="10.0.0.2", outcome="denied",
                       created_at=T0 + timedelta(minutes=5)),
            AuditEntry(action="login.failed", actor="bob", ip="10.0.0.1", outcome="denied",
                       created_at=T0 + timedelta(minutes=6)),
            AuditEntry(action="login.ok", actor="ada", ip="10.0.0.1", outcome="ok",
                       created_at=T0 + timedelta(minutes=7)),
        ])
    with db.session() as session:
        count = audit.count_recent
        assert count(session, action="login.failed", since=T0) == 3
        assert count(session, action="login.failed", since=T0 + timedelta(minutes=1)) == 2
        assert count(session, action="login.failed", since=T0, actor="ada") == 2
        assert count(session, action="login.failed", since=T0, ip="10.0.0.1") == 2
        assert count(session, action="login.failed", since=T0, actor="ada", ip="10.0.0.1") == 1
        assert count(session, action="login.failed", since=T0, actor="' OR 1=1 --") == 0


def test_list_entries_newest_first_filtered(db: Database) -> None:
    with db.session() as session:
        session.add_all([AuditEntry(action=a, cluster_id=c, outcome="ok")
                         for a, c in [("x", 1), ("y", 1), ("x", 2), ("x", None)]])
    with db.session() as session:
        assert [(e.action, e.cluster_id) for e in audit.list_entries(session)][:4] == [
            ("x", None), ("x", 2), ("y", 1), ("x", 1)]
        assert [e.cluster_id for e in audit.list_entries(session, action="x")][:3] == [
            None, 2, 1]
        assert [e.action for e in audit.list_entries(session, cluster_id=1)] == ["y", "x"]
        assert [e.action for e in audit.list_entries(session, action="x", cluster_id=1,
                                                     limit=1)] == ["x"]
        assert len(audit.list_entries(session, limit=2)) == 2


def test_entries_appended_together_chain_like_one_by_one(db: Database) -> None:
    before = _append(db, "a.before", actor="ada")
    with db.session() as session:
        batch = audit.append_entries(session, [
            AuditEntry(action=f"a.batch{n}", outcome="ok", actor="bob") for n in range(3)],
            _seal)
    after = _append(db, "a.after", actor="cy")
    chain = [before, *batch, after]
    assert all(b.prev_hash == a.entry_hash == _seal(a, a.prev_hash)
               for a, b in zip(chain, chain[1:], strict=False))
    with db.session() as session:
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.last_hash == after.entry_hash
        assert head.entries == len(audit.all_in_order(session))


def test_appending_no_entries_changes_nothing(db: Database) -> None:
    last = _append(db, "a.only", actor="ada")
    with db.session() as session:
        assert list(audit.append_entries(session, [], _seal)) == []
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.last_hash == last.entry_hash
