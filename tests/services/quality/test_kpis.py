"""The dashboard's KPI, defect, station-state and heatmap panels on a hand-made cluster whose
every value is known: exact percentages, window edges, previous-window deltas, scopes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.clusters.query_session import ClusterSession, for_cluster
from services.core.runtime import Runtime
from services.quality import kpis
from tests.access_world import register_cluster

DB = "kpis_known"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PART_COLUMNS = ["part_id", "serial", "ts", "line", "station", "product", "batch", "shift",
                "result", "first_pass", "defect_mode"]
CURVE_COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station",
                 "product", "batch", "result", "defect_mode"]


def _at(hour: int, minute: int) -> datetime:
    return NOW.replace(hour=hour, minute=minute)


#: (minute-stamp, line, result, first pass, defect mode): the current hour (11:00–12:00) of
#: line L1 holds 4 parts (3 OK, 2 first-pass, 1 NOK burr); its previous hour holds 2 (1 OK
#: first-pass, 1 NOK burr); one part before the previous hour and one at the end instant
#: count nowhere; line L2 adds one OK part and one NOK crack in the current hour.
PARTS = [
    (_at(11, 2), "L1", "OK", 1, ""), (_at(11, 3), "L1", "OK", 0, ""),
    (_at(11, 4), "L1", "NOK", 0, "burr"), (_at(11, 57), "L1", "OK", 1, ""),
    (_at(10, 30), "L1", "OK", 1, ""), (_at(10, 31), "L1", "NOK", 0, "burr"),
    (_at(9, 59), "L1", "NOK", 0, "burr"), (_at(12, 0), "L1", "NOK", 0, "burr"),
    (_at(11, 30), "L2", "OK", 1, ""), (_at(11, 31), "L2", "NOK", 0, "crack"),
]
#: Curves at station ST1 of L1: 11:05 OK, 11:10 NOK burr (current hour), 10:40 OK (previous).
CURVES = [(_at(11, 5), "ST1", "OK", ""), (_at(11, 10), "ST1", "NOK", "burr"),
          (_at(10, 40), "ST1", "OK", "")]
#: ST1 ran from 11:00, stopped at 11:40 (jam); ST2 is in changeover since 11:50; an event
#: after ``NOW`` is not yet known.
EVENTS = [(_at(11, 0), "ST1", "running", ""), (_at(11, 40), "ST1", "stopped", "jam"),
          (_at(11, 50), "ST2", "changeover", "type change"),
          (NOW + timedelta(minutes=30), "ST1", "running", "")]


@pytest.fixture(scope="module")
def known_db(ch: ClickHouse) -> Iterator[str]:
    """The hand-made cluster database, loaded once for this module."""
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    for statement in schema_statements(DB, tiered=False, with_ttl=False, fresh=True):
        ch.command(statement)
    ch.insert_rows("parts", [
        (i + 1, f"S{i}", ts, line, "ST1", "P", "B", "A", result, fp, mode)
        for i, (ts, line, result, fp, mode) in enumerate(PARTS)],
        database=DB, column_names=PART_COLUMNS)
    ch.insert_rows("curves", [
        (i + 1, i + 1, f"C{i}", ts, "press", "L1", station, "P", "B", result, mode)
        for i, (ts, station, result, mode) in enumerate(CURVES)],
        database=DB, column_names=CURVE_COLUMNS)
    ch.insert_rows("production_events", [
        (ts, "L1", station, state, reason, 0) for ts, station, state, reason in EVENTS],
        database=DB, column_names=["ts", "line", "station", "state", "reason", "duration_s"])
    yield DB
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture(scope="module")
def session(mod_runtime: Runtime, known_db: str) -> ClusterSession:
    return for_cluster(mod_runtime, register_cluster(mod_runtime, known_db))


def _by_key(panel: kpis.KpiPanel) -> dict[str, kpis.Kpi]:
    return {k.key: k for k in panel.kpis}


def test_view_refuses_unknown_windows_and_long_names() -> None:
    with pytest.raises(ValidationError, match=r"^Choose a window: last hour, shift, 24 h or 7"):
        kpis.View(1, "2h")
    with pytest.raises(ValidationError, match="^That line or station name is too long.$"):
        kpis.View(1, "24h", line="L" * 61)
    with pytest.raises(ValidationError, match="too long"):
        kpis.View(1, "24h", station="S" * 61)
    assert kpis.View(1, "shift", line="L" * 60).line == "L" * 60


def test_bounds_are_the_window_and_the_one_before_it() -> None:
    end = int(NOW.timestamp() * 1000)
    assert kpis.bounds(kpis.View(1, "1h"), NOW) == (end - 7_200_000, end - 3_600_000, end)
    assert kpis.bounds(kpis.View(1, "7d"), NOW)[1] == end - 7 * 86_400_000


def test_kpis_of_a_line_are_exact_with_previous_window_and_delta(
        session: ClusterSession) -> None:
    panel = kpis.kpi_panel(session, kpis.View(1, "1h", line="L1"), now=NOW)
    found = _by_key(panel)
    assert panel.parts == 4
    assert (panel.window_start, panel.window_end) == kpis.bounds(kpis.View(1, "1h"), NOW)[1:]
    assert [k.key for k in panel.kpis] == ["yield", "fpy", "nok", "throughput"]
    assert (found["yield"].value, found["yield"].previous, found["yield"].delta) == (
        75.0, 50.0, 25.0)
    assert (found["fpy"].value, found["fpy"].previous) == (50.0, 50.0)
    assert (found["nok"].value, found["nok"].previous, found["nok"].delta) == (25.0, 50.0, -25.0)
    assert not found["nok"].higher_is_better and found["yield"].higher_is_better
    assert (found["throughput"].value, found["throughput"].previous) == (4.0, 2.0)
    assert found["throughput"].unit == "parts/h" and found["yield"].unit == "%"


def test_trends_have_one_value_per_bucket_and_none_where_nothing_ran(
        session: ClusterSession) -> None:
    panel = kpis.kpi_panel(session, kpis.View(1, "1h", line="L1"), now=NOW)
    found = _by_key(panel)
    assert panel.trend_times[0] == "2026-06-01T11:00:00+00:00"
    assert panel.trend_times[-1] == "2026-06-01T11:55:00+00:00" and len(panel.trend_times) == 12
    assert found["yield"].trend[0] == pytest.approx(200 / 3)
    assert found["yield"].trend[1:11] == [None] * 10 and found["yield"].trend[11] == 100.0
    # throughput in parts per hour from 5-minute buckets: 3 parts -> 36/h, 1 part -> 12/h
    assert found["throughput"].trend == [36.0] + [0.0] * 10 + [12.0]


def test_all_lines_count_every_line(session: ClusterSession) -> None:
    found = _by_key(kpis.kpi_panel(session, kpis.View(1, "1h"), now=NOW))
    assert found["throughput"].value == 6.0
    assert found["yield"].value == pytest.approx(400 / 6)
    assert found["nok"].value == pytest.approx(200 / 6)


def test_a_station_counts_its_curves_and_first_pass_is_unknown(
        session: ClusterSession) -> None:
    panel = kpis.kpi_panel(session, kpis.View(1, "1h", line="L1", station="ST1"), now=NOW)
    found = _by_key(panel)
    assert panel.parts == 2
    assert (found["yield"].value, found["yield"].previous) == (50.0, 100.0)
    assert found["fpy"].value is None and found["fpy"].previous is None
    assert found["fpy"].delta is None and found["fpy"].trend == [None] * 12


def test_an_empty_window_has_no_ratios_and_zero_throughput(session: ClusterSession) -> None:
    found = _by_key(kpis.kpi_panel(session, kpis.View(1, "1h", line="nowhere"), now=NOW))
    assert found["yield"].value is None and found["yield"].delta is None
    assert found["throughput"].value == 0.0


def test_defect_modes_are_rated_against_the_parts_of_each_window(
        session: ClusterSession) -> None:
    view = kpis.View(1, "1h", line="L1")
    panel = kpis.kpi_panel(session, view, now=NOW)
    modes = kpis.defect_panel(session, view, now=NOW, kpis=panel)
    assert modes == [kpis.DefectMode("burr", 1, 25.0, 50.0)]
    every = kpis.View(1, "1h")
    modes = kpis.defect_panel(session, every, now=NOW,
                              kpis=kpis.kpi_panel(session, every, now=NOW))
    assert [(m.mode, m.count) for m in modes] == [("burr", 1), ("crack", 1)]
    assert modes[1].rate == pytest.approx(100 / 6) and modes[1].previous_rate == 0.0
    nowhere = kpis.View(1, "1h", line="nowhere")
    assert kpis.defect_panel(session, nowhere, now=NOW,
                             kpis=kpis.kpi_panel(session, nowhere, now=NOW)) == []


def test_station_states_are_the_latest_known_at_now(session: ClusterSession) -> None:
    states = kpis.status_panel(session, kpis.View(1, "1h"), now=NOW)
    assert [(s.station, s.state, s.reason, s.minutes) for s in states] == [
        ("ST1", "stopped", "jam", 20.0), ("ST2", "changeover", "type change", 10.0)]
    assert states[0].since == "2026-06-01T11:40:00+00:00" and states[0].line == "L1"
    assert kpis.status_panel(session, kpis.View(1, "1h", line="L2"), now=NOW) == []


def test_heatmap_covers_at_least_a_day_by_hour(session: ClusterSession) -> None:
    heat = kpis.heatmap_panel(session, kpis.View(1, "1h"), now=NOW)
    assert heat.stations == ["ST1"]
    assert len(heat.hours) == 25 and heat.hours[0] == "2026-05-31T12:00:00+00:00"
    assert heat.hours[-1] == "2026-06-01T12:00:00+00:00"
    assert heat.rates[0][23] == 50.0 and heat.counts[0][23] == 2
    assert heat.rates[0][22] == 0.0 and heat.counts[0][22] == 1
    assert heat.rates[0][:22] == [None] * 22 and heat.counts[0][:22] == [0] * 22
    week = kpis.heatmap_panel(session, kpis.View(1, "7d"), now=NOW)
    assert len(week.hours) == 7 * 24 + 1
