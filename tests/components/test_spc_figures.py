"""The SPC figures from plain panels: stacked panels on one index, labelled limits, rule
numbers at flagged points, excluded points apart, stepped limits, the capability histogram."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components import spc_figures
from services.quality.spc_capability import CapabilityStudy
from services.quality.spc_panel import ChartSeries, SpcPanel, Violation

TIMES = [f"2026-12-01T0{i}:00:00+00:00" for i in range(4)]


def _panel(**changes: object) -> SpcPanel:
    base = {"title": "peak force", "kind": "xbar_r", "unit": "kN", "subgroup_size": 5,
            "times": TIMES,
            "series": [ChartSeries("X̄", [20.0, 21.0, 25.0, 20.5], [20.5] * 4, [18.0] * 4,
                                   [23.0] * 4),
                       ChartSeries("R", [2.0, 3.0, 2.5, 1.0], [2.4] * 4, [0.0] * 4,
                                   [5.1] * 4)],
            "violations": [Violation("nelson1", "N1", "N1: one point beyond 3σ", "X̄", 3,
                                     TIMES[2], 25.0, "/clusters/1/explorer?s=x")],
            "excluded": [1], "baseline": "Limits from subgroups 1–4.",
            "capability": CapabilityStudy(20, 20.5, 1.0, 1.2, 16.0, 24.0, 1.33, 1.17, 1.1,
                                          0.97),
            "histogram": [19.0, 20.0, 21.0, 22.0] * 5}
    return SpcPanel(**{**base, **changes})  # type: ignore[arg-type]


def test_two_panels_share_the_subgroup_axis_with_labelled_limits() -> None:
    fig = _panel()
    figure = spc_figures.make_control_figure(fig)
    names = [t["name"] for t in figure["data"]]
    assert names[:2] == ["X̄", "excluded (X̄)"] and "violations (X̄)" in names
    assert figure["data"][0]["x"] == [1, 2, 3, 4]
    layout = figure["layout"]
    assert layout["yaxis2"]["domain"][1] < layout["yaxis"]["domain"][0]
    assert layout["xaxis2"]["title"]["text"] == "Subgroup"
    assert layout["xaxis"]["matches"] == "x2"
    labels = [a["text"] for a in layout["annotations"]]
    assert labels == ["UCL = 23.00", "CL = 20.50", "LCL = 18.00", "UCL = 5.100",
                      "CL = 2.400", "LCL = 0"]
    flagged = next(t for t in figure["data"] if t["name"] == "violations (X̄)")
    assert (flagged["x"], flagged["text"], flagged["yaxis"]) == ([3], ["N1"], "y")
    excluded = next(t for t in figure["data"] if t["name"] == "excluded (R)")
    assert (excluded["x"], excluded["marker"]["symbol"], excluded["yaxis"]) == ([2], "x", "y2")
    go.Figure(figure)  # plotly accepts every property


def test_stepped_limits_and_empty_panels() -> None:
    stepped = _panel(series=[ChartSeries("p", [0.1, 0.2, 0.0, 0.1], [0.1] * 4,
                                         [0.0] * 4, [0.3, 0.25, 0.3, 0.28], True)],
                     violations=[], excluded=[],
                     points=[{"curves": [], "time": t, "n": n}
                             for t, n in zip(TIMES, (10, 14, 10, 12), strict=True)])
    figure = spc_figures.make_control_figure(stepped)
    assert figure["data"][1]["line"]["shape"] == "hv"
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        "UCL* = 0.2800", "CL* = 0.1000", "LCL* = 0"]
    assert "n = 14 · LCL 0 · UCL 0.2500" in figure["data"][0]["customdata"][1][1]
    go.Figure(figure)
    empty = spc_figures.make_control_figure(_panel(series=[], note="Not enough values."))
    assert [a["text"] for a in empty["layout"]["annotations"]] == ["Not enough values."]


def test_capability_histogram_with_spec_lines_and_normal_curves() -> None:
    figure = spc_figures.make_capability_figure(_panel())
    assert [t["name"] for t in figure["data"]] == ["values", "normal (overall)",
                                                   "normal (within)"]
    assert len(figure["data"][0]["x"]) == 20
    assert {a["text"] for a in figure["layout"]["annotations"]} == {"LSL = 16.00",
                                                                    "USL = 24.00"}
    assert len(figure["layout"]["shapes"]) == 2
    go.Figure(figure)


def test_the_left_margin_holds_each_panels_widest_tick_label() -> None:
    """The demo's kN keep the usual margin; another plant's leak rates or negative angles
    get the room their labels need (checked in Chromium by the dashboard's e2e tests)."""
    assert spc_figures.make_control_figure(_panel())["layout"]["margin"]["l"] == 56
    leak = ChartSeries("X̄", [0.0019, 0.0021], [0.002] * 2, [0.0017] * 2, [0.0023] * 2)
    angle = ChartSeries("X̄", [-5200.0, -4700.0], [-5000.0] * 2, [-7400.0] * 2, [-2600.0] * 2)
    rate = ChartSeries("R", [0.0001, 0.0003], [0.0002] * 2, [0.0] * 2, [0.0004] * 2)
    assert spc_figures.left_margin([leak]) >= 73  # "0.0018" (plotly drew it in 73 px)
    assert spc_figures.left_margin([angle]) >= 70  # "−7000"
    # per panel: the R panel's small values do not coarsen the X̄ panel's estimate
    assert spc_figures.left_margin([angle, rate]) >= spc_figures.left_margin([rate])
    empty = ChartSeries("X̄", [None, None], [float("nan")] * 2, [0.0] * 2, [0.0] * 2)
    assert spc_figures.left_margin([empty]) == 56


def test_the_capability_axis_ends_half_a_step_past_its_outer_ticks() -> None:
    """No tick label at an end of the axis, where it ran past the plot (CI: an axis ended
    0.04 kN past its tick at 30), whatever the values' size and sign."""
    for lo, hi in ((16.0, 24.0), (16.0, 29.0), (-4.1, -1.9), (0.0093, 0.0151), (1100.0, 1400.0),
                   (7.0, 7.0), (0.0, 0.0), (-250.0, 31_000.0)):
        start, end, step = spc_figures.value_axis(lo, hi)
        assert start < lo and hi < end
        power = 10 ** np.floor(np.log10(step))
        assert round(step / power, 6) in (1.0, 2.0, 5.0)
        first, last = start + step / 2, end - step / 2
        assert first <= lo + 1e-9 and hi - 1e-9 <= last  # the ticks cover the values
        assert np.isclose(first / step, round(first / step))  # ticks on multiples of the step
        assert 2 <= round((last - first) / step) <= 7
    assert spc_figures.value_axis(16.0, 24.0) == (15.0, 25.0, 2.0)


def test_the_capability_histogram_counts_values_under_curves_of_the_same_scale() -> None:
    figure = spc_figures.make_capability_figure(_panel())
    bars, overall = figure["data"][0], figure["data"][1]
    assert "histnorm" not in bars and figure["layout"]["yaxis"]["title"]["text"] == "count"
    axis = figure["layout"]["xaxis"]
    assert (axis["range"], axis["tick0"], axis["dtick"]) == ([15.0, 25.0], 16.0, 2.0)
    # the normal curve's area is the bars' (values × bin width): its peak, 1/(σ√2π) of it
    study = _panel().capability
    assert study is not None and study.sigma_overall == 1.2
    area = len(bars["x"]) * bars["xbins"]["size"]
    assert np.isclose(max(overall["y"]), area / (1.2 * np.sqrt(2 * np.pi)), rtol=1e-3)


def test_the_capability_legend_lies_over_the_plot_away_from_the_axis_title() -> None:
    layout = spc_figures.make_capability_figure(_panel())["layout"]
    legend, margin = layout["legend"], layout["margin"]
    assert layout["height"] - margin["t"] - margin["b"] == 200  # the histogram's height
    assert legend["orientation"] == "h" and legend["yanchor"] == "bottom"
    assert legend["y"] >= 1  # over the plot: the axis title has the bottom margin alone
    assert margin["t"] >= 2 * 24 + 0.02 * 200  # its two rows on a phone, and the gap
    assert layout["xaxis"]["title"]["text"] == "kN"


def test_a_blank_capability_has_the_charts_size_and_margins() -> None:
    """Plotly lays out the legend of the study drawn over a blank in the blank's plot area:
    with the control charts' margins it wrapped in three rows and sat on the axis title."""
    full = spc_figures.make_capability_figure(_panel())["layout"]
    for blank in (spc_figures.make_blank_capability()["layout"],
                  spc_figures.make_capability_figure(_panel(capability=None))["layout"]):
        assert (blank["height"], blank["margin"]) == (full["height"], full["margin"])
    shown = spc_figures.make_capability_figure(_panel(capability=None, note="Too few."))
    assert [a["text"] for a in shown["layout"]["annotations"]] == ["Too few."]


def test_a_blank_charts_text_is_broken_into_lines_a_phone_holds() -> None:
    note = ("Not enough values in this window for the chart: choose a longer window or "
            "another feature.")
    empty = spc_figures.make_empty_figure(300, note)
    [shown] = [a["text"] for a in empty["layout"]["annotations"]]
    lines = shown.split("<br>")
    assert len(lines) > 1 and all(len(line) <= spc_figures.NOTE_LINE for line in lines)
    assert " ".join(lines) == note  # every word kept, in order
    assert spc_figures.make_empty_figure(300)["layout"]["annotations"] == []


def test_a_runs_rule_is_written_once_and_the_axis_counts_whole_subgroups() -> None:
    at = [3, 4, 5, 6, 9, 10, 11]
    rules = ["N7", "N7", "N2,N7", "N7", "N7", "N7", "N1"]
    assert spc_figures.run_labels(at, rules) == ["N7", "", "N2,N7", "N7", "N7", "", "N1"]
    assert [spc_figures.subgroup_step(n) for n in (3, 10, 11, 89, 240, 5000, 50_000)] == [
        1, 1, 2, 10, 50, 500, 1000]


def test_one_value_far_out_does_not_widen_the_capability_bins() -> None:
    rng = np.random.default_rng(3)
    values = [*rng.normal(20.0, 1.0, 99).tolist(), 0.5]  # a missing part's 0.5 kN
    bins = spc_figures.histogram_bins(values)
    count = (bins["end"] - bins["start"]) / bins["size"]
    assert 0.3 < bins["size"] < 1.0 and 20 < count <= spc_figures.MAX_BINS + 1
    assert bins["start"] < 0.5 and bins["end"] > max(values)
    assert spc_figures.histogram_bins([7.0, 7.0])["size"] == 1.0
    labels = spc_figures.make_capability_figure(_panel())["layout"]["annotations"]
    assert {a["text"]: a["y"] for a in labels} == {"LSL = 16.00": 1, "USL = 24.00": 0.9}
