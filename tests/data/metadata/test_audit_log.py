"""Searching the audit log: each filter, the cluster scope, paging and the action list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from data.metadata import audit_log
from data.metadata.audit_log import AuditFilter
from data.metadata.db import Database
from data.metadata.models import AuditEntry

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
#: (actor, action, cluster, outcome, minutes after T0)
ENTRIES = [
    ("Ada@Example.com", "cluster.create", 1, "ok", 0),
    ("bob@example.com", "cluster.delete", 1, "denied", 10),
    ("ada@example.com", "clusters.list", None, "ok", 20),
    ("a_b%@example.com", "token.create", 2, "ok", 30),
    ("carl@example.com", "cluster", 3, "error", 40),
]


@pytest.fixture
def log(db: Database) -> Iterator[Database]:
    with db.session() as session:
        session.add_all([AuditEntry(actor=actor, action=action, cluster_id=cluster,
                                    outcome=outcome, created_at=T0 + timedelta(minutes=m))
                         for actor, action, cluster, outcome, m in ENTRIES])
    yield db


def _actors(db: Database, flt: AuditFilter, *, limit: int = 50, offset: int = 0
            ) -> tuple[list[str], int]:
    with db.session() as session:
        found, total = audit_log.search(session, flt, limit=limit, offset=offset)
        return [e.actor for e in found], total


@pytest.mark.parametrize(("flt", "want"), [
    (AuditFilter(), ["carl@example.com", "a_b%@example.com", "ada@example.com",
                     "bob@example.com", "Ada@Example.com"]),
    (AuditFilter(user="ADA"), ["ada@example.com", "Ada@Example.com"]),
    (AuditFilter(user="_"), ["a_b%@example.com"]),  # a LIKE wildcard is a plain character
    (AuditFilter(user="%"), ["a_b%@example.com"]),
    (AuditFilter(action="cluster"), ["carl@example.com", "bob@example.com",
                                     "Ada@Example.com"]),  # not "clusters.list"
    (AuditFilter(action="cluster."), ["bob@example.com", "Ada@Example.com"]),
    (AuditFilter(action="cluster.delete"), ["bob@example.com"]),
    (AuditFilter(action="clust"), []),
    (AuditFilter(cluster_id=1), ["bob@example.com", "Ada@Example.com"]),
    (AuditFilter(outcome="denied"), ["bob@example.com"]),
    (AuditFilter(since=T0 + timedelta(minutes=20), until=T0 + timedelta(minutes=40)),
     ["a_b%@example.com", "ada@example.com"]),
    (AuditFilter(cluster_ids=frozenset({2, 3})), ["carl@example.com", "a_b%@example.com"]),
    (AuditFilter(cluster_ids=frozenset()), []),
    (AuditFilter(user="' OR 1=1 --"), []),
])
def test_filters(log: Database, flt: AuditFilter, want: list[str]) -> None:
    assert _actors(log, flt) == (want, len(want))


def test_paging_counts_every_match(log: Database) -> None:
    assert _actors(log, AuditFilter(), limit=2, offset=1) == (
        ["a_b%@example.com", "ada@example.com"], 5)
    assert _actors(log, AuditFilter(), limit=2, offset=10) == ([], 5)


def test_distinct_actions_sorted(log: Database) -> None:
    with log.session() as session:
        assert audit_log.distinct_actions(session) == [
            "cluster", "cluster.create", "cluster.delete", "clusters.list", "token.create"]
