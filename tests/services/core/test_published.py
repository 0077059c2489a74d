"""Job states published in the shared cache, read by another web process (a second
runtime on the same instance), on diskcache and on a real redis-server."""

from __future__ import annotations

import secrets
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from services.core.published import Published
from services.core.runtime import Runtime


def _runtime(instance: Path, redis_url: str | None) -> Runtime:
    """What the shared cache reads of a runtime: the instance folder and REDIS_URL."""
    settings = SimpleNamespace(instance_path=instance, redis_url=redis_url)
    return cast(Runtime, SimpleNamespace(settings=settings))


@pytest.fixture(params=["diskcache", "redis"])
def two(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Runtime, Runtime]:
    """Two processes' runtimes over one instance (and one Redis)."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    return _runtime(tmp_path, url), _runtime(tmp_path, url)


def test_a_state_put_by_one_process_is_read_by_another(two: tuple[Runtime, Runtime]) -> None:
    first, second = two
    jobs = Published("test-job", 60)
    job_id = secrets.token_urlsafe(12)
    jobs.put(first, job_id, ("running", 3, None))
    assert jobs.get(second, job_id) == ("running", 3, None)
    jobs.put(first, job_id, ("done", 3, {"rows": [1, 2]}))
    assert jobs.get(second, job_id) == ("done", 3, {"rows": [1, 2]})


def test_kinds_do_not_share_ids(two: tuple[Runtime, Runtime]) -> None:
    first, second = two
    job_id = secrets.token_urlsafe(12)
    Published("ranking-x", 60).put(first, job_id, "ranked")
    assert Published("export-x", 60).get(second, job_id) is None


@pytest.mark.parametrize("forged", [None, 7, "", "short", "x" * 65, ["list"], b"bytes-bytes"])
def test_ids_not_shaped_like_issued_ones_are_not_looked_up(two: tuple[Runtime, Runtime],
                                                           forged: Any) -> None:
    assert Published("test-job", 60).get(two[1], forged) is None


def test_an_unknown_id_has_no_state(two: tuple[Runtime, Runtime]) -> None:
    assert Published("test-job", 60).get(two[1], secrets.token_urlsafe(12)) is None
