"""The dashboard's empty figures: plain data that plotly accepts, with the traces the
refresh patches fill (in their order); the KPI trend's SVG line."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import plotly.graph_objects as go

from components import spc_chart


def test_empty_figures_are_valid_plotly_with_the_template() -> None:
    for figure, kinds in ((spc_chart.make_defect_bars(), ["bar", "bar"]),
                          (spc_chart.make_heatmap(), ["heatmap"])):
        assert [trace["type"] for trace in figure["data"]] == kinds
        built = go.Figure(figure)  # validates every property
        assert built.layout.template.layout.plot_bgcolor == "white"
        assert built.layout.uirevision == "keep"


def test_defect_bars_name_both_windows_and_the_axis() -> None:
    built = go.Figure(spc_chart.make_defect_bars())
    assert built.layout.yaxis.type == "category"  # empty: no numbers up its side
    assert [trace.name for trace in built.data] == ["this window", "previous window"]
    assert built.layout.xaxis.title.text == "% of parts"
    assert {trace.orientation for trace in built.data} == {"h"}
    assert built.layout.barmode == "group"


def _svg(values: list[float | None]) -> str:
    src = spc_chart.make_sparkline_src(values)
    assert src.startswith("data:image/svg+xml;utf8,")
    return unquote(src.removeprefix("data:image/svg+xml;utf8,"))


def test_the_trend_is_one_line_from_left_to_right_scaled_to_its_range() -> None:
    svg = _svg([1.0, 3.0, 2.0])
    [d] = re.findall(r' d="([^"]+)"', svg)
    assert d == "M3.0,57.0 L100.0,3.0 L197.0,30.0"  # lowest at the bottom, highest on top
    assert f'stroke="{spc_chart.SPARK_COLOR}"' in svg and 'preserveAspectRatio="none"' in svg


def test_the_trend_breaks_where_a_bucket_has_no_value() -> None:
    paths = re.findall(r' d="([^"]+)"', _svg([1.0, 2.0, None, float("nan"), 2.0, 1.0]))
    assert paths == ["M3.0,57.0 L41.8,3.0", "M158.2,3.0 L197.0,57.0"]


def test_a_value_alone_between_empty_buckets_is_a_dot() -> None:
    paths = re.findall(r' d="([^"]+)"', _svg([None, 3.0, None, 1.0, 2.0]))
    assert paths == ["M51.5,3.0 L51.5,3.0", "M148.5,57.0 L197.0,30.0"]
    assert 'stroke-linecap="round"' in _svg([1.0]) and 'stroke-width="4"' in _svg([1.0])


def test_a_flat_or_empty_trend_draws_without_dividing_by_zero() -> None:
    assert re.findall(r' d="([^"]+)"', _svg([5.0, 5.0])) == ["M3.0,30.0 L197.0,30.0"]
    assert " d=" not in _svg([]) and " d=" not in _svg([None, None])


def _heat(stations: list[str]) -> Any:
    from services.quality.kpis import Heatmap

    return Heatmap(stations, ["2026-12-04T10:00"], [[1.0] for _ in stations],
                   [[3] for _ in stations])


def test_a_long_station_name_wraps_at_spaces_its_code_apart() -> None:
    assert spc_chart.wrap_label("OP30 Curing oven") == "OP30<br>Curing oven"
    assert spc_chart.wrap_label("OP20 Screw-driving") == "OP20<br>Screw-driving"
    assert spc_chart.wrap_label("Line 1 OP10 Press-fit") == "Line 1 OP10<br>Press-fit"
    assert spc_chart.wrap_label("OP10 Press") == "OP10 Press"  # short enough: one line
    assert spc_chart.wrap_label("Screwdriving-station-12") == "Screwdriving-station-12"
    assert spc_chart.wrap_label("") == ""


def test_the_heatmap_margin_holds_the_longest_line_of_a_station_name() -> None:
    narrow = spc_chart.make_heatmap(_heat(["OP10"]))["layout"]
    wide = spc_chart.make_heatmap(_heat(["OP10", "OP20 Screw-driving station"]))["layout"]
    assert narrow["margin"]["l"] == 40
    # "Screw-driving" (13 characters) is the longest line, not the name's 26
    assert wide["margin"]["l"] == spc_chart.label_margin(["Screw-driving"]) < 6 * 16
    assert wide["yaxis"] == {"tickmode": "array",
                             "tickvals": ["OP10", "OP20 Screw-driving station"],
                             "ticktext": ["OP10", "OP20<br>Screw-driving<br>station"]}


def test_the_heatmap_colour_bar_lies_under_the_hours_leaving_the_width_to_the_plot() -> None:
    figure = spc_chart.make_heatmap(_heat(["OP10 Press-fit", "OP20 Screw-driving"]))
    go.Figure(figure)  # validates every property
    bar, layout = figure["data"][0]["colorbar"], figure["layout"]
    assert bar["orientation"] == "h" and bar["yanchor"] == "top"
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    below = -bar["y"] * plot  # px under the plot: past the hours' labels, inside the margin
    assert 40 <= below and below + bar["thickness"] + 20 <= layout["margin"]["b"]
    assert layout["margin"]["r"] <= 30 and layout["xaxis"]["tickangle"] == 0


def test_the_hours_dates_are_short_enough_for_the_right_margin() -> None:
    """Plotly's own date under a midnight ("Dec 6, 2026") overhung the right margin when it
    was the last hour drawn (CI, at 00:22): half the widest label now fits it, with plotly's
    pad."""
    layout = spc_chart.make_heatmap(_heat(["OP10"]))["layout"]
    formats = [stop["value"] for stop in layout["xaxis"]["tickformatstops"]]
    assert formats == ["%H:%M\n%b %-d", "%b %-d"]
    widest = max(len("00:00"), len("May 31"))  # "%b %-d" at its widest
    pad = min(12, *layout["margin"].values())  # what plotly keeps beside a label
    assert widest * spc_chart._CHAR_PX / 2 + pad <= layout["margin"]["r"]


def test_the_colour_bar_has_three_level_ticks_at_a_rounded_top() -> None:
    """Plotly's own ticks for a 33 % top were four ("0 %" … "30 %"), turned sideways on the
    150 px bar, taller than the bottom margin (a full run at 00:39)."""
    def worst(rate: float) -> Any:
        from services.quality.kpis import Heatmap

        return Heatmap(["OP10"], ["2026-12-04T10:00"], [[rate]], [[3]])

    for rate, top in ((0.0, 10), (4.0, 10), (33.3, 40), (100.0, 100)):
        figure = spc_chart.make_heatmap(worst(rate))
        bar = figure["data"][0]["colorbar"]
        assert (figure["data"][0]["zmax"], bar["tickvals"]) == (top, [0, top / 2, top])
        assert bar["ticktext"] == ["0 %", f"{top / 2:g} %", f"{top} %"]
        assert bar["tickangle"] == 0 and bar["tickmode"] == "array"
        patched = spc_chart.heatmap_patch(worst(rate)).to_plotly_json()["operations"]
        assigned = {tuple(op["location"]): op["params"]["value"] for op in patched}
        assert assigned[("data", 0, "colorbar", "tickvals")] == [0, top / 2, top]
        assert assigned[("data", 0, "colorbar", "ticktext")] == bar["ticktext"]
    # a label of at most "100 %" is narrower than the room between two ticks on the bar
    assert len("100 %") * spc_chart._CHAR_PX < spc_chart._HEAT_BAR_PX / 2


def test_the_defect_bars_leave_their_legend_to_the_card() -> None:
    """Plotly wrapped the legend over a phone's narrow plot (long modes' names) and grew the
    top margin: the card draws it (components.dashboard.make_defect_legend)."""
    figure = spc_chart.make_defect_bars()
    assert figure["layout"]["showlegend"] is False and figure["layout"]["margin"]["t"] == 10
    assert [(t["name"], t["marker"]["color"]) for t in figure["data"]] == list(
        spc_chart.DEFECT_WINDOWS)


def test_the_heatmap_grows_with_its_stations_and_its_patch_refits_it() -> None:
    three = spc_chart.make_heatmap(_heat(["A", "B", "C"]))
    many = [f"OP{i}0 Station {i}" for i in range(10)]
    ten = spc_chart.make_heatmap(_heat(many))
    assert three["layout"]["height"] == 10 + 164 + 84
    assert ten["layout"]["height"] == 10 + 10 * 30 + 84  # two lines a station
    assert ten["data"][0]["colorbar"]["y"] == -44 / 300  # same px under the taller plot
    patched = spc_chart.heatmap_patch(_heat(many)).to_plotly_json()["operations"]
    assigned = {tuple(op["location"]): op["params"]["value"] for op in patched}
    assert assigned[("layout", "height")] == ten["layout"]["height"]
    assert assigned[("layout", "margin", "l")] == ten["layout"]["margin"]["l"]
    assert assigned[("data", 0, "colorbar", "y")] == ten["data"][0]["colorbar"]["y"]
    assert assigned[("layout", "yaxis", "ticktext")] == ten["layout"]["yaxis"]["ticktext"]
    assert assigned[("layout", "yaxis", "tickvals")] == many
    assert assigned[("data", 0, "y")] == many  # the hover names the station whole
