"""The live dashboard's metadata: rules, the clusters the evaluator visits, demo clusters,
open and listed alerts, acknowledgements, evaluation records and the feed switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.metadata import alerts
from data.metadata.db import Database
from data.metadata.models_alerts import (
    AlertAcknowledgement,
    AlertInstance,
    AlertRule,
    LiveFeedSetting,
)
from tests.data.metadata import rows

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _rule(cluster_id: int, name: str, *, enabled: bool = True) -> AlertRule:
    return AlertRule(cluster_id=cluster_id, name=name, kind="yield_below", enabled=enabled)


def test_rules_and_the_clusters_the_evaluator_visits(db: Database) -> None:
    gone = T0
    with db.session() as session:
        running = rows.cluster(session, "running", status="running")
        stopped = rows.cluster(session, "stopped", status="stopped")
        retired = rows.cluster(session, "retired", status="running", decommissioned_at=gone)
        idle = rows.cluster(session, "idle", status="running")
        for row in (_rule(running.id, "a"), _rule(running.id, "b", enabled=False),
                    _rule(running.id, "c"), _rule(stopped.id, "d"), _rule(retired.id, "e"),
                    _rule(idle.id, "f", enabled=False)):
            alerts.add(session, row)
        assert [r.name for r in alerts.rules(session, running.id)] == ["a", "b", "c"]
        assert [r.name for r in alerts.rules(session, running.id, enabled_only=True)] == [
            "a", "c"]
        assert alerts.clusters_with_rules(session) == [running.id]


def test_demo_clusters_are_running_and_live(db: Database) -> None:
    with db.session() as session:
        demo = rows.cluster(session, "demo", status="running", is_demo=True)
        rows.cluster(session, "demo_off", status="stopped", is_demo=True)
        rows.cluster(session, "demo_gone", status="running", is_demo=True, decommissioned_at=T0)
        rows.cluster(session, "plant", status="running")
        assert alerts.demo_clusters(session) == [demo]


def test_instances_open_listed_and_scoped_to_their_cluster(db: Database) -> None:
    with db.session() as session:
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        rule = _rule(line.id, "yield")
        alerts.add(session, rule)
        made: dict[str, AlertInstance] = {}
        for name, subject, state, minutes in [("old", "L1", "resolved", 0),
                                              ("firing", "L1", "firing", 10),
                                              ("acked", "L2", "acknowledged", 20),
                                              ("same_time", "L3", "firing", 20)]:
            made[name] = AlertInstance(rule_id=rule.id, cluster_id=line.id, subject=subject,
                                       state=state, fired_at=T0 + timedelta(minutes=minutes))
            alerts.add(session, made[name])
        assert alerts.open_instance(session, rule.id, "L1") is made["firing"]
        assert alerts.open_instance(session, rule.id, "L2") is made["acked"]
        assert alerts.open_instance(session, rule.id, "L9") is None
        assert {i.subject for i in alerts.open_instances(session, rule.id)} == {
            "L1", "L2", "L3"}
        listed, total = alerts.instances(session, line.id, states=["firing", "acknowledged"],
                                         limit=2)
        assert [i.subject for i in listed] == ["L3", "L2"] and total == 3
        listed, total = alerts.instances(session, line.id, states=["firing", "acknowledged"],
                                         limit=2, offset=2)
        assert [i.subject for i in listed] == ["L1"] and total == 3
        assert alerts.instances(session, line.id, states=[], limit=5) == ([], 0)
        assert alerts.instances(session, press.id, states=["firing"], limit=5) == ([], 0)
        assert alerts.instance(session, line.id, made["old"].id) is made["old"]
        assert alerts.instance(session, press.id, made["old"].id) is None


def test_acknowledgements_evaluations_and_the_feed_switch(db: Database) -> None:
    with db.session() as session:
        line = rows.cluster(session, "line")
        rule = _rule(line.id, "yield")
        alerts.add(session, rule)
        one = AlertInstance(rule_id=rule.id, cluster_id=line.id, subject="L1")
        two = AlertInstance(rule_id=rule.id, cluster_id=line.id, subject="L2")
        alerts.add(session, one)
        alerts.add(session, two)
        for alert, comment in [(two, "later"), (one, "seen"), (one, "fixed")]:
            alerts.add(session, AlertAcknowledgement(alert_id=alert.id, comment=comment))
        assert [a.comment for a in alerts.acknowledgements(session, [one.id])] == [
            "seen", "fixed"]
        assert [a.comment for a in alerts.acknowledgements(session, [one.id, two.id])] == [
            "later", "seen", "fixed"]
        assert alerts.acknowledgements(session, []) == []
        first = alerts.evaluation(session, rule.id)
        assert (first.cycle, first.runs, first.firing, first.error) == (0, 0, 0, "")
        first.runs = 3
        session.flush()
        assert alerts.evaluation(session, rule.id) is first and first.runs == 3
        assert alerts.feed_setting(session, line.id) is None
        alerts.add(session, LiveFeedSetting(cluster_id=line.id, enabled=False))
        switch = alerts.feed_setting(session, line.id)
        assert switch is not None and switch.enabled is False
