"""Specification limits per cluster on real chDB and SQLite: defaults, overrides, resets,
refusals that change nothing, Cp/Cpk and the feature_spec alert using the cluster's limits."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.metadata.models import AuditEntry, DatabaseCluster
from data.metadata.models_specs import FeatureSpec
from lyceum.errors import NotFound, ValidationError
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.demo import quality as demo_quality
from services.quality import alerts, dashboard, kpis, spec_limits
from tests.access_world import register_cluster

DB = "spec_limits_test"
NOW = datetime.now(UTC).replace(microsecond=0)
EDITOR = Actor(label="editor@example.com")
#: Baseline of spec_test, and cap_test: 10, 12, 10, 12 … → mean 11, MR̄ 2, σ = 2 / 1.128
#: (I-MR); spec_test's window holds 11, 13.5, 14.5, 11.
SIGMA = 2 / 1.128


@pytest.fixture(scope="module")
def feature_db(ch: ClickHouse) -> Iterator[str]:
    """A cluster database whose data is the press-fit features ``spec_test`` and
    ``cap_test`` (no unit) and one leak-test ``peak_y`` in mbar."""
    for statement in schema_statements(DB, tiered=False, with_ttl=False, fresh=True):
        ch.command(statement)
    base = [(i, NOW - timedelta(days=2, minutes=i), 10.0 if i % 2 else 12.0) for i in range(20)]
    window = [(100 + i, NOW - timedelta(minutes=30 + i), v)
              for i, v in enumerate([11.0, 13.5, 14.5, 11.0])]
    steady = [(300 + i, NOW - timedelta(minutes=40 + i), 10.0 if i % 2 else 12.0)
              for i in range(12)]
    values = ", ".join(f"({c}, '{t:%Y-%m-%d %H:%M:%S}', 'press-fit', '{name}', {v})"
                       for name, rows in (("spec_test", base + window), ("cap_test", base + steady))
                       for c, t, v in rows)
    ch.command(f"INSERT INTO {DB}.curve_features (curve_id, ts, process, feature, value) "
               f"VALUES {values}")
    ch.command(f"INSERT INTO {DB}.curve_features (curve_id, ts, process, feature, value, unit) "
               f"VALUES (500, '{NOW:%Y-%m-%d %H:%M:%S}', 'leak-test', 'peak_y', 2010.0, 'mbar')")
    yield DB
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture
def cluster_id(runtime: Runtime, feature_db: str) -> int:
    return register_cluster(runtime, feature_db, name="Spec plant")


def _make_demo(runtime: Runtime, cluster_id: int) -> int:
    with runtime.db.session() as session:
        found = session.get(DatabaseCluster, cluster_id)
        assert found is not None
        found.is_demo = True
    return cluster_id


@pytest.fixture
def demo_id(runtime: Runtime, cluster_id: int) -> int:
    """The cluster marked as a demo: it has the demo plant's limits as defaults."""
    return _make_demo(runtime, cluster_id)


def _state(runtime: Runtime) -> tuple[Any, ...]:
    with runtime.db.session() as session:
        rows = sorted((s.cluster_id, s.process, s.feature, s.unit, s.lsl, s.usl)
                      for s in session.scalars(select(FeatureSpec)))
        audits = [(a.action, a.detail) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("spec.%")).order_by(AuditEntry.id))]
    return tuple(rows), tuple(str(a) for a in audits)


def test_only_a_demo_cluster_has_the_demo_plants_limits(runtime: Runtime,
                                                        cluster_id: int) -> None:
    assert spec_limits.limits_for(runtime, cluster_id) == {}
    listed = spec_limits.feature_list(runtime, cluster_id)
    assert [(s.process, s.feature, s.lsl, s.usl) for s in listed] == [
        ("leak-test", "peak_y", None, None), ("press-fit", "cap_test", None, None),
        ("press-fit", "spec_test", None, None)]
    _make_demo(runtime, cluster_id)
    assert spec_limits.limits_for(runtime, cluster_id) == demo_quality.SPEC_LIMITS


def test_defaults_are_overridden_and_reset_with_audit(runtime: Runtime, demo_id: int) -> None:
    cluster_id = demo_id
    assert spec_limits.limits_for(runtime, cluster_id) == demo_quality.SPEC_LIMITS
    changed = spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="peak_force",
                               lsl=15, usl=23.5, unit=None, actor=EDITOR)
    assert (changed.unit, changed.lsl, changed.usl, changed.is_default) == ("kN", 15, 23.5,
                                                                            False)
    limits = spec_limits.limits_for(runtime, cluster_id)
    assert limits[("press-fit", "peak_force")] == ("kN", 15, 23.5)
    spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="peak_force", lsl=None,
                     usl=25, unit="kN", actor=EDITOR)
    back = spec_limits.reset_limits(runtime, cluster_id, process="press-fit", feature="peak_force",
                              actor=EDITOR)
    assert back is not None and back.is_default and (back.lsl, back.usl) == (16, 24)
    with runtime.db.session() as session:
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.action.like("spec.%")).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["spec.update", "spec.update", "spec.reset"]
    assert entries[0].detail["old"] == {"unit": "kN", "lsl": 16.0, "usl": 24.0}
    assert entries[0].detail["new"] == {"unit": "kN", "lsl": 15.0, "usl": 23.5}
    assert entries[1].detail["old"]["usl"] == 23.5 and entries[2].detail["new"]["usl"] == 24.0
    assert all(e.cluster_id == cluster_id for e in entries)


@pytest.mark.parametrize(("lsl", "usl", "unit", "message"), [
    (math.nan, 20, "kN", "LSL must be a finite number"),
    (10, math.inf, "kN", "USL must be a finite number"),
    ("12", 20, "kN", "LSL must be a number"),
    (True, 20, "kN", "LSL must be a number"),
    (None, None, "kN", "at least one limit"),
    (20, 20, "kN", "LSL must be below USL"),
    (10, 20, "k\x00N", "unit must be text"),
    (10, 20, "x" * 21, "unit must be text"),
])
def test_bad_limits_are_refused_and_change_nothing(runtime: Runtime, cluster_id: int, lsl: Any,
                                                   usl: Any, unit: Any, message: str) -> None:
    before = _state(runtime)
    with pytest.raises(ValidationError, match=message):
        spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="peak_force",
                         lsl=lsl, usl=usl, unit=unit, actor=EDITOR)
    assert _state(runtime) == before


@pytest.mark.parametrize(("process", "feature"), [
    ("press-fit", "no_such_feature"), ("press-fit", "x' OR 1=1 --"), ("", "spec_test"),
    ("press-fit", "spec_test\n"), ("press-fit::x", "spec_test"), ("press-fit", "f" * 101),
    ("screw-driving", "spec_test"),
])
def test_unknown_or_hostile_features_are_refused(runtime: Runtime, cluster_id: int,
                                                 process: str, feature: str) -> None:
    before = _state(runtime)
    with pytest.raises((NotFound, ValidationError)):
        spec_limits.set_limits(runtime, cluster_id, process=process, feature=feature, lsl=1, usl=2,
                         unit="", actor=EDITOR)
    assert _state(runtime) == before
    with pytest.raises(NotFound):
        spec_limits.reset_limits(runtime, cluster_id, process=process, feature=feature,
                                 actor=EDITOR)


def test_feature_keys_round_trip() -> None:
    assert spec_limits.feature_key("press-fit", "peak_force") == "press-fit::peak_force"
    assert spec_limits.parse_feature_key("press-fit::spec_test") == ("press-fit", "spec_test")
    for bad in ("", "nothing", "peak_force", "::x", None, 5, "a::" + "x" * 300):
        with pytest.raises(ValidationError, match="Choose one of the listed features"):
            spec_limits.parse_feature_key(bad)


def test_cp_cpk_use_the_clusters_limits(runtime: Runtime, cluster_id: int) -> None:
    view = kpis.View(cluster_id, "24h")
    request = dashboard.SpcRequest(feature="press-fit::cap_test", kind="imr")
    with pytest.raises(ValidationError, match="Choose one of the listed features"):
        dashboard.control_charts(runtime, view, dashboard.SpcRequest(
            feature="press-fit::nothing", kind="imr"))
    chart, _ = dashboard.control_charts(runtime, view, request).value  # charted, no limits
    assert chart.capability is None or chart.capability.cp is None
    spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="cap_test", lsl=5,
                           usl=17, unit="mm", actor=EDITOR)
    chart, _ = dashboard.control_charts(runtime, view, request).value
    study = chart.capability
    assert study is not None and study.n == 12 and chart.unit == "mm"
    assert (study.lsl, study.usl) == (5, 17)
    # σ = MR̄/d2 = 2/1.128 = 1.773; Cp = (17 − 5)/6σ = 1.128; Cpk = min(6, 6)/3σ = 1.128.
    assert (study.cp, study.cpk) == (pytest.approx(1.128, abs=1e-3),
                                     pytest.approx(1.128, abs=1e-3))
    spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="cap_test", lsl=5,
                           usl=14, unit="mm", actor=EDITOR)
    chart, _ = dashboard.control_charts(runtime, view, request).value  # new limits: at once
    study = chart.capability
    assert study is not None
    # Cp = 9/6σ = 0.846; Cpk = (14 − 11)/3σ = 0.564.
    assert study.cp == pytest.approx(9 / (6 * SIGMA)) == pytest.approx(0.846, abs=1e-3)
    assert study.cpk == pytest.approx(3 / (3 * SIGMA)) == pytest.approx(0.564, abs=1e-3)


def test_limits_without_a_unit_take_the_features_unit_from_the_data(
        runtime: Runtime, cluster_id: int) -> None:
    found = spec_limits.set_limits(runtime, cluster_id, process="leak-test", feature="peak_y",
                                   lsl=1900, usl=2100, unit=None, actor=EDITOR)
    assert (found.unit, found.lsl, found.usl) == ("mbar", 1900.0, 2100.0)
    kept = spec_limits.set_limits(runtime, cluster_id, process="leak-test", feature="peak_y",
                                  lsl=1800, usl=None, unit=None, actor=EDITOR)
    assert kept.unit == "mbar"
    changed = spec_limits.set_limits(runtime, cluster_id, process="leak-test", feature="peak_y",
                                     lsl=1.8, usl=None, unit="bar", actor=EDITOR)
    assert changed.unit == "bar"


def test_feature_spec_alert_judges_against_the_clusters_limits(runtime: Runtime,
                                                               cluster_id: int) -> None:
    spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="spec_test", lsl=5,
                     usl=14, unit="mm", actor=EDITOR)
    params = alerts.rule_from_form(kind="feature_spec", feature="press-fit::spec_test",
                                   value=None, window_minutes=120)
    alerts.create_rule(runtime, cluster_id, name="Spec test", kind="feature_spec",
                       params=params, actor=EDITOR)
    alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=1)
    found, _ = alerts.list_alerts(runtime, cluster_id)
    assert [a.message for a in found] == ["1 curve with spec_test outside spec (worst 14.5 mm)"]
    spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="spec_test", lsl=5,
                     usl=13, unit="mm", actor=EDITOR)
    alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=2)
    found, _ = alerts.list_alerts(runtime, cluster_id)
    assert found[0].message == "2 curves with spec_test outside spec (worst 14.5 mm)"
    spec_limits.set_limits(runtime, cluster_id, process="press-fit", feature="spec_test", lsl=5,
                     usl=20, unit="mm", actor=EDITOR)
    alerts.evaluate_cluster(runtime, cluster_id, now=NOW, cycle=3)
    assert alerts.list_alerts(runtime, cluster_id)[0] == []
    with pytest.raises(ValidationError, match="Choose a feature with specification limits"):
        alerts.create_rule(runtime, cluster_id + 1000, name="x", kind="feature_spec",
                           params=params, actor=EDITOR)
