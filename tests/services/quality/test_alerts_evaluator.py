"""The alert evaluator: each cycle evaluated once whatever the callers, demo clusters given
their starting rules, a cluster that cannot be queried not stopping the others, and the one
background thread per process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.metadata import alerts as repo
from data.metadata import memberships
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.quality import alerts
from services.quality.alerts_evaluator import (
    run_cycle,
    start_alert_evaluator,
    stop_alert_evaluator,
)
from tests.access_world import register_cluster
from tests.waiting import wait_until

DB = "evaluator_known"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACTOR = Actor(user_id=None, label="editor@example.com")


@pytest.fixture(scope="module")
def known_db(ch: ClickHouse) -> Iterator[str]:
    """A cluster database whose station ST1 stopped at 11:00 (a jam)."""
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    for statement in schema_statements(DB, tiered=False, with_ttl=False, fresh=True):
        ch.command(statement)
    ch.insert_rows("production_events", [(NOW - timedelta(hours=1), "L1", "ST1", "stopped",
                                          "jam", 0)], database=DB,
                   column_names=["ts", "line", "station", "state", "reason", "duration_s"])
    yield DB
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


def _stopped_rule(runtime: Runtime, cluster_id: int) -> int:
    return alerts.create_rule(runtime, cluster_id, name="Stopped", kind="station_stopped",
                              params={"minutes": 30}, actor=ACTOR)


def _runs(runtime: Runtime, rule_id: int) -> int:
    with runtime.db.session() as session:
        return repo.evaluation(session, rule_id).runs or 0


def test_a_cycle_is_evaluated_once_and_the_next_one_again(runtime: Runtime,
                                                          known_db: str) -> None:
    cluster_id = register_cluster(runtime, known_db)
    rule_id = _stopped_rule(runtime, cluster_id)
    assert run_cycle(runtime, interval_s=60, now=NOW) == 1
    assert [run_cycle(runtime, interval_s=60, now=NOW + timedelta(seconds=59))
            for _ in range(5)] == [0] * 5
    assert _runs(runtime, rule_id) == 1
    assert run_cycle(runtime, interval_s=60, now=NOW + timedelta(seconds=60)) == 1
    with runtime.db.session() as session:
        record = repo.evaluation(session, rule_id)
        assert (record.runs, record.cycle, record.firing) == (
            2, int(NOW.timestamp()) // 60 + 1, 1)
    assert [a.message for a in alerts.list_alerts(runtime, cluster_id)[0]] == [
        "L1 ST1 stopped for 61 min: jam"]


def test_nothing_to_evaluate_without_rules(runtime: Runtime, known_db: str) -> None:
    register_cluster(runtime, known_db)
    assert run_cycle(runtime, interval_s=60, now=NOW) == 0


def test_a_cluster_that_cannot_be_queried_does_not_stop_the_others(
        runtime: Runtime, known_db: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = register_cluster(runtime, "evaluator_unreachable")
    _stopped_rule(runtime, broken)
    running = register_cluster(runtime, known_db)
    rule_id = _stopped_rule(runtime, running)
    evaluate = alerts.evaluate_cluster

    def failing(rt: Runtime, cluster_id: int, **kwargs: Any) -> int:
        if cluster_id == broken:
            raise ConnectionError("the engine did not answer")
        return evaluate(rt, cluster_id, **kwargs)

    monkeypatch.setattr(alerts, "evaluate_cluster", failing)
    with caplog.at_level(logging.ERROR, logger="services.quality.alerts_evaluator"):
        assert run_cycle(runtime, interval_s=60, now=NOW) == 1
    assert _runs(runtime, rule_id) == 1
    assert f"alert evaluation failed for cluster {broken}" in caplog.text


@pytest.mark.parametrize("status", ["stopped", "decommissioned"])
def test_a_cluster_that_is_not_running_is_left_alone(
        runtime: Runtime, known_db: str, caplog: pytest.LogCaptureFixture,
        status: str) -> None:
    """Its rules wait for it quietly: no error in the log every 30 s."""
    resting = register_cluster(runtime, known_db)
    rule_id = _stopped_rule(runtime, resting)
    with runtime.db.session() as session:
        row = memberships.get_cluster(session, resting)
        assert row is not None
        row.status = status
        if status == "decommissioned":
            row.decommissioned_at = NOW
    with caplog.at_level(logging.ERROR, logger="services.quality.alerts_evaluator"):
        assert run_cycle(runtime, interval_s=60, now=NOW) == 0
    assert _runs(runtime, rule_id) == 0 and caplog.text == ""


def test_a_demo_cluster_gets_its_starting_rules_once(runtime: Runtime, known_db: str) -> None:
    demo = register_cluster(runtime, known_db, is_demo=True)
    run_cycle(runtime, interval_s=60, now=NOW)
    names = [r.name for r in alerts.rules_of(runtime, demo)]
    run_cycle(runtime, interval_s=60, now=NOW + timedelta(minutes=1))
    assert [r.name for r in alerts.rules_of(runtime, demo)] == names
    assert "Station stopped longer than 30 min" in names and len(names) == 4


def test_one_evaluator_thread_per_process(runtime: Runtime, known_db: str) -> None:
    cluster_id = register_cluster(runtime, known_db)
    rule_id = _stopped_rule(runtime, cluster_id)
    first = start_alert_evaluator(runtime, interval_s=0.2)
    try:
        assert start_alert_evaluator(runtime, interval_s=0.2) is first and first.running
        wait_until(lambda: _runs(runtime, rule_id) >= 2, within=30,
                   message="the evaluator thread did not evaluate the rule twice")
    finally:
        stop_alert_evaluator()
    assert not first.running
