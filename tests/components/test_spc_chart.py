"""The dashboard's empty figures: plain data that plotly accepts, with the traces the
refresh patches fill (in their order); the KPI trend's SVG line."""

from __future__ import annotations

import re
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


def test_the_heatmap_margin_holds_the_longest_station_name() -> None:
    from services.quality.kpis import Heatmap

    short = Heatmap(["OP10"], ["2026-12-04T10:00"], [[1.0]], [[3]])
    long = Heatmap(["OP10", "OP20 Screw-driving station"], ["2026-12-04T10:00"],
                   [[1.0], [2.0]], [[3], [4]])
    narrow = spc_chart.make_heatmap(short)["layout"]["margin"]["l"]
    wide = spc_chart.make_heatmap(long)["layout"]["margin"]["l"]
    assert narrow == 40 and wide == spc_chart.label_margin(long.stations) > 6 * 26
    patched = spc_chart.heatmap_patch(long).to_plotly_json()
    assert {"location": ["layout", "margin", "l"], "operation": "Assign",
            "params": {"value": wide}} in patched["operations"]
