"""The live dashboard's factories: controls, KPI cards and their texts, station states,
alerts with acknowledgement per role, the demo-feed switch, cards and badges."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components import spc_chart
from components.dashboard import (
    ALL,
    COMPUTING_OFF,
    KPI_CARDS,
    clock,
    format_delta,
    format_kpi,
    make_alerts,
    make_card,
    make_computing_badge,
    make_controls,
    make_defect_legend,
    make_feed_switch,
    make_kpi_card,
    make_status,
    options_with_all,
)
from components.ids.dashboard import Dashboard, dashboard_ack, dashboard_ack_comment, dashboard_kpi
from services.quality.alerts import AlertView
from services.quality.kpis import Kpi, StationState
from tests.components.tree import by_id, ids, of_type, rows, text

ALERT = AlertView(id=41, rule="Torque drift", kind="drift", subject="L2 · ST-20",
                  state="firing", severity="critical", message="Mean torque up 4 %.",
                  fired_at="2026-12-03T22:05:00+00:00", last_seen_at="2026-12-04T04:00:00",
                  curve_count=12, explorer="/clusters/3/explorer?s=drift",
                  acknowledgements=[])


def test_the_controls_start_on_the_given_choices() -> None:
    controls = make_controls(windows=[("1h", "Last hour"), ("24h", "Last 24 h")],
                             lines=["L1", "L2"], stations=("ST-10",), line="L2")
    window = by_id(controls, Dashboard.window)
    assert window.value == "24h"
    assert window.options == [{"label": "Last hour", "value": "1h"},
                              {"label": "Last 24 h", "value": "24h"}]
    line = by_id(controls, Dashboard.line)
    assert line.value == "L2"
    assert [(o["label"], o["value"]) for o in line.options] == [
        ("All lines", ALL), ("L1", "L1"), ("L2", "L2")]
    station = by_id(controls, Dashboard.station)
    assert (station.value, [o["label"] for o in station.options]) == (
        ALL, ["All stations", "ST-10"])
    assert by_id(controls, Dashboard.pause).value is False
    assert text(by_id(controls, Dashboard.updated)) == "—"
    stale = by_id(controls, Dashboard.stale)
    assert text(stale) == "stale" and "d-none" in stale.className.split()
    assert [text(label) for label in of_type(controls, "Label")] == ["Window", "Line",
                                                                     "Station"]


def test_options_with_all_put_the_all_choice_first() -> None:
    assert options_with_all(["a", "b"], "All products") == [
        {"label": "All products", "value": "all"}, {"label": "a", "value": "a"},
        {"label": "b", "value": "b"}]


def test_a_kpi_card_has_its_value_delta_and_trend() -> None:
    card = make_kpi_card("fpy", "First-pass yield")
    assert ids(card) == [dashboard_kpi(kind, "fpy") for kind in (
        Dashboard.KPI_VALUE, Dashboard.KPI_DELTA, Dashboard.KPI_TREND)]
    assert text(card) == "First-pass yield—"
    trend = by_id(card, dashboard_kpi(Dashboard.KPI_TREND, "fpy"))
    assert trend.src.startswith("data:image/svg+xml;utf8,") and "path" not in trend.src
    assert trend.alt == "First-pass yield over the window"
    assert [k for k, _l in KPI_CARDS] == ["yield", "fpy", "nok", "throughput"]


def test_kpi_values_are_shown_with_one_decimal_and_their_unit() -> None:
    assert format_kpi(97.3456, "%") == "97.3 %"
    assert format_kpi(1520.04, "parts/h") == "1520.0 parts/h"
    assert format_kpi(None, "%") == "—"


@pytest.mark.parametrize(("value", "previous", "higher", "unit", "expected"), [
    (97.0, 95.0, True, "%", ("▲ 2.0 pts vs previous window", "small text-success")),
    (3.0, 2.0, False, "%", ("▲ 1.0 pts vs previous window", "small text-danger")),
    (90.0, 95.5, True, "parts/h", ("▼ 5.5 parts/h vs previous window", "small text-danger")),
    (1.0, 2.5, False, "%", ("▼ 1.5 pts vs previous window", "small text-success")),
    (95.02, 95.0, True, "%", ("± 0 vs previous window", "small text-body-secondary")),
    (95.0, None, True, "%", ("no previous data", "small text-body-secondary"))])
def test_deltas_are_green_when_better_and_red_when_worse(
        value: float, previous: float | None, higher: bool, unit: str,
        expected: tuple[str, str]) -> None:
    kpi = Kpi(key="k", label="K", unit=unit, value=value, previous=previous, trend=[],
              higher_is_better=higher)
    assert format_delta(kpi) == expected


def test_the_defect_legend_names_each_window_in_its_bars_colour() -> None:
    legend = by_id(make_defect_legend(), Dashboard.defects_legend)
    entries = [(text(entry), entry.children[0].style["backgroundColor"])
               for entry in legend.children]
    assert entries == [(name, colour) for name, colour in spc_chart.DEFECT_WINDOWS]
    bars = spc_chart.make_defect_bars()["data"]
    assert [bar["marker"]["color"] for bar in bars] == [colour for _, colour in entries]


def test_station_states_show_state_reason_and_how_long() -> None:
    def state(name: str, value: str, minutes: float, reason: str = "") -> StationState:
        return StationState(line="L1", station=name, state=value, reason=reason,
                            since="2026-12-04T00:00:00", minutes=minutes)

    table = make_status([state("ST-10", "running", 42.4),
                         state("ST-20", "stopped", 135, reason="Jam at feeder"),
                         state("ST-30", "changeover", 3 * 1440), state("ST-40", "idle", 1)])
    assert [text(th) for th in of_type(table, "Th")] == ["Station", "State", "For"]
    assert rows(table) == [["L1 · ST-10", "running", "42 min"],
                           ["L1 · ST-20Jam at feeder", "stopped", "2.2 h"],
                           ["L1 · ST-30", "changeover", "3.0 d"],
                           ["L1 · ST-40", "idle", "1 min"]]
    assert [b.color for b in of_type(table, "Badge")] == ["success", "danger", "warning",
                                                          "secondary"]
    assert text(make_status([])) == "No production events yet."


def test_a_firing_alert_links_its_curves_and_editors_may_acknowledge() -> None:
    box = make_alerts([ALERT], can_ack=True)
    assert text(box) == ("criticalfiringTorque drift · L2 · ST-20Mean torque up 4 %.since 03 "
                         "Dec 22:05 UTCOpen 12 curves in the explorerAcknowledge")
    link = of_type(box, "Link")[0]
    assert link.href == "/clusters/3/explorer?s=drift"
    assert ids(box) == [dashboard_ack_comment(41), dashboard_ack(41)]
    comment = by_id(box, dashboard_ack_comment(41))
    assert comment.placeholder == "Comment (required)"
    # a redraw of the list keeps what is being typed (until the page is left)
    assert (comment.persistence, comment.persistence_type) == (True, "memory")
    assert [b.color for b in of_type(box, "Badge")] == ["danger", "light"]


def test_viewers_and_acknowledged_alerts_get_no_acknowledge_control() -> None:
    assert ids(make_alerts([ALERT], can_ack=False)) == []
    acked = replace(ALERT, state="acknowledged", curve_count=1, explorer=None,
                    acknowledgements=[{"by": "ada@example.com", "comment": "Tool changed"}])
    box = make_alerts([acked], can_ack=True)
    assert ids(box) == [] and of_type(box, "Link") == []
    assert "Acknowledged by ada@example.com: Tool changed" in text(box)
    one = make_alerts([replace(ALERT, curve_count=1)], can_ack=False)
    assert "Open 1 curve in the explorer" in text(one)


def test_no_open_alerts_is_said() -> None:
    assert text(make_alerts([], can_ack=True)) == "No open alerts."


def test_clock_is_utc_time_of_day() -> None:
    assert clock(1_764_820_800.0) == "04:00:00 UTC"


def test_only_admins_get_the_demo_feed_switch() -> None:
    viewer = make_feed_switch(enabled=True, is_admin=False)
    assert text(viewer) == "demo feedon" and ids(viewer) == []
    assert text(make_feed_switch(enabled=False, is_admin=False)) == "demo feedoff"
    admin = make_feed_switch(enabled=False, is_admin=True)
    switch = by_id(admin, Dashboard.feed)
    assert (switch.value, switch.label) == (False, "inserting parts")


def test_a_card_has_its_title_extra_and_body() -> None:
    card = make_card("Alerts", "body text", extra=make_computing_badge("x-computing"))
    assert text(card) == "Alertscomputingbody text"
    badge = by_id(card, "x-computing")
    assert badge.className == COMPUTING_OFF
