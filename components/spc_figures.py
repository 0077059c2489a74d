"""The SPC figures: control charts stacked on a shared subgroup index (time in the hover),
their centre line and limits labelled with values, rule violations marked with the rule's
number, excluded subgroups drawn apart; and the capability histogram with the spec limits
and the fitted normal curves. Built from :class:`services.quality.spc_panel.SpcPanel`."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

BLUE, GREY, RED, LIGHT = "#0d6efd", "#6c757d", "#dc3545", "#adb5bd"
_MARGIN = {"l": 56, "r": 104, "t": 20, "b": 40}
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


def make_empty_figure(height: int, text: str = "") -> go.Figure:
    """A blank chart of ``height`` with ``text`` in the middle (before the first result)."""
    fig = go.Figure()
    fig.update_layout(height=height, margin=_MARGIN, template="plotly_white",
                      xaxis={"visible": False}, yaxis={"visible": False})
    if text:
        fig.add_annotation(text=text, xref="paper", yref="paper", x=0.5, y=0.5,
                           showarrow=False, font={"color": GREY, "size": 13})
    return fig


def _yref(row: int) -> str:
    return "y" if row == 1 else f"y{row}"


def _limits(fig: go.Figure, series: Any, x: list[int], row: int) -> None:
    shape = "hv" if series.stepped else "linear"
    for name, attr, style, anchor in LIMIT_STYLES:
        values = getattr(series, attr)
        fig.add_scatter(x=x, y=values, mode="lines", name=f"{name} ({series.label})",
                        line={"color": GREY if name == "CL" else RED, "dash": style,
                              "width": 1, "shape": shape}, hoverinfo="skip", row=row, col=1)
        text = f"{name}{'*' if series.stepped else ''} = {fmt(values[-1])}"
        fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=values[-1], yref=_yref(row),
                           yanchor=anchor,
                           text=text, showarrow=False, font={"size": 11, "color": GREY},
                           name=f"limit-{name}-{row}")


def _points(fig: go.Figure, panel: Any, series: Any, x: list[int], row: int) -> None:
    when = [_when(t) for t in panel.times]
    sizes = [p.get("n") for p in panel.points] if len(panel.points) == len(x) else []
    extra = [f"<br>n = {n} · LCL {fmt(lo)} · UCL {fmt(hi)}" if n else ""
             for n, lo, hi in zip(sizes, series.lcl, series.ucl, strict=False)]
    hover = (f"Subgroup %{{x}}<br>%{{customdata[0]}}<br>{series.label} = %{{y:.4g}}"
             "%{customdata[1]}<extra></extra>")
    fig.add_scatter(x=x, y=series.values, mode="lines+markers", name=series.label,
                    customdata=[[w, extra[i] if i < len(extra) else ""]
                                for i, w in enumerate(when)], hovertemplate=hover,
                    line={"color": BLUE, "width": 1},
                    marker={"size": 5, "color": BLUE}, connectgaps=False, row=row, col=1)
    gone = [i for i in panel.excluded if series.values[i] is not None]
    if gone:
        fig.add_scatter(x=[i + 1 for i in gone], y=[series.values[i] for i in gone],
                        mode="markers", name=f"excluded ({series.label})",
                        customdata=[when[i] for i in gone],
                        hovertemplate="Subgroup %{x} (excluded from the limits)<br>"
                                      "%{customdata}<extra></extra>",
                        marker={"symbol": "x", "size": 10, "color": LIGHT}, row=row, col=1)
    marks: dict[int, list[str]] = {}
    for v in panel.violations:
        if v.chart == series.label:
            marks.setdefault(v.subgroup, []).append(v.number)
    if marks:
        at = sorted(marks)
        fig.add_scatter(x=at, y=[series.values[i - 1] for i in at], mode="markers+text",
                        name=f"violations ({series.label})",
                        text=[",".join(dict.fromkeys(marks[i])) for i in at],
                        textposition="top center", textfont={"color": RED, "size": 11},
                        customdata=[when[i - 1] for i in at],
                        hovertemplate="Subgroup %{x}: rule %{text}<br>%{customdata}"
                                      "<extra></extra>",
                        marker={"symbol": "circle-open", "size": 12, "color": RED,
                                "line": {"width": 2}}, cliponaxis=False, row=row, col=1)


def make_control_figure(panel: Any, *, height: int = 460) -> go.Figure:
    """The chart's panels stacked on one subgroup axis, or the reason it is empty."""
    if not panel.series:
        return make_empty_figure(height, panel.note or "No data.")
    rows = len(panel.series)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        row_heights=[0.6, 0.4] if rows == 2 else [1.0])
    x = list(range(1, len(panel.times) + 1))
    for row, series in enumerate(panel.series, start=1):
        _points(fig, panel, series, x, row)
        _limits(fig, series, x, row)
        unit = f" ({panel.unit})" if panel.unit and row == 1 else ""
        fig.update_yaxes(title={"text": f"{series.label}{unit}", "font": {"size": 12}},
                         row=row, col=1)
    stepped = any(s.stepped for s in panel.series)
    axis = "Subgroup" + (" (* limits vary with n)" if stepped else "")
    fig.update_xaxes(title={"text": axis, "font": {"size": 12}}, row=rows, col=1)
    fig.update_layout(height=height if rows == 2 else int(height * 0.7), margin=_MARGIN,
                      template="plotly_white", showlegend=False, uirevision=panel.kind,
                      hovermode="closest")
    return fig


def _pdf(mean: float, sigma: float, lo: float, hi: float) -> tuple[list[float], list[float]]:
    xs = [lo + (hi - lo) * i / 120 for i in range(121)]
    ys = [math.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
          for x in xs]
    return xs, ys


def make_capability_figure(panel: Any, *, height: int = 300) -> go.Figure:
    """Histogram of the judged values with LSL/USL and the normal curves (overall solid,
    within dashed)."""
    study = panel.capability
    if study is None or not panel.histogram:
        return make_empty_figure(height, panel.note or "No values for a capability study.")
    fig = go.Figure()
    fig.add_histogram(x=panel.histogram, histnorm="probability density", name="values",
                      marker={"color": "#9ec5fe", "line": {"color": "#ffffff", "width": 1}},
                      nbinsx=max(8, min(40, int(math.sqrt(len(panel.histogram))) + 1)),
                      hovertemplate="%{x}<br>density %{y:.3g}<extra></extra>")
    spec = [v for v in (study.lsl, study.usl) if v is not None]
    lo, hi = min([*panel.histogram, *spec]), max([*panel.histogram, *spec])
    pad = (hi - lo) * 0.08 or 1.0
    for name, sigma, style in (("overall", study.sigma_overall, "solid"),
                               ("within", study.sigma_within, "dash")):
        if study.mean is not None and sigma:
            xs, ys = _pdf(study.mean, sigma, lo - pad, hi + pad)
            fig.add_scatter(x=xs, y=ys, mode="lines", name=f"normal ({name})",
                            line={"color": GREY if name == "within" else BLUE, "dash": style},
                            hoverinfo="skip")
    for name, value in (("LSL", study.lsl), ("USL", study.usl)):
        if value is not None:
            fig.add_vline(x=value, line={"color": RED, "dash": "dot", "width": 2},
                          annotation={"text": f"{name} = {fmt(value)}", "font": {"color": RED},
                                      "yanchor": "top"})
    fig.update_layout(height=height, margin={**_MARGIN, "r": 16}, template="plotly_white",
                      showlegend=True, legend={"orientation": "h", "y": -0.15},
                      xaxis={"title": {"text": panel.unit or "value", "font": {"size": 12}},
                             "range": [lo - pad, hi + pad]},
                      yaxis={"title": {"text": "density", "font": {"size": 12}}},
                      uirevision="capability")
    return fig
