"""The periodic worker: rounds at its interval, errors logged and survived, one per process."""

from __future__ import annotations

import logging
import threading

import pytest

from services.core.periodic import OnePerProcess, Periodic
from tests.waiting import wait_until


class Counter(Periodic):
    name = "test-counter"

    def __init__(self, *, interval_s: float, fail_first: int = 0) -> None:
        super().__init__(interval_s=interval_s)
        self.rounds = 0
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def work(self) -> None:
        with self.lock:
            self.rounds += 1
            if self.rounds <= self.fail_first:
                raise RuntimeError(f"round {self.rounds} failed")


def test_rounds_repeat_until_stopped() -> None:
    worker = Counter(interval_s=0.5)
    worker.start()
    assert worker.running
    wait_until(lambda: worker.rounds >= 2, within=5, message="no second round")
    worker.stop(timeout=5)
    assert not worker.running


def test_a_failing_round_is_logged_and_the_next_round_runs(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="services.core.periodic")
    worker = Counter(interval_s=0.5, fail_first=1)
    worker.start()
    wait_until(lambda: worker.rounds >= 2, within=5, message="the worker died with its error")
    worker.stop(timeout=5)
    assert "test-counter: round failed" in caplog.text
    assert "round 1 failed" in caplog.text


def test_one_per_process_starts_one_and_restarts_after_stop() -> None:
    holder: OnePerProcess[Counter] = OnePerProcess()
    first = holder.start(lambda: Counter(interval_s=60))
    again = holder.start(lambda: Counter(interval_s=60))
    assert again is first and holder.running
    holder.stop(timeout=5)
    assert not holder.running and not first.running
    second = holder.start(lambda: Counter(interval_s=60))
    assert second is not first and holder.running
    holder.stop(timeout=5)
