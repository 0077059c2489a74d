"""Figures of the dashboard: defect bars and heatmap are built once with their traces, then
updated in place with ``dash.Patch`` (no flicker, only data is sent); a KPI's trend is a
small SVG image; the SPC charts and the capability histogram are drawn whole
(:mod:`components.spc_figures`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import plotly.io as pio
from dash import Patch

_MARGIN = {"l": 40, "r": 10, "t": 10, "b": 30}
#: The charts' margins hold their labels (the heatmap's station names and colour bar):
#: plotly's automargin, which the template keeps as a safety net, otherwise grows them after
#: a first pass and draws the whole chart again (measured here: half of each chart's drawing
#: time on the dashboard's first paint).
_BARS_MARGIN = {"l": 40, "r": 24, "t": 10, "b": 56}
#: The defect bars' two windows: name and colour of each, in the traces' order. Their legend
#: is the card's (:func:`components.dashboard.make_defect_legend`): plotly wraps a legend
#: over a chart at the plot's width, which long modes' names left ~70 px on a phone, and
#: then grew the top margin and drew the chart twice.
DEFECT_WINDOWS = (("this window", "#dc3545"), ("previous window", "#adb5bd"))
#: The heatmap's colour bar lies under its hours (a bar beside the plot and the station
#: names took two thirds of a phone's card, leaving the hours ~100 px): the bottom margin
#: holds the hours' two-line labels, then the bar and its ticks; the right one half the widest
#: hour's label (the last one overhangs the plot; a date under it: "May 31", ~40 px) and the
#: 10 px plotly keeps beside a label (the smallest margin, at most 12) before it grows one.
_HEAT_MARGIN = {"r": 30, "t": 10, "b": 84}
#: The heatmap's plot height (px): at least this, and enough for each station's two lines.
_HEAT_PLOT_PX, _HEAT_ROW_PX = 164, 30
#: Where the colour bar's top sits under the plot (px, below the hours' labels), its length.
_HEAT_BAR_GAP_PX, _HEAT_BAR_PX = 44, 150
#: The hours' labels: plotly writes a date under the first hour and each midnight, and its own
#: ("Dec 6, 2026") was wider than the right margin holds when midnight was the last hour
#: drawn; "Dec 6" fits, whatever the hour (the year is in each cell's hover).
_HOUR_TICKS = [{"dtickrange": [None, 86_400_000], "value": "%H:%M\n%b %-d"},
               {"dtickrange": [86_400_000, None], "value": "%b %-d"}]
#: Characters per line of a station's name beside the heatmap: longer names wrap at their
#: spaces, so that the names leave a phone's plot (a ~330 px card) most of its width.
STATION_LINE = 12
#: Pixels per character of a 12 px tick label (plotly's default font), and the gap beside it.
_CHAR_PX, _LABEL_GAP_PX = 6.5, 8
#: The charts' template as plain data (built once; a figure only refers to it).
TEMPLATE: Any = pio.templates["plotly_white"].to_plotly_json()


def _base(height: int, data: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    """A figure as plain data (what ``go.Figure`` would send, without building one: these
    empty frames are made on every dashboard layout)."""
    settings: dict[str, Any] = {"height": height, "margin": _MARGIN, "showlegend": False,
                                "template": TEMPLATE, "uirevision": "keep"}
    return {"data": data, "layout": {**settings, **layout}}


#: A KPI card's trend line: its colour and the drawing's size (stretched to the card).
SPARK_COLOR = "#0d6efd"
_SPARK_W, _SPARK_H = 200, 60


def make_sparkline_src(values: Sequence[float | None]) -> str:
    """A KPI's trend over evenly spaced buckets as an SVG image (a ``data:`` URI for an
    ``html.Img``): a line broken where a bucket has no value, a dot for a value alone. A
    plotly graph per card cost the browser two plots on every dashboard load for a picture
    nobody could hover."""
    points = [(i, float(v)) for i, v in enumerate(values)
              if v is not None and math.isfinite(float(v))]
    paths: list[str] = []
    if points:
        low, high = min(v for _i, v in points), max(v for _i, v in points)
        span = high - low
        if not span:  # a flat trend runs along the middle
            low, span = low - 1.0, 2.0
        step = (_SPARK_W - 6) / max(len(values) - 1, 1)  # 3 units inside each edge
        run: list[str] = []
        last = -2
        for i, v in points:
            x, y = 3 + i * step, _SPARK_H - 3 - (v - low) / span * (_SPARK_H - 6)
            if i != last + 1 and run:
                paths.append(" ".join(run))
                run = []
            run.append(f"{'M' if not run else 'L'}{x:.1f},{y:.1f}")
            last = i
        paths.append(" ".join(run))
    # A value alone between empty buckets is a dot (a zero-length line with round caps,
    # drawn wider than the line so that it is seen).
    lines = "".join(
        f'<path d="{d if " " in d else f"{d} L{d[1:]}"}" fill="none" stroke="{SPARK_COLOR}" '
        f'stroke-width="{2 if " " in d else 4}" vector-effect="non-scaling-stroke" '
        'stroke-linejoin="round" stroke-linecap="round"/>' for d in paths)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_SPARK_W} {_SPARK_H}" '
           f'preserveAspectRatio="none">{lines}</svg>')
    return "data:image/svg+xml;utf8," + quote(svg)


def defect_series(modes: Sequence[Any]) -> list[dict[str, Any]]:
    """The defect bars' data (this window, the previous one) of the view's defect modes:
    horizontal bars, a mode's name on the y axis (any length, fitted by the margin)."""
    names = [m.mode for m in modes]
    return [{"y": names, "x": [m.rate for m in modes]},
            {"y": names, "x": [m.previous_rate for m in modes]}]


def defect_patch(modes: Sequence[Any]) -> Patch:
    """Patch the defect bars with the view's modes, the left margin fitted to their names
    and the note of a window without NOK parts."""
    series = defect_series(modes)
    patch = patch_traces(series)
    patch["layout"]["margin"]["l"] = label_margin(series[0]["y"])
    note(patch, None if modes else NO_DEFECTS)
    return patch


#: What the defect bars say when the window has no NOK part.
NO_DEFECTS = "No NOK parts in this window."


def make_defect_bars(modes: Sequence[Any] | None = None) -> dict[str, Any]:
    """Defect rate by mode: this window and the previous one (empty without ``modes``)."""
    series = defect_series(modes or [])
    margin = {**_BARS_MARGIN, "l": label_margin(series[0]["y"])}
    bars = [{"type": "bar", "orientation": "h", **values, "name": name,
             "marker": {"color": colour}}
            for values, (name, colour) in zip(series, DEFECT_WINDOWS, strict=True)]
    figure = _base(222, bars, margin=margin, barmode="group",
                   xaxis={"title": {"text": "% of parts"}, "rangemode": "tozero"},
                   # the modes in their order (most frequent first) from the top down; a
                   # category axis, so that an empty chart draws no numbers up its side
                   # (nor half of its top one over the 10 px top margin)
                   yaxis={"autorange": "reversed", "type": "category"})
    if modes is not None and not modes:
        figure["layout"]["annotations"] = [_note(NO_DEFECTS)]
    return figure


def wrap_label(label: str, width: int = STATION_LINE) -> str:
    """``label`` broken at its spaces into lines of at most ``width`` characters (a longer
    word keeps a line of its own), joined by plotly's ``<br>``; filled from the end, so that
    a station's code stays apart from its name ("Cell 7<br>Spot welder")."""
    lines: list[str] = []
    for word in reversed(label.split()):
        if lines and len(word) + 1 + len(lines[0]) <= width:
            lines[0] = f"{word} {lines[0]}"
        else:
            lines.insert(0, word)
    return "<br>".join(lines) or label


def heatmap_layout(stations: Sequence[str]) -> dict[str, Any]:
    """The heatmap's layout fitted to its ``stations``: their wrapped names and the left
    margin holding them, a height giving each its two lines, the colour bar's place under
    the hours at that height."""
    plot = max(_HEAT_PLOT_PX, _HEAT_ROW_PX * len(stations))
    names = [wrap_label(str(name)) for name in stations]
    return {"height": _HEAT_MARGIN["t"] + plot + _HEAT_MARGIN["b"],
            "margin": {**_HEAT_MARGIN, "l": label_margin(names)},
            "yaxis": {"tickmode": "array", "tickvals": list(stations), "ticktext": names},
            "colorbar_y": -_HEAT_BAR_GAP_PX / plot}


def heatmap_series(heat: Any) -> dict[str, Any]:
    """The heatmap's data: stations × hours by defect rate, its colour scale's top the
    worst cell's rate rounded up to ten (10 % at least)."""
    peak = max([v for row in heat.rates for v in row if v is not None], default=0.0)
    return {"x": heat.hours, "y": heat.stations, "z": heat.rates,
            "zmax": max(10.0, 10.0 * math.ceil(peak / 10))}


def heat_ticks(zmax: float) -> dict[str, list[Any]]:
    """The colour bar's ticks (``tickvals``, ``ticktext``): its ends and middle. Plotly's own
    were four or more at some tops ("0 %" … "30 %") and, too many for the 150 px bar, turned
    sideways, taller than the bottom margin holds."""
    values = [0.0, zmax / 2, zmax]
    return {"tickvals": values, "ticktext": [f"{value:g} %" for value in values]}


def make_heatmap(heat: Any = None) -> dict[str, Any]:
    """Stations × hours, coloured by defect rate (empty without ``heat``), the colour bar
    lying under the hours: the plot takes the card's width on a phone too."""
    data = heatmap_series(heat) if heat is not None else {"x": [], "y": [], "z": []}
    fitted = heatmap_layout(data["y"])
    bar = {"orientation": "h", "x": 1, "xanchor": "right", "y": fitted.pop("colorbar_y"),
           "yanchor": "top", "ypad": 0, "len": _HEAT_BAR_PX, "lenmode": "pixels",
           "thickness": 10, "title": {"text": "NOK", "side": "right"},
           "tickangle": 0, "tickmode": "array", **heat_ticks(data.get("zmax", 10.0))}
    trace = {"type": "heatmap", **data, "colorscale": "Reds", "zmin": 0,
             "hoverongaps": False, "colorbar": bar,
             "hovertemplate": "%{y}<br>%{x}<br>%{z:.1f} %<extra></extra>"}
    # the hours keep their labels level: turned upright, they took a phone's plot's height
    return _base(fitted.pop("height"), [trace], **fitted,
                 xaxis={"tickangle": 0, "tickformatstops": _HOUR_TICKS})


def label_margin(labels: Sequence[Any]) -> int:
    """The left margin (px) that holds the longest of ``labels`` as y tick labels (of a
    label in lines, its longest line)."""
    longest = max((len(line) for label in labels for line in str(label).split("<br>")),
                  default=0)
    return max(_MARGIN["l"], min(240, _LABEL_GAP_PX + math.ceil(_CHAR_PX * longest)))


def patch_traces(series: list[dict[str, Any]]) -> Patch:
    """A patch setting the data of traces 0…n-1 (``series[i]`` holds x/y/z/text…)."""
    patch = Patch()
    for index, values in enumerate(series):
        for key, value in values.items():
            patch["data"][index][key] = value
    return patch


def heatmap_patch(heat: Any) -> Patch:
    """Patch the heatmap with new cells, its layout fitted to the stations
    (:func:`heatmap_layout`)."""
    series = heatmap_series(heat)
    patch = patch_traces([series])
    fitted = heatmap_layout(heat.stations)
    patch["data"][0]["colorbar"]["y"] = fitted["colorbar_y"]
    for key, ticks in heat_ticks(series["zmax"]).items():
        patch["data"][0]["colorbar"][key] = ticks
    patch["layout"]["height"] = fitted["height"]
    patch["layout"]["margin"]["l"] = fitted["margin"]["l"]
    for key in ("tickvals", "ticktext"):
        patch["layout"]["yaxis"][key] = fitted["yaxis"][key]
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
    patch["layout"]["annotations"] = [] if not text else [_note(text)]
    return patch


def _note(text: str) -> dict[str, Any]:
    """An annotation in the middle of the plot."""
    return {"text": text, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
            "showarrow": False, "font": {"color": "#6c757d", "size": 13}}
