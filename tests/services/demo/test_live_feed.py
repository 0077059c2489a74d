"""The demo feed on a fresh demo cluster: parts with new ids judged by their worst curve,
running and stopped lines as production events, only demo clusters fed, and the switch an
admin turns off (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.demo import live_feed
from services.demo.curves import RESULTS
from services.demo.plant import LINES, STATIONS
from tests.access_world import audit_count, register_cluster
from tests.waiting import wait_until

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DEMO, PLAIN = "feed_demo", "feed_plain"


@pytest.fixture
def databases(ch: ClickHouse) -> Iterator[tuple[str, str]]:
    for name in (DEMO, PLAIN):
        ch.command(f"DROP DATABASE IF EXISTS {name}")
        for statement in schema_statements(name, tiered=False, with_ttl=False, fresh=True):
            ch.command(statement)
    yield DEMO, PLAIN
    for name in (DEMO, PLAIN):
        ch.command(f"DROP DATABASE IF EXISTS {name}")


def test_a_part_is_judged_by_its_worst_curve() -> None:
    rng = np.random.default_rng(11)
    state = live_feed._ClusterFeed(next_part=41, next_curve=700)
    for n in range(200):
        tables = live_feed.make_part(rng, state, line=1, now_ms=int(NOW.timestamp() * 1000))
        part = tables["parts"][0].to_pylist()[0]
        made = [t.to_pylist()[0] for t in tables["curves"]]
        assert part["part_id"] == 41 + n and part["serial"] == f"LF-{41 + n:09d}"
        assert part["line"] == LINES[1] and part["shift"] == "Early"
        worst = max(RESULTS.index(c["result"]) for c in made)
        assert part["result"] == RESULTS[worst]
        if worst:
            judge = next(c for c in made if RESULTS.index(c["result"]) == worst)
            assert part["station"] == judge["station"] and part["defect_mode"] == \
                judge["defect_mode"]
        else:
            assert part["station"] == made[-1]["station"] and part["defect_mode"] == ""
        assert all(c["result"] != "NOK" for c in made[:-1])  # a NOK curve ends the route
        assert {c["part_id"] for c in made} == {part["part_id"]}
    assert state.next_part == 241 and state.next_curve > 700 + 200


def test_ticks_feed_only_demo_clusters_with_new_ids(runtime: Runtime,
                                                     databases: tuple[str, str]) -> None:
    demo = register_cluster(runtime, DEMO, is_demo=True)
    plain = register_cluster(runtime, PLAIN)
    assert live_feed.is_demo_cluster(runtime, demo) and not live_feed.is_demo_cluster(
        runtime, plain)
    runtime.ch.command(f"INSERT INTO {DEMO}.parts (part_id, serial, ts, result) VALUES "
                       "(500, 'old', now64(3), 'OK')")
    states: dict[int, live_feed._ClusterFeed] = {}
    rng = np.random.default_rng(12)
    made = sum(live_feed.tick(runtime, states, rng, now=NOW + timedelta(seconds=5 * i))
               for i in range(4))
    assert made == 4 and list(states) == [demo]
    rows = runtime.ch.rows(f"SELECT min(part_id), max(part_id), count() FROM {DEMO}.parts "
                           "WHERE serial LIKE 'LF-%'")
    assert rows[0] == (501, 504, 4)
    events = runtime.ch.rows(f"SELECT line, station, toString(state) FROM {DEMO}."
                             "production_events WHERE ts = {t:DateTime64(3)}",
                             parameters={"t": NOW})
    assert sorted(events) == sorted((line, station, "running") for line in LINES
                                    for station in STATIONS)
    assert runtime.ch.scalar(f"SELECT count() FROM {PLAIN}.parts") == 0


def test_stopped_lines_make_no_parts_until_they_run_again(
        runtime: Runtime, databases: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    register_cluster(runtime, DEMO, is_demo=True)
    states: dict[int, live_feed._ClusterFeed] = {}
    rng = np.random.default_rng(13)
    assert live_feed.tick(runtime, states, rng, now=NOW) == 1
    monkeypatch.setattr(live_feed, "STOP_CHANCE", 1.0)
    assert live_feed.tick(runtime, states, rng, now=NOW + timedelta(seconds=5)) == 0
    stopped = runtime.ch.rows(f"SELECT DISTINCT line, reason FROM {DEMO}.production_events "
                              "WHERE state = 'stopped'")
    assert sorted(line for line, _ in stopped) == sorted(LINES)
    assert all(reason for _, reason in stopped)
    monkeypatch.setattr(live_feed, "STOP_CHANCE", 0.0)
    assert live_feed.tick(runtime, states, rng, now=NOW + timedelta(seconds=10)) == 0
    assert live_feed.tick(runtime, states, rng, now=NOW + timedelta(minutes=6)) == 1


def test_an_admin_switches_the_feed_off_and_on(runtime: Runtime,
                                                databases: tuple[str, str]) -> None:
    demo = register_cluster(runtime, DEMO, is_demo=True)
    assert live_feed.feed_enabled(runtime, demo)
    before = audit_count(runtime)
    live_feed.set_feed_enabled(runtime, demo, False, actor=Actor(label="root"))
    assert not live_feed.feed_enabled(runtime, demo) and audit_count(runtime) == before + 1
    states: dict[int, live_feed._ClusterFeed] = {}
    assert live_feed.tick(runtime, states, np.random.default_rng(14), now=NOW) == 0
    assert runtime.ch.scalar(f"SELECT count() FROM {DEMO}.production_events") == 0
    live_feed.set_feed_enabled(runtime, demo, True, actor=Actor(label="root"))
    assert live_feed.tick(runtime, states, np.random.default_rng(14), now=NOW) == 1


def test_one_feed_thread_per_process(runtime: Runtime, databases: tuple[str, str]) -> None:
    register_cluster(runtime, DEMO, is_demo=True)
    feed = live_feed.start_live_feed(runtime, interval_s=0.2)
    try:
        assert live_feed.start_live_feed(runtime, interval_s=0.2) is feed
        assert live_feed.feed_running()
        wait_until(lambda: runtime.ch.scalar(f"SELECT count() FROM {DEMO}.parts") >= 2,
                   within=30, message="the feed thread inserted no parts")
    finally:
        live_feed.stop_live_feed()
    assert not live_feed.feed_running()
