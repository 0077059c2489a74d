"""Figures of the dashboard: sparkline, defect bars and heatmap are built once with their
traces, then updated in place with ``dash.Patch`` (no flicker, only data is sent); the SPC
charts and the capability histogram are drawn whole (:mod:`components.spc_figures`)."""

from __future__ import annotations

from typing import Any

import plotly.io as pio
from dash import Patch

_MARGIN = {"l": 40, "r": 10, "t": 10, "b": 30}
#: The charts' template as plain data (built once; a figure only refers to it).
TEMPLATE: Any = pio.templates["plotly_white"].to_plotly_json()


def _base(height: int, data: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    """A figure as plain data (what ``go.Figure`` would send, without building one: these
    empty frames are made on every dashboard layout)."""
    settings: dict[str, Any] = {"height": height, "margin": _MARGIN, "showlegend": False,
                                "template": TEMPLATE, "uirevision": "keep"}
    return {"data": data, "layout": {**settings, **layout}}


def make_sparkline() -> dict[str, Any]:
    """An empty trend line for a KPI card."""
    return _base(60, [{"type": "scatter", "x": [], "y": [], "mode": "lines",
                       "line": {"width": 2, "color": "#0d6efd"}, "connectgaps": False,
                       "hovertemplate": "%{x}<br>%{y:.1f}<extra></extra>"}],
                 margin={"l": 0, "r": 0, "t": 0, "b": 0}, xaxis={"visible": False},
                 yaxis={"visible": False})


def make_defect_bars() -> dict[str, Any]:
    """Defect rate by mode: this window and the previous one."""
    return _base(260, [{"type": "bar", "x": [], "y": [], "name": "this window",
                        "marker": {"color": "#dc3545"}},
                       {"type": "bar", "x": [], "y": [], "name": "previous window",
                        "marker": {"color": "#adb5bd"}}],
                 barmode="group", showlegend=True, legend={"orientation": "h", "y": 1.1},
                 yaxis={"title": {"text": "% of parts"}, "rangemode": "tozero"})


def make_heatmap() -> dict[str, Any]:
    """Stations × hours, coloured by defect rate."""
    return _base(220, [{"type": "heatmap", "x": [], "y": [], "z": [], "colorscale": "Reds",
                        "zmin": 0, "hoverongaps": False,
                        "colorbar": {"title": {"text": "NOK %"}},
                        "hovertemplate": "%{y}<br>%{x}<br>%{z:.1f} %<extra></extra>"}])


def patch_traces(series: list[dict[str, Any]]) -> Patch:
    """A patch setting the data of traces 0…n-1 (``series[i]`` holds x/y/z/text…)."""
    patch = Patch()
    for index, values in enumerate(series):
        for key, value in values.items():
            patch["data"][index][key] = value
    return patch


def control_chart_patch(chart: Any) -> Patch:
    """Patch a control chart figure with an :class:`services.quality.kpis.SpcChart`."""
    flagged_x = [chart.times[i] for i in chart.flagged]
    flagged_y = [chart.values[i] for i in chart.flagged]
    centre = [chart.center] * len(chart.times) if chart.center is not None else []
    patch = patch_traces([{"x": chart.times, "y": chart.values},
                          {"x": flagged_x, "y": flagged_y},
                          {"x": chart.times, "y": centre},
                          {"x": chart.times, "y": chart.ucl},
                          {"x": chart.times, "y": chart.lcl},
                          *[{"x": chart.times if v is not None else [],
                             "y": [v] * len(chart.times) if v is not None else []}
                            for v in (getattr(chart, "lsl", None), getattr(chart, "usl", None))]])
    patch["layout"]["yaxis"]["title"] = {"text": chart.unit}
    return patch


def note(patch: Patch, text: str | None) -> Patch:
    """Show ``text`` in the middle of an empty figure (or clear it)."""
    patch["layout"]["annotations"] = [] if not text else [{
        "text": text, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
        "showarrow": False, "font": {"color": "#6c757d", "size": 13}}]
    return patch
