"""The tests' one waiting helper: returns what it waited for, fails with the given message."""

from __future__ import annotations

import threading
import time

import pytest

from tests.waiting import wait_until


def test_returns_the_first_true_answer_as_soon_as_it_comes() -> None:
    answers = iter([None, 0, "", "ready", "later"])
    assert wait_until(lambda: next(answers), within=5, message="never", every=0.001) == "ready"


def test_waits_for_another_thread() -> None:
    done = threading.Event()
    threading.Timer(0.05, done.set).start()
    started = time.monotonic()
    assert wait_until(done.is_set, within=5, message="the timer did not fire", every=0.01)
    assert time.monotonic() - started < 2


def test_fails_with_the_message_after_the_time_allowed() -> None:
    started = time.monotonic()
    with pytest.raises(AssertionError, match="^the queue never emptied$"):
        wait_until(lambda: False, within=0.1, message="the queue never emptied", every=0.01)
    assert 0.1 <= time.monotonic() - started < 2


def test_a_callable_message_is_asked_only_on_failure() -> None:
    asked: list[int] = []

    def log() -> str:
        asked.append(1)
        return "server log: exited 3"

    assert wait_until(lambda: True, within=1, message=log)
    assert asked == []
    with pytest.raises(AssertionError, match="exited 3"):
        wait_until(lambda: False, within=0.01, message=log, every=0.005)
    assert asked == [1]


def test_an_error_in_the_predicate_stops_the_wait_at_once() -> None:
    def exited() -> bool:
        raise RuntimeError("app exited early")

    with pytest.raises(RuntimeError, match="exited early"):
        wait_until(exited, within=60, message="unused")
