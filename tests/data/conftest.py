"""Fixtures of the data layer's tests: a cluster database with the schema on the session
engine, reached the way the app reaches it (a cluster session)."""

from __future__ import annotations

import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches


@pytest.fixture
def cluster_session(ch: ClickHouse, ch_database: str) -> ClusterSession:
    """A fresh cluster database (``ch_database``) with every table, empty, and no TTLs."""
    for statement in schema_statements(ch_database, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    return ClusterSession(ch=ch, database=ch_database, limits={}, caches=ProcessCaches())
