"""Waiting for a background-callback job's result in tests (either manager)."""

from __future__ import annotations

from typing import Any

from tests.waiting import wait_until


def wait_for_result(manager: Any, key: str, job: Any, *, timeout: float = 10.0,
                    interval: float = 0.02, message: str = "the job did not finish") -> Any:
    """The result of job ``job`` under ``key`` once the manager has it; fails with
    ``message`` after ``timeout`` seconds."""
    found: list[Any] = []

    def arrived() -> bool:
        result = manager.get_result(key, job)
        if result is manager.UNDEFINED:
            return False
        found.append(result)
        return True

    wait_until(arrived, within=timeout, message=message, every=interval)
    return found[0]
