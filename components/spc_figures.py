"""The SPC figures, as plain Plotly figure data: control charts stacked on a shared
subgroup index (time in the hover), their centre line and limits labelled with values, rule
violations marked with the rule's number, excluded subgroups drawn apart; and the capability
histogram with the spec limits and the fitted normal curves. Built from
:class:`services.quality.spc_panel.SpcPanel`."""

from __future__ import annotations

import math
import statistics
import textwrap
from datetime import datetime
from typing import Any

import plotly.io as pio

BLUE, GREY, RED, LIGHT = "#0d6efd", "#6c757d", "#dc3545", "#adb5bd"
#: The "plotly_white" template as plain data (figures here are dicts, built without
#: plotly's per-property validation, which cost 150–480 ms a refresh).
_TEMPLATE: Any = pio.templates["plotly_white"].to_plotly_json()
#: The margins hold the charts' labels (axis titles, the limits' values on the right, the
#: capability's legend above): plotly's automargin, kept by the template as a safety net,
#: otherwise grows them after a first pass and draws the whole chart again.
_MARGIN = {"l": 56, "r": 104, "t": 20, "b": 56}
#: The capability's legend lies over its plot, like the defect bars' (under it, at -0.15 of
#: the plot, it lay on the axis title: "kN" on "normal (within)"); the top margin holds its
#: two rows on a phone, the bottom one the values' ticks and the axis title.
_CAPABILITY_MARGIN = {"l": 64, "r": 16, "t": 64, "b": 52}
#: The capability chart's height (px): a 200 px plot inside its margins.
CAPABILITY_HEIGHT = 316
#: (name, attribute, line style, label anchor): UCL's label sits above its value, LCL's
#: below, so the three stay apart when the limits are close.
LIMIT_STYLES = (("UCL", "ucl", "dash", "bottom"), ("CL", "center", "solid", "middle"),
                ("LCL", "lcl", "dash", "top"))


def fmt(value: float) -> str:
    """A limit or index value with four significant digits (no exponent for plant units)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 3 - int(math.floor(math.log10(abs(value)))))
    return f"{value:.{min(digits, 6)}f}"


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S UTC")


#: Characters per line of a blank chart's text: plotly does not wrap an annotation, and a
#: phone's chart (~300 px) holds about 40 of them at its 13 px.
NOTE_LINE = 40


def make_empty_figure(height: int, text: str = "", *,
                      margin: dict[str, int] | None = None) -> dict[str, Any]:
    """A blank chart of ``height`` with ``text`` in the middle (before the first result),
    broken into lines a phone's chart holds; ``margin`` those of the chart to come."""
    lines = "<br>".join(textwrap.wrap(text, NOTE_LINE)) if text else ""
    notes = [{"text": lines, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
              "showarrow": False, "font": {"color": GREY, "size": 13}}] if text else []
    return {"data": [], "layout": {"height": height, "margin": margin or _MARGIN,
                                   "template": _TEMPLATE, "xaxis": {"visible": False},
                                   "yaxis": {"visible": False}, "annotations": notes}}


def _axes(row: int) -> dict[str, str]:
    return {"xaxis": "x" if row == 1 else f"x{row}", "yaxis": "y" if row == 1 else f"y{row}"}


def _limits(series: Any, x: list[int], row: int) -> tuple[list[dict[str, Any]],
                                                         list[dict[str, Any]]]:
    """The CL/UCL/LCL lines of one panel and their value labels at the right edge."""
    shape = "hv" if series.stepped else "linear"
    lines, labels = [], []
    for name, attr, style, anchor in LIMIT_STYLES:
        values = getattr(series, attr)
        lines.append({"type": "scatter", "x": x, "y": values, "mode": "lines",
                      "name": f"{name} ({series.label})", "hoverinfo": "skip", **_axes(row),
                      "line": {"color": GREY if name == "CL" else RED, "dash": style,
                               "width": 1, "shape": shape}})
        labels.append({"x": 1.0, "xref": "paper", "xanchor": "left", "y": values[-1],
                       "yref": _axes(row)["yaxis"], "yanchor": anchor, "showarrow": False,
                       "text": f"{name}{'*' if series.stepped else ''} = {fmt(values[-1])}",
                       "font": {"size": 11, "color": GREY}})
    return lines, labels


def _points(panel: Any, series: Any, x: list[int], row: int) -> list[dict[str, Any]]:
    """The plotted statistic, its excluded points and its flagged points (rule numbers)."""
    when = [_when(t) for t in panel.times]
    sizes = [p.get("n") for p in panel.points] if len(panel.points) == len(x) else []
    extra = [f"<br>n = {n} · LCL {fmt(lo)} · UCL {fmt(hi)}" if n else ""
             for n, lo, hi in zip(sizes, series.lcl, series.ucl, strict=False)]
    hover = (f"Subgroup %{{x}}<br>%{{customdata[0]}}<br>{series.label} = %{{y:.4g}}"
             "%{customdata[1]}<extra></extra>")
    traces = [{"type": "scatter", "x": x, "y": series.values, "mode": "lines+markers",
               "name": series.label, "hovertemplate": hover, "connectgaps": False,
               "customdata": [[w, extra[i] if i < len(extra) else ""]
                              for i, w in enumerate(when)], **_axes(row),
               "line": {"color": BLUE, "width": 1}, "marker": {"size": 5, "color": BLUE}}]
    gone = [i for i in panel.excluded if series.values[i] is not None]
    if gone:
        traces.append({"type": "scatter", "x": [i + 1 for i in gone], **_axes(row),
                       "y": [series.values[i] for i in gone], "mode": "markers",
                       "name": f"excluded ({series.label})",
                       "customdata": [when[i] for i in gone],
                       "hovertemplate": "Subgroup %{x} (excluded from the limits)<br>"
                                        "%{customdata}<extra></extra>",
                       "marker": {"symbol": "x", "size": 10, "color": LIGHT}})
    marks: dict[int, list[str]] = {}
    for v in panel.violations:
        if v.chart == series.label:
            marks.setdefault(v.subgroup, []).append(v.number)
    if marks:
        at = sorted(marks)
        rules = [",".join(dict.fromkeys(marks[i])) for i in at]
        traces.append({"type": "scatter", "x": at, "y": [series.values[i - 1] for i in at],
                       "mode": "markers+text", "name": f"violations ({series.label})",
                       "text": run_labels(at, rules), "hovertext": rules,
                       "textposition": "top center", "textfont": {"color": RED, "size": 11},
                       "customdata": [when[i - 1] for i in at], "cliponaxis": False,
                       "hovertemplate": "Subgroup %{x}: rule %{hovertext}<br>%{customdata}"
                                        "<extra></extra>", **_axes(row),
                       "marker": {"symbol": "circle-open", "size": 12, "color": RED,
                                  "line": {"width": 2}}})
    return traces


def run_labels(subgroups: list[int], rules: list[str]) -> list[str]:
    """The rule numbers written over flagged points: once per run of consecutive subgroups
    flagged by the same rules (a run rule flags every point of a long run: 26 "N7" side by
    side were one red smear), the others ringed without words (their hover names the rule)."""
    return [rule if i == 0 or subgroups[i - 1] != at - 1 or rules[i - 1] != rule else ""
            for i, (at, rule) in enumerate(zip(subgroups, rules, strict=True))]


def subgroup_step(count: int) -> int:
    """The subgroup axis's tick step: whole subgroups (never 1.5), about ten ticks."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if count <= step * 10:
            return step
    return 1000


def _title(text: str) -> dict[str, Any]:
    return {"text": text, "font": {"size": 12}}


def make_control_figure(panel: Any, *, height: int = 460) -> dict[str, Any]:
    """The chart's panels stacked on one subgroup axis (plain figure data, drawn as is), or
    the reason it is empty."""
    if not panel.series:
        return make_empty_figure(height, panel.note or "No data.")
    rows = len(panel.series)
    x = list(range(1, len(panel.times) + 1))
    data: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    stepped = any(s.stepped for s in panel.series)
    axis = "Subgroup" + (" (* limits vary with n)" if stepped else "")
    layout: dict[str, Any] = {"height": height if rows == 2 else int(height * 0.7),
                              "margin": {**_MARGIN, "l": left_margin(panel.series)},
                              "template": _TEMPLATE, "showlegend": False,
                              "uirevision": panel.kind, "hovermode": "closest"}
    domains = ([0.442, 1.0], [0.0, 0.372]) if rows == 2 else ([0.0, 1.0],)
    for row, series in enumerate(panel.series, start=1):
        data += _points(panel, series, x, row)
        lines, marks = _limits(series, x, row)
        data += lines
        labels += marks
        names = _axes(row)
        unit = f" ({panel.unit})" if panel.unit and row == 1 else ""
        layout[names["xaxis"].replace("x", "xaxis")] = {
            "anchor": names["yaxis"], "domain": [0.0, 1.0], "showticklabels": row == rows,
            **({"matches": f"x{rows}"} if row < rows else {
                "title": _title(axis), "dtick": (step := subgroup_step(len(x))),
                "tick0": 1 if step == 1 else 0})}
        layout[names["yaxis"].replace("y", "yaxis")] = {
            "anchor": names["xaxis"], "domain": domains[row - 1],
            "title": _title(f"{series.label}{unit}")}
    layout["annotations"] = labels
    return {"data": data, "layout": layout}


def _pdf(mean: float, sigma: float, lo: float, hi: float, *,
         scale: float) -> tuple[list[float], list[float]]:
    """The normal curve over ``lo``..``hi``, its density times ``scale`` (values × bin width:
    on the histogram's count axis)."""
    xs = [lo + (hi - lo) * i / 120 for i in range(121)]
    ys = [scale * math.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
          for x in xs]
    return xs, ys


def nice_step(rough: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at least ``rough`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(f * power for f in (1.0, 2.0, 5.0, 10.0) if f * power >= rough * (1 - 1e-9))


def left_margin(series: list[Any]) -> int:
    """The control chart's left margin (px): the y axis title and tick labels as wide as the
    values need. ``18|20|22`` fit the usual 56 px; another plant's "0.0018" or "−8000" did
    not, and plotly grew the margin and drew the chart again. The labels' decimals are
    those of a step no coarser than plotly's (it divides each panel's range by at most 10,
    rounded up to 2, 5 or 10 × 10^k), from the outer ticks, so the estimate is never too
    narrow: 8 px a character beside 32 px for the title and the gaps."""
    return max([int(_MARGIN["l"]), *(32 + 8 * _label_chars(s) for s in series)])


def _label_chars(series: Any) -> int:
    """The most characters a tick label of one panel's y axis may have (0: no values)."""
    values = [v for v in (*series.values, *series.center, *series.lcl, *series.ucl)
              if v is not None and math.isfinite(v)]
    if not values:
        return 0
    lo, hi = min(values), max(values)
    step = nice_step((hi - lo) / 10 if hi > lo else abs(hi) * 0.1 or 1.0)
    decimals = max(0, -math.floor(math.log10(step)))
    ends = (math.floor(lo / step) * step, math.ceil(hi / step) * step)  # the outer ticks
    return max(len(f"{v:.{decimals}f}") for v in ends)


def value_axis(lo: float, hi: float) -> tuple[float, float, float]:
    """The capability histogram's value axis over ``lo``..``hi``: (start, end, tick step).

    The step is 1, 2 or 5 × 10^k, about five steps over the values and limits; the axis
    starts half a step before the first tick at or below ``lo`` and ends half a step past the
    last at or above ``hi``. So no tick label lies at an end of the axis: with plotly's own
    ticks one could (CI: the axis ended 0.04 kN past a tick at 30, its label ran past the
    plot and plotly grew the margin and drew the chart again)."""
    span = hi - lo
    if span <= 0:  # one value (and no limits): a band around it
        span = abs(hi) * 0.1 or 1.0
        lo, hi = lo - span / 2, hi + span / 2
    step = nice_step(span / 5)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    return first - step / 2, last + step / 2, step


#: The most bars a capability histogram draws, however far one value lies from the rest.
MAX_BINS = 80


def histogram_bins(values: list[float]) -> dict[str, float]:
    """Bins of the width the Freedman–Diaconis rule gives (2 IQR / n^⅓: from the middle
    half of the values, so one value far out does not widen them; 3.49 σ / n^⅓ when the
    quartiles meet), no narrower than the range over :data:`MAX_BINS`. Plotly's own
    ``nbinsx`` is a hint it rounds to "nice" widths: 100 values with one far out got two
    5 kN bars."""
    lo, hi = min(values), max(values)
    span = hi - lo
    if span <= 0:  # one value, however often
        return {"start": lo - 0.5, "end": hi + 0.5, "size": 1.0}
    width = span / 4
    if len(values) >= 4:
        q1, _median, q3 = statistics.quantiles(values, n=4)
        root = len(values) ** (1 / 3)
        width = 2 * (q3 - q1) / root or 3.49 * statistics.pstdev(values) / root
    width = max(width, span / MAX_BINS)
    return {"start": lo - width / 2, "end": hi + width / 2, "size": width}


def make_blank_capability(text: str = "") -> dict[str, Any]:
    """The capability chart without a study: blank, with ``text``, in the chart's own size
    and margins (plotly lays out the legend of the study drawn over it in the blank's plot
    area: the control charts' margins wrapped it in three rows and pushed it off its place)."""
    return make_empty_figure(CAPABILITY_HEIGHT, text, margin=_CAPABILITY_MARGIN)


def make_capability_figure(panel: Any) -> dict[str, Any]:
    """Histogram of the judged values (counts) with LSL/USL and the normal curves scaled to
    it (overall solid, within dashed)."""
    study = panel.capability
    if study is None or not panel.histogram:
        return make_blank_capability(panel.note or "No values for a capability study.")
    bins = histogram_bins(panel.histogram)
    data: list[dict[str, Any]] = [{
        "type": "histogram", "x": panel.histogram, "name": "values",
        "marker": {"color": "#9ec5fe", "line": {"color": "#ffffff", "width": 1}},
        "xbins": bins, "hovertemplate": "%{x}<br>%{y} values<extra></extra>"}]
    spec = [v for v in (study.lsl, study.usl) if v is not None]
    start, end, step = value_axis(min([*panel.histogram, *spec]),
                                  max([*panel.histogram, *spec]))
    for name, sigma, style in (("overall", study.sigma_overall, "solid"),
                               ("within", study.sigma_within, "dash")):
        if study.mean is not None and sigma:
            xs, ys = _pdf(study.mean, sigma, start, end,
                          scale=len(panel.histogram) * bins["size"])
            data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                         "name": f"normal ({name})", "hoverinfo": "skip",
                         "line": {"color": GREY if name == "within" else BLUE,
                                  "dash": style}})
    shapes, labels = [], []
    for name, value in (("LSL", study.lsl), ("USL", study.usl)):
        if value is not None:
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": value,
                           "x1": value, "y0": 0, "y1": 1,
                           "line": {"color": RED, "dash": "dot", "width": 2}})
            # Each label inside the band, beside its line: the axis ends just past the limits,
            # so a label outside the band ran past the plot ("USL = 24.00" read "USL = 24").
            # USL a line lower: in a narrow band the two labels met ("LSL = 16.00USL = …").
            labels.append({"x": value, "xref": "x", "y": 1 if name == "LSL" else 0.9,
                           "yref": "paper",
                           "xanchor": "left" if name == "LSL" else "right",
                           "yanchor": "top", "showarrow": False, "bgcolor": "rgba(255,255,255,0.8)",
                           "text": f"{name} = {fmt(value)}", "font": {"color": RED}})
    legend = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "itemwidth": 30,
              "font": {"size": 11}}
    layout = {"height": CAPABILITY_HEIGHT, "margin": _CAPABILITY_MARGIN, "template": _TEMPLATE,
              "showlegend": True, "legend": legend,
              "xaxis": {"title": _title(panel.unit or "value"), "range": [start, end],
                        "tick0": start + step / 2, "dtick": step},
              # counts, not densities: "0.008" (a density of values in the thousands) was
              # wider than the margin holds, and a count is what a person reads off a bar
              "yaxis": {"title": _title("count")}, "shapes": shapes, "annotations": labels,
              "uirevision": "capability"}
    return {"data": data, "layout": layout}
