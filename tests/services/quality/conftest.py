"""Fixtures of the quality services' tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data.analytics.clickhouse import ClickHouse
from services.demo import plant as demo_data


@pytest.fixture(scope="module")
def demo_db(ch: ClickHouse, request: pytest.FixtureRequest) -> Iterator[str]:
    """The small demo in the module's database ``DB`` (its clock at the module's ``NOW``
    when it has one), loaded once for the module."""
    database: str = request.module.DB
    demo_data.load_demo(ch, database, size="small", now=getattr(request.module, "NOW", None))
    yield database
    ch.command(f"DROP DATABASE IF EXISTS {database}")
