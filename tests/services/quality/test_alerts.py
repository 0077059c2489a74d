"""Alert rules on a hand-made cluster: the exact refusals of bad rules (nothing written),
what each kind finds at a known moment, firing → acknowledged → resolved, and one broken
rule not stopping the others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.metadata import alerts as repo
from data.metadata.models_alerts import AlertRule
from lyceum.errors import NotFound, ValidationError
from services.clusters.query_session import for_cluster
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.demo import quality as demo_quality
from services.quality import alerts
from tests.access_world import audit_count, register_cluster

DB = "alerts_known"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACTOR = Actor(user_id=None, label="editor@example.com")
PART_COLUMNS = ["part_id", "serial", "ts", "line", "station", "product", "batch", "shift",
                "result", "first_pass", "defect_mode"]
CURVE_COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station",
                 "product", "batch", "result", "defect_mode"]


@pytest.fixture(scope="module")
def known_db(ch: ClickHouse) -> Iterator[str]:
    """12 parts from 11:10 (the first 3 NOK, each with a NOK ``press`` curve, one older NOK
    ``glue`` curve), ST1 stopped since 11:00 for a jam, ST3 stopped since 11:50 (no reason),
    ST2 running."""
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    for statement in schema_statements(DB, tiered=False, with_ttl=False, fresh=True):
        ch.command(statement)
    start = NOW.replace(hour=11, minute=10)
    ch.insert_rows("parts", [
        (i + 1, f"S{i}", start + timedelta(minutes=i), "L1", "ST1", "P", "B", "A",
         "NOK" if i < 3 else "OK", int(i >= 3), "burr" if i < 3 else "")
        for i in range(12)], database=DB, column_names=PART_COLUMNS)
    ch.insert_rows("curves", [
        *[(100 + i, i + 1, f"S{i}", start + timedelta(minutes=i), "press", "L1", "ST1", "P",
           "B", "NOK", "burr") for i in range(3)],
        (99, 0, "old", start - timedelta(minutes=5), "glue", "L1", "ST2", "P", "B", "NOK",
         "gap")], database=DB, column_names=CURVE_COLUMNS)
    ch.insert_rows("production_events", [
        (NOW.replace(hour=11, minute=0), "L1", "ST1", "stopped", "jam", 0),
        (NOW.replace(hour=11, minute=0), "L1", "ST2", "running", "", 0),
        (NOW.replace(hour=11, minute=50), "L1", "ST3", "stopped", "", 0)],
        database=DB, column_names=["ts", "line", "station", "state", "reason", "duration_s"])
    yield DB
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture
def cluster_id(runtime: Runtime, known_db: str) -> int:
    return register_cluster(runtime, known_db)


def _rule(kind: str, params: dict[str, object], cluster_id: int = 0) -> AlertRule:
    return AlertRule(id=1, cluster_id=cluster_id, name="r", kind=kind, params=params,
                     severity="warning", enabled=True)


@pytest.mark.parametrize(("kind", "params", "severity", "message"), [
    ("nonsense", {}, "warning",
     "Rule kind must be one of feature_spec, spc_rule, yield_below, station_stopped."),
    ("yield_below", {}, "loud", "Severity must be one of info, warning, critical."),
    ("yield_below", {"threshold": 140}, "warning", "threshold must be a number from 0 to 100."),
    ("yield_below", {"threshold": True}, "warning", "threshold must be a number from 0 to 100."),
    ("yield_below", {"threshold": "90"}, "warning", "threshold must be a number from 0 to 100."),
    ("yield_below", {"window_minutes": 4}, "warning",
     "window minutes must be a number from 5 to 10080."),
    ("station_stopped", {"minutes": 0}, "warning", "minutes must be a number from 1 to 10080."),
    ("feature_spec", {"process": "press", "feature": "peak"}, "warning",
     "Choose a feature with specification limits."),
    ("spc_rule", {"process": "press", "feature": "peak"}, "warning",
     "Choose one of the cluster's features."),
    ("spc_rule", {"process": "press", "feature": "known", "rules": ["we9"]}, "warning",
     "Unknown SPC rules."),
    ("spc_rule", {"process": "press", "feature": "known", "baseline_days": 91}, "warning",
     "baseline days must be a number from 1 to 90."),
])
def test_bad_rules_are_refused_with_a_clear_message(kind: str, params: dict[str, object],
                                                    severity: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        alerts.validate_rule(kind, dict(params), severity, known={("press", "known")})
    assert str(refused.value) == message


def test_rules_are_normalised_with_defaults() -> None:
    assert alerts.validate_rule("yield_below", {}, "critical") == {
        "threshold": 90.0, "window_minutes": 60.0}
    assert alerts.validate_rule("station_stopped", {"minutes": 45, "extra": 1}, "info") == {
        "minutes": 45.0}
    assert alerts.validate_rule("spc_rule", {"process": "press", "feature": "known"}, "info",
                                known={("press", "known")}) == {
        "process": "press", "feature": "known", "rules": ["we1"], "baseline_days": 7.0,
        "window_minutes": 60.0}


def test_form_values_become_rule_parameters() -> None:
    assert alerts.rule_from_form(kind="yield_below", feature=None, value=None,
                                 window_minutes=None) == {"window_minutes": 60,
                                                          "threshold": -1}
    assert alerts.rule_from_form(kind="station_stopped", feature=None, value=20,
                                 window_minutes=90) == {"minutes": 20}


def test_a_refused_rule_writes_nothing(runtime: Runtime, cluster_id: int) -> None:
    before = audit_count(runtime)
    with pytest.raises(ValidationError, match="^Give the rule a name of 1 to 120 characters.$"):
        alerts.create_rule(runtime, cluster_id, name="   ", kind="yield_below", params={},
                           actor=ACTOR)
    with pytest.raises(ValidationError, match="name of 1 to 120"):
        alerts.create_rule(runtime, cluster_id, name="x" * 121, kind="yield_below",
                           params={}, actor=ACTOR)
    with pytest.raises(ValidationError, match="Choose a feature with specification limits"):
        alerts.create_rule(runtime, cluster_id, name="Peak", kind="feature_spec",
                           params={"process": "press", "feature": "peak"}, actor=ACTOR)
    assert alerts.rules_of(runtime, cluster_id) == [] and audit_count(runtime) == before


def test_stopped_stations_fire_past_their_minutes_with_the_reason(runtime: Runtime,
                                                                  cluster_id: int) -> None:
    s = for_cluster(runtime, cluster_id)
    found = alerts.evaluate_rule(s, _rule("station_stopped", {"minutes": 30}), now=NOW)
    assert [(f.subject, f.message, f.value) for f in found] == [
        ("L1 / ST1", "L1 ST1 stopped for 60 min: jam", 60.0)]
    assert found[0].window_start == NOW.replace(hour=11, minute=0)
    found = alerts.evaluate_rule(s, _rule("station_stopped", {"minutes": 5}), now=NOW)
    assert [f.message for f in found] == ["L1 ST1 stopped for 60 min: jam",
                                          "L1 ST3 stopped for 10 min"]


def test_yield_fires_under_its_threshold_with_the_nok_curves(runtime: Runtime,
                                                             cluster_id: int) -> None:
    s = for_cluster(runtime, cluster_id)
    rule = _rule("yield_below", {"threshold": 80.0, "window_minutes": 60})
    found = alerts.evaluate_rule(s, rule, now=NOW)
    assert [(f.subject, f.message, f.value, f.process) for f in found] == [
        ("cluster", "Yield 75.0 % over 12 parts is below 80 %", 75.0, "press")]
    assert found[0].curve_ids == [102, 101, 100]
    assert found[0].window_start == NOW - timedelta(hours=1)
    at_threshold = _rule("yield_below", {"threshold": 75.0, "window_minutes": 60})
    assert alerts.evaluate_rule(s, at_threshold, now=NOW) == []
    # six parts (three NOK) are fewer than MIN_PARTS: no judgement
    assert alerts.evaluate_rule(s, rule, now=NOW.replace(hour=11, minute=16)) == []
    assert alerts.evaluate_rule(s, rule, now=NOW + timedelta(hours=3)) == []


def test_an_alert_fires_is_acknowledged_and_resolves(runtime: Runtime,
                                                     cluster_id: int) -> None:
    rule_id = alerts.create_rule(runtime, cluster_id, name=" Stopped ", kind="station_stopped",
                                 params={"minutes": 30}, severity="critical", actor=ACTOR)
    assert alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=1) == 1
    found, total = alerts.list_alerts(runtime, cluster_id)
    assert total == 1 and found[0].rule == "Stopped" and found[0].severity == "critical"
    assert (found[0].state, found[0].subject, found[0].explorer) == ("firing", "L1 / ST1", None)
    alert_id = found[0].id
    for comment, message in [("  ", "^Write a comment: what was found or done.$"),
                             ("x" * 2001, "^The comment is longer than 2000 characters.$")]:
        with pytest.raises(ValidationError, match=message):
            alerts.acknowledge(runtime, cluster_id, alert_id, comment=comment, actor=ACTOR)
    other = register_cluster(runtime, "alerts_other")
    with pytest.raises(NotFound, match="^This alert does not exist.$"):
        alerts.acknowledge(runtime, other, alert_id, comment="mine", actor=ACTOR)
    assert alerts.list_alerts(runtime, cluster_id)[0][0].state == "firing"
    alerts.acknowledge(runtime, cluster_id, alert_id, comment=" Cleared the jam ", actor=ACTOR)
    acked = alerts.list_alerts(runtime, cluster_id)[0][0]
    assert acked.state == "acknowledged"
    assert [(a["by"], a["comment"]) for a in acked.acknowledgements] == [
        ("editor@example.com", "Cleared the jam")]
    # an hour earlier ST1 had not yet stopped for 30 minutes: the condition cleared
    alerts.evaluate_cluster(runtime, cluster_id, now=NOW - timedelta(minutes=45), cycle=2)
    resolved, _ = alerts.list_alerts(runtime, cluster_id, states=("resolved",))
    assert [a.id for a in resolved] == [alert_id]
    with runtime.db.session() as session:
        record = repo.evaluation(session, rule_id)
        assert (record.runs, record.cycle, record.firing, record.error) == (2, 2, 0, "")


def test_switching_a_rule_off_resolves_it_and_twice_is_no_change(runtime: Runtime,
                                                                 cluster_id: int) -> None:
    rule_id = alerts.create_rule(runtime, cluster_id, name="Stopped", kind="station_stopped",
                                 params={"minutes": 30}, actor=ACTOR)
    alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=1)
    other = register_cluster(runtime, "alerts_other")
    with pytest.raises(NotFound, match="^This alert rule does not exist.$"):
        alerts.set_rule_enabled(runtime, other, rule_id, False, actor=ACTOR)
    assert alerts.set_rule_enabled(runtime, cluster_id, rule_id, True, actor=ACTOR) is False
    before = audit_count(runtime)
    assert alerts.set_rule_enabled(runtime, cluster_id, rule_id, False, actor=ACTOR) is True
    assert alerts.set_rule_enabled(runtime, cluster_id, rule_id, False, actor=ACTOR) is False
    assert audit_count(runtime) == before + 1
    assert alerts.list_alerts(runtime, cluster_id) == ([], 0)
    assert alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=2) == 0


def test_a_broken_rule_records_its_error_and_the_others_still_run(runtime: Runtime,
                                                                  cluster_id: int) -> None:
    with runtime.db.session() as session:
        broken = AlertRule(cluster_id=cluster_id, name="Peak (limits since removed)",
                           kind="feature_spec", params={"process": "press", "feature": "peak",
                                                        "window_minutes": 60},
                           severity="warning", enabled=True)
        repo.add(session, broken)
        broken_id = broken.id
    alerts.create_rule(runtime, cluster_id, name="Stopped", kind="station_stopped",
                       params={"minutes": 30}, actor=ACTOR)
    assert alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=1) == 2
    with runtime.db.session() as session:
        record = repo.evaluation(session, broken_id)
        assert record.error == "ValidationError: peak of press has no spec limits."
        assert record.firing == 0
    assert [a.subject for a in alerts.list_alerts(runtime, cluster_id)[0]] == ["L1 / ST1"]


def test_default_rules_are_given_once(runtime: Runtime, cluster_id: int) -> None:
    alerts.create_rule(runtime, cluster_id, name="Mine", kind="yield_below", params={},
                       actor=ACTOR)
    alerts.ensure_default_rules(runtime, cluster_id)
    assert [r.name for r in alerts.rules_of(runtime, cluster_id)] == ["Mine"]
    assert len(demo_quality.ALERT_RULES) == 4
