"""Fixtures of the metadata query tests: a migrated database (SQLite, and PostgreSQL where
``database_url`` is marked) and small row makers for users and clusters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data.metadata.db import Database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A freshly migrated metadata database (its seed regions and project types included)."""
    found = Database(database_url)
    found.migrate()
    yield found
    found.dispose()
