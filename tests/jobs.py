"""Waiting for a background-callback job's result in tests (either manager)."""

from __future__ import annotations

import time
from typing import Any


def wait_for_result(manager: Any, key: str, job: Any, *, timeout: float = 10.0,
                    interval: float = 0.02) -> Any:
    """The result of job ``job`` under ``key`` once the manager has it; fails after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = manager.get_result(key, job)
        if found is not manager.UNDEFINED:
            return found
        time.sleep(interval)
    raise AssertionError("the job did not finish")
