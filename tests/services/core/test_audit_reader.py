"""Reading the audit log: filters, visibility, CSV export, and the chain check."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, update

from components.audit import make_chain_result
from data.metadata.audit_anchor import ANCHOR_FILE, AnchorFile, AnchorUnreadable
from data.metadata.models import AuditChainHead, AuditEntry, utcnow
from lyceum.errors import Forbidden, ValidationError
from services.core import audit, audit_reader
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, build_world


@pytest.fixture
def world(runtime: Runtime) -> World:
    world = build_world(runtime)
    with runtime.db.session() as session:
        audit.record(session, "member.add", actor=Actor(label="admin@example.com"),
                     cluster_id=world.a, detail={"email": "=HYPERLINK(\"http://x\")"})
        audit.record(session, "member.remove", actor=Actor(label="b_admin@example.com"),
                     cluster_id=world.b, outcome="refused")
        audit.record(session, "token.create", actor=Actor(label="+cmd|calc"),
                     cluster_id=world.a)
    return world


def test_filters_and_visibility(runtime: Runtime, world: World) -> None:
    def count(**kw: Any) -> int:
        return audit_reader.search(runtime, audit_reader.make_filter(**kw), limit=500).total
    assert count(action="member") == 2 and count(action="member.add") == 1
    assert count(outcome="refused", action="member") == 1
    assert count(user="B_ADMIN") == 1
    assert count(cluster_id=world.a, action="member") == 1
    assert count(visible=frozenset({world.b}), action="member") == 1
    assert count(since=(utcnow() + timedelta(days=1)).date().isoformat()) == 0
    assert count(until=utcnow().date().isoformat(), action="member") == 2  # whole day
    with pytest.raises(ValidationError, match="Outcome"):
        audit_reader.make_filter(outcome="maybe")
    with pytest.raises(ValidationError, match="From"):
        audit_reader.make_filter(since="yesterday")


def test_only_administrators_read_the_log(runtime: Runtime, world: World) -> None:
    assert audit_reader.administered_clusters(runtime, user_id=world.users["root"],
                                           is_admin=True) is None
    assert audit_reader.administered_clusters(runtime, user_id=world.users["admin"],
                                           is_admin=False) == {world.a}
    for key in ("editor", "viewer", "outsider"):
        with pytest.raises(Forbidden):
            audit_reader.administered_clusters(runtime, user_id=world.users[key], is_admin=False)
    with pytest.raises(Forbidden):  # an admin's token with a viewer scope
        audit_reader.administered_clusters(runtime, user_id=world.users["admin"],
                                        is_admin=False, scope=(world.a, "viewer"))


def test_csv_neutralises_formulas(runtime: Runtime, world: World) -> None:
    text = audit_reader.to_csv(runtime, audit_reader.make_filter(cluster_id=world.a))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["id", "created_at", "actor", "action"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(cell.startswith("'+cmd") for row in rows for cell in row)


def test_editing_a_row_in_the_database_is_caught(runtime: Runtime, world: World) -> None:
    assert audit_reader.check_chain(runtime).ok
    with runtime.db.session() as session:
        target = session.query(AuditEntry).filter_by(action="member.remove").one().id
        session.execute(update(AuditEntry).where(AuditEntry.id == target)
                        .values(outcome="success"))
    report = audit_reader.check_chain(runtime)
    assert not report.ok and report.broken_at == target


def test_the_anchor_in_the_instance_folder_notices_a_cut_end(runtime: Runtime,
                                                             world: World) -> None:
    anchor = AnchorFile(runtime.settings.instance_path / ANCHOR_FILE).read()
    report = audit_reader.check_chain(runtime)
    assert report.ok and report.anchored and anchor is not None
    assert anchor.entries == report.checked == report.anchor_entries
    with runtime.db.session() as session:
        newest = session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
        assert newest is not None and (anchor.last_id, anchor.last_hash) == (
            newest.id, newest.entry_hash)
        keep = newest.id - 2
        kept = session.get(AuditEntry, keep)
        assert kept is not None
        session.execute(delete(AuditEntry).where(AuditEntry.id > keep))
        session.execute(update(AuditChainHead).values(last_hash=kept.entry_hash,
                                                      entries=anchor.entries - 2))
    report = audit_reader.check_chain(runtime)
    assert (report.ok, report.broken_at, report.missing_at_end) == (False, None, 2)
    shown = str(make_chain_result(ok=report.ok, checked=report.checked,
                                  broken_at=report.broken_at,
                                  missing_at_end=report.missing_at_end,
                                  anchored=report.anchored,
                                  anchor_entries=report.anchor_entries))
    assert (f"Entries are missing at the end: the anchor kept apart from the log records "
            f"{anchor.entries:,} entries, and at least 2 of them are no longer in the log."
            ) in shown


def test_an_unreadable_anchor_is_reported(runtime: Runtime, world: World) -> None:
    (runtime.settings.instance_path / ANCHOR_FILE).write_text("{}")
    with pytest.raises(AnchorUnreadable) as caught:
        audit_reader.check_chain(runtime)
    assert caught.value.user_message == "The audit anchor audit-anchor.json is not valid."
