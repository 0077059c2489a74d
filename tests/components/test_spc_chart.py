"""The dashboard's empty figures: plain data that plotly accepts, with the traces the
refresh patches fill (in their order)."""

from __future__ import annotations

import plotly.graph_objects as go

from components import spc_chart


def test_empty_figures_are_valid_plotly_with_the_template() -> None:
    for figure, kinds in ((spc_chart.make_sparkline(), ["scatter"]),
                          (spc_chart.make_defect_bars(), ["bar", "bar"]),
                          (spc_chart.make_heatmap(), ["heatmap"])):
        assert [trace["type"] for trace in figure["data"]] == kinds
        built = go.Figure(figure)  # validates every property
        assert built.layout.template.layout.plot_bgcolor == "white"
        assert built.layout.uirevision == "keep"


def test_defect_bars_name_both_windows_and_the_axis() -> None:
    built = go.Figure(spc_chart.make_defect_bars())
    assert [trace.name for trace in built.data] == ["this window", "previous window"]
    assert built.layout.yaxis.title.text == "% of parts"
    assert built.layout.barmode == "group"


def test_sparkline_hides_its_axes() -> None:
    built = go.Figure(spc_chart.make_sparkline())
    assert built.layout.xaxis.visible is False and built.layout.yaxis.visible is False
    assert built.layout.height == 60
