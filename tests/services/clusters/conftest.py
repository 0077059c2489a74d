"""Fixtures of the cluster services' tests: a runtime on a big host, extra databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from data.analytics.clickhouse import ClickHouse
from services.core.runtime import Runtime
from tests.services.clusters.console_world import BIG_HOST


@pytest.fixture
def rt(runtime: object) -> Runtime:
    assert isinstance(runtime, Runtime)
    runtime.settings = runtime.settings.with_overrides(ceilings=BIG_HOST)
    return runtime


@pytest.fixture
def databases(ch: ClickHouse, ch_database: str) -> Iterator[Callable[[str], str]]:
    """Extra database names derived from ``ch_database``, dropped afterwards."""
    made: list[str] = []

    def make(suffix: str) -> str:
        made.append(f"{ch_database}_{suffix}")
        ch.command(f"DROP DATABASE IF EXISTS {made[-1]}")
        return made[-1]

    yield make
    for name in made:
        ch.command(f"DROP DATABASE IF EXISTS {name}")
