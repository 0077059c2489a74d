"""An app process's background work: the deployment's duties (usage sampler, alert
evaluator, secret purger, the demo feed when the demo is on) run in the one process holding
the ``duties`` lease, and stop, with the lease given up, when that process stops."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from services.clusters import credentials, usage
from services.core.leases import DUTIES, Duties, LeaseKeeper
from services.core.runtime import Runtime
from services.demo import live_feed
from services.explorer import partials_follower
from services.quality import alerts_evaluator
from services.startup.background import start_background, stop_background


def _running() -> dict[str, bool]:
    return {"usage": usage._sampler.running, "alerts": alerts_evaluator._evaluator.running,
            "purger": credentials._purger.running, "feed": live_feed.feed_running(),
            "partials": partials_follower._follower.running}


@pytest.fixture
def stopped_after(runtime: Runtime) -> Iterator[None]:
    yield
    stop_background(runtime)


def test_the_duty_holder_runs_the_schedulers_and_stops_them(runtime: Runtime,
                                                            stopped_after: None) -> None:
    assert runtime.settings.demo == "off"
    duties = start_background(runtime)
    assert duties.active
    assert _running() == {"usage": True, "alerts": True, "purger": True, "feed": False,
                          "partials": True}
    stop_background(runtime, duties)
    assert _running() == {"usage": False, "alerts": False, "purger": False, "feed": False,
                          "partials": False}
    other = LeaseKeeper(runtime.db, identity="another-process")
    assert other.take(DUTIES)  # given up, so another process takes the duties over
    other.release(DUTIES)


def test_switched_off_the_explorer_partials_are_not_built(runtime: Runtime,
                                                           stopped_after: None) -> None:
    runtime.settings = replace(runtime.settings, explorer_partials=False)
    duties = start_background(runtime)
    assert duties.active and _running()["usage"] and not _running()["partials"]


def test_a_second_process_does_not_run_the_duties_while_one_holds_them(
        runtime: Runtime, stopped_after: None) -> None:
    duties = start_background(runtime)
    calls: list[str] = []
    second = Duties(LeaseKeeper(runtime.db, identity="second-process"),
                    start=lambda: calls.append("start"), stop=lambda: calls.append("stop"))
    assert second.check() is False and not second.active and calls == []
    stop_background(runtime, duties)
    assert second.check() is True and calls == ["start"]
    second.stop()
    assert calls == ["start", "stop"]
