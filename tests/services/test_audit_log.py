"""Reading the audit log: filters, visibility, CSV export, and the chain check."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from data.models import AuditEntry, utcnow
from lyceum.errors import Forbidden, ValidationError
from services import audit, audit_log
from services.audit import Actor
from services.runtime import Runtime
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
    def count(**kw: object) -> int:
        return audit_log.search(runtime, audit_log.make_filter(**kw), limit=500).total
    assert count(action="member") == 2 and count(action="member.add") == 1
    assert count(outcome="refused", action="member") == 1
    assert count(user="B_ADMIN") == 1
    assert count(cluster_id=world.a, action="member") == 1
    assert count(visible=frozenset({world.b}), action="member") == 1
    assert count(since=(utcnow() + timedelta(days=1)).date().isoformat()) == 0
    assert count(until=utcnow().date().isoformat(), action="member") == 2  # whole day
    with pytest.raises(ValidationError, match="Outcome"):
        audit_log.make_filter(outcome="maybe")
    with pytest.raises(ValidationError, match="From"):
        audit_log.make_filter(since="yesterday")


def test_only_administrators_read_the_log(runtime: Runtime, world: World) -> None:
    assert audit_log.administered_clusters(runtime, user_id=world.users["root"],
                                           is_admin=True) is None
    assert audit_log.administered_clusters(runtime, user_id=world.users["admin"],
                                           is_admin=False) == {world.a}
    for key in ("editor", "viewer", "outsider"):
        with pytest.raises(Forbidden):
            audit_log.administered_clusters(runtime, user_id=world.users[key], is_admin=False)
    with pytest.raises(Forbidden):  # an admin's token with a viewer scope
        audit_log.administered_clusters(runtime, user_id=world.users["admin"],
                                        is_admin=False, scope=(world.a, "viewer"))


def test_csv_neutralises_formulas(runtime: Runtime, world: World) -> None:
    text = audit_log.to_csv(runtime, audit_log.make_filter(cluster_id=world.a))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["id", "created_at", "actor", "action"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(cell.startswith("'+cmd") for row in rows for cell in row)


def test_editing_a_row_in_the_database_is_caught(runtime: Runtime, world: World) -> None:
    assert audit_log.check_chain(runtime).ok
    with runtime.db.session() as session:
        target = session.query(AuditEntry).filter_by(action="member.remove").one().id
        session.execute(update(AuditEntry).where(AuditEntry.id == target)
                        .values(outcome="success"))
    report = audit_log.check_chain(runtime)
    assert not report.ok and report.broken_at == target
