"""The live dashboard's services on real chDB: KPIs, the demo feed, the alert evaluator."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from data.metadata import audit as audit_data
from lyceum.errors import NotFound, ValidationError
from services.clusters.query_session import for_cluster
from services.core.audit import Actor
from services.core.cache import shared_cache
from services.core.runtime import Runtime
from services.demo import live_feed
from services.demo import quality as demo_quality
from services.quality import alerts, kpis
from services.quality.alerts_evaluator import run_cycle
from tests.access_world import register_cluster

DB = "dash_demo"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def cluster_id(runtime: Runtime, demo_db: str) -> int:
    return register_cluster(runtime, demo_db, name="Demo plant", is_demo=True)


def test_kpis_have_trend_delta_and_station_scope(runtime: Runtime, cluster_id: int) -> None:
    s = for_cluster(runtime, cluster_id)
    moment = NOW - timedelta(hours=2)
    panel = kpis.kpi_panel(s, kpis.View(cluster_id, "7d"), now=moment)
    parts = int(s.scalar(f"SELECT count() FROM {DB}.parts WHERE ts >= "
                         "{a:DateTime64(3)} AND ts < {b:DateTime64(3)}",
                         parameters={"a": moment - timedelta(days=7), "b": moment}))
    assert panel.parts == parts > 0
    by_key = {k.key: k for k in panel.kpis}
    value, previous = by_key["yield"].value, by_key["yield"].previous
    assert value is not None and previous is not None
    assert by_key["yield"].delta == pytest.approx(value - previous)
    assert len(by_key["yield"].trend) == len(panel.trend_times) == 28
    assert by_key["throughput"].value == pytest.approx(parts / 168)
    station = kpis.kpi_panel(s, kpis.View(cluster_id, "7d", station="OP10 Press-fit"),
                             now=moment)
    assert {k.key: k.value for k in station.kpis}["fpy"] is None
    with pytest.raises(ValidationError, match="Choose a window"):
        kpis.View(cluster_id, "2h")


def test_feed_inserts_parts_with_new_ids_and_can_be_switched_off(runtime: Runtime,
                                                                 cluster_id: int) -> None:
    s = for_cluster(runtime, cluster_id)
    before = s.rows(f"SELECT max(part_id), count() FROM {DB}.parts")[0]
    states: dict[int, live_feed._ClusterFeed] = {}
    rng = np.random.default_rng(5)
    made = sum(live_feed.tick(runtime, states, rng) for _ in range(6))
    after = s.rows(f"SELECT max(part_id), count(), uniqExact(part_id) FROM {DB}.parts")[0]
    assert made >= 1 and after[1] == before[1] + made and after[2] == after[1]
    assert after[0] == before[0] + made
    assert s.scalar(f"SELECT count() FROM {DB}.curves WHERE serial LIKE 'LF-%'") >= made
    assert s.scalar(f"SELECT count() FROM {DB}.production_events WHERE ts > now() - 60") >= 9
    admin = Actor(label="root")
    live_feed.set_feed_enabled(runtime, cluster_id, False, actor=admin)
    assert not live_feed.feed_enabled(runtime, cluster_id)
    assert live_feed.tick(runtime, states, rng) == 0


def test_evaluator_runs_once_per_cycle_whatever_the_viewers(runtime: Runtime,
                                                             cluster_id: int) -> None:
    moment = datetime.now(UTC)
    first = run_cycle(runtime, interval_s=30, now=moment)
    repeats = [run_cycle(runtime, interval_s=30, now=moment) for _ in range(20)]
    assert first == len(demo_quality.ALERT_RULES) and repeats == [0] * 20
    with runtime.db.session() as session:
        from data.metadata.alerts import evaluation, rules

        runs = [evaluation(session, r.id).runs for r in rules(session, cluster_id)]
    assert runs == [1] * len(demo_quality.ALERT_RULES)
    assert run_cycle(runtime, interval_s=30, now=moment + timedelta(seconds=30)) == 4


def test_rules_fire_resolve_and_are_acknowledged_with_a_comment(runtime: Runtime,
                                                                 cluster_id: int) -> None:
    actor = Actor(user_id=None, label="editor@example.com")
    rule = alerts.create_rule(runtime, cluster_id, name="Yield under 99.9 %",
                              kind="yield_below", params={"threshold": 99.9,
                                                          "window_minutes": 7 * 1440},
                              severity="critical", actor=actor)
    moment = NOW - timedelta(hours=2)
    alerts.evaluate_cluster(runtime, cluster_id, now=moment, cycle=1)
    found, total = alerts.list_alerts(runtime, cluster_id)
    mine = [a for a in found if a.rule == "Yield under 99.9 %"]
    assert total >= 1 and len(mine) == 1 and mine[0].state == "firing"
    assert mine[0].explorer and mine[0].explorer.startswith(f"/clusters/{cluster_id}/explorer?s=")
    with pytest.raises(ValidationError, match="Write a comment"):
        alerts.acknowledge(runtime, cluster_id, mine[0].id, comment="  ", actor=actor)
    alerts.acknowledge(runtime, cluster_id, mine[0].id, comment="Worn press tool", actor=actor)
    found, _ = alerts.list_alerts(runtime, cluster_id, states=("acknowledged",))
    assert found[0].acknowledgements[0]["comment"] == "Worn press tool"
    with pytest.raises(ValidationError, match="already acknowledged"):
        alerts.acknowledge(runtime, cluster_id, mine[0].id, comment="again", actor=actor)
    with runtime.db.session() as session:
        from data.metadata.models_alerts import AlertRule

        rule_row = session.get(AlertRule, rule)
        assert rule_row is not None
        rule_row.params = {"threshold": 0.0, "window_minutes": 60}
    alerts.evaluate_cluster(runtime, cluster_id, now=moment, cycle=2)
    resolved, _ = alerts.list_alerts(runtime, cluster_id, states=("resolved",))
    assert [a.id for a in resolved if a.rule == "Yield under 99.9 %"] == [mine[0].id]
    with pytest.raises(ValidationError, match="threshold must be a number"):
        alerts.create_rule(runtime, cluster_id, name="bad", kind="yield_below",
                           params={"threshold": 140}, actor=actor)


def test_dashboard_cache_is_shared_per_view(runtime: Runtime, cluster_id: int) -> None:
    cache = shared_cache(runtime)
    before = cache.computes()
    values = [cache.get_or_compute((cluster_id, "24h", "kpis"), lambda: object(), ttl=30)
              for _ in range(50)]
    assert cache.computes() == before + 1 and sum(v.computed_here for v in values) == 1


def test_fifty_viewers_cost_the_queries_of_one(runtime: Runtime, cluster_id: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from services.quality import dashboard

    # Panels stay fresh for the whole test (a loaded machine can take longer than 0.8 of the
    # 30 s refresh): what is measured is sharing, not expiry.
    runtime.settings = runtime.settings.with_overrides(dashboard_refresh_s=3600)
    view, other = kpis.View(cluster_id, "7d"), kpis.View(cluster_id, "24h")

    def cost(refresh: Any) -> int:
        before = dashboard.queries_so_far(runtime)
        refresh()
        return dashboard.queries_so_far(runtime) - before

    # What each costs alone (nothing kept): how many queries depends on the data in the
    # window (the SPC panel's, say), so the test compares like with like.
    one = cost(lambda: dashboard.full_refresh(runtime, view, uncached=True))
    other_alone = cost(lambda: dashboard.full_refresh(runtime, other, uncached=True))
    status = cost(lambda: dashboard.status(runtime, view, uncached=True))
    assert one >= 5 and status >= 1
    with ThreadPoolExecutor(8) as pool:
        fifty = cost(lambda: list(pool.map(lambda _: dashboard.full_refresh(runtime, view),
                                           range(50))))
    assert fifty == one
    # Another window is another view; the line status does not depend on the window.
    assert cost(lambda: dashboard.full_refresh(runtime, other)) == other_alone - status


def test_rules_from_the_form_and_switching_them_off(runtime: Runtime, cluster_id: int) -> None:
    actor = Actor(label="editor@example.com")
    params = alerts.rule_from_form(kind="feature_spec", feature="screw-driving::final_torque",
                                   value=None, window_minutes=30)
    rule = alerts.create_rule(runtime, cluster_id, name="Torque", kind="feature_spec",
                              params=params, actor=actor)
    assert alerts.rules_of(runtime, cluster_id)[-1].params == {
        "process": "screw-driving", "feature": "final_torque", "window_minutes": 30.0}
    with pytest.raises(ValidationError, match="minutes must be a number from 1"):
        alerts.create_rule(runtime, cluster_id, name="Stop", kind="station_stopped",
                           params=alerts.rule_from_form(kind="station_stopped", feature=None,
                                                        value=None, window_minutes=None),
                           actor=actor)
    assert alerts.set_rule_enabled(runtime, cluster_id, rule, False, actor=actor)
    assert not alerts.rules_of(runtime, cluster_id)[-1].enabled
    # a switch drawn again reports the same state: nothing written, nothing audited
    with runtime.db.session() as session:
        audited = len(audit_data.list_entries(session, action="alert_rule.update"))
    assert not alerts.set_rule_enabled(runtime, cluster_id, rule, False, actor=actor)
    with runtime.db.session() as session:
        assert len(audit_data.list_entries(session, action="alert_rule.update")) == audited
    with pytest.raises(NotFound, match="rule does not exist"):
        alerts.set_rule_enabled(runtime, cluster_id + 1, rule, True, actor=actor)


def test_a_viewer_slot_waits_for_the_previous_request_or_gives_up(runtime: Runtime) -> None:
    """One request per viewer and panel: a second one gets the slot once the first is done
    (within its wait), none without a wait, and none once ``give_up`` says so."""
    from services.quality.dashboard import viewer_slot

    released, got = threading.Event(), []

    def second(**kwargs: Any) -> None:
        with viewer_slot(runtime, "v@x", "spc", **kwargs) as free:
            got.append(free)

    with viewer_slot(runtime, "v@x", "spc") as free:
        assert free
        second()  # no wait: refused at once
        waiting = threading.Thread(target=second, kwargs={"wait_s": 30.0})
        waiting.start()
        time.sleep(0.3)
        released.set()
    waiting.join(10)
    assert got == [False, True]
    with viewer_slot(runtime, "v@x", "spc") as free:
        started = time.monotonic()
        second(wait_s=30.0, give_up=released.is_set)
    assert got == [False, True, False] and time.monotonic() - started < 5
