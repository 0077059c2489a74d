"""Fixtures of the analytics query tests: the small known plant of :mod:`plant_rows`, made
once per test module (the tests that use it only read)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches
from tests.data.analytics import plant_rows

_plants = count(1)


@pytest.fixture(scope="module")
def plant(ch: ClickHouse) -> Iterator[ClusterSession]:
    """A cluster database holding :mod:`plant_rows`, shared by one module's read-only tests."""
    database = f"test_plant_{next(_plants)}"
    ch.command(f"DROP DATABASE IF EXISTS {database}")
    for statement in schema_statements(database, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    session = ClusterSession(ch=ch, database=database, limits={}, caches=ProcessCaches())
    plant_rows.insert(session)
    yield session
    ch.command(f"DROP DATABASE IF EXISTS {database}")
