"""One way for a test to wait for something that happens in another thread or process."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Seconds between two looks at the predicate.
POLL_S = 0.05


def wait_until(predicate: Callable[[], T], *, within: float, message: str | Callable[[], str],
               every: float = POLL_S) -> T:
    """Call ``predicate`` until it returns something true and return that; after ``within``
    seconds fail with ``message`` (a callable is asked only then, e.g. for a process log).

    An exception from ``predicate`` (such as "the process exited") stops the wait at once.
    """
    deadline = time.monotonic() + within
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(every)
