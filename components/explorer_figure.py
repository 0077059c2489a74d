"""The explorer's plotly figure: density images per group, golden band, highlighted lines.

The population is one transparent PNG (``layout.images[0]``) composed from the per-group
density images; trace order is fixed so that a zoom can patch by index: ``0`` band,
``1`` golden centre, ``2`` outlier lines, ``3`` the selected curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from dash import Patch

from components.explorer_image import DataUrls, layout_image
from services.explorer.curve_queries import Density
from services.explorer.golden import Golden
from services.explorer.population import OTHER
from services.explorer.state import EvalObject

RESULT_COLORS = {"OK": "#2f6fb0", "WARNING": "#e08a00", "NOK": "#c62828"}
#: Group colours (line, station, product, batch). The first eight keep clear of the hues the
#: chart draws over the groups (the golden curve's green, the outliers' orange, the
#: objects' purple, the selected curve's black) and of the results' red; a ninth and tenth
#: group take red and green.
PALETTE = ("#2f6fb0", "#00838f", "#e377c2", "#9e9d24", "#5d4037", "#455a64", "#c9a400",
           "#7aa6d6", "#c62828", "#2e7d32")
OBJECT_COLOR = "#6a1b9a"
#: The curves drawn over the groups: the golden curve (its envelope in the same green, pale),
#: the outliers and the selected ones.
GOLDEN_COLOR, OUTLIER_COLOR, SELECTED_COLOR = "#1b5e20", "#d84315", "#111111"
OTHER_COLOR = "#9e9e9e"


def group_color(group: str, index: int, *, color_by: str) -> str:
    """The colour of a group (fixed per result, grey for the less frequent values drawn
    together, from a palette otherwise)."""
    if group == OTHER:
        return OTHER_COLOR
    if color_by == "result" and group in RESULT_COLORS:
        return RESULT_COLORS[group]
    return PALETTE[index % len(PALETTE)]


def group_colors(groups: Sequence[str], *, color_by: str) -> list[str]:
    """The colour of each group, in order."""
    return [group_color(g, i, color_by=color_by) for i, g in enumerate(groups)]


def density_image(density: Density, *, color_by: str, urls: DataUrls,
                  hidden: Sequence[str] = ()) -> dict[str, Any]:
    """The visible groups' images as one layout image (the grey others first, then OK,
    so NOK draws on top)."""
    colors = group_colors(density.groups, color_by=color_by)
    g = density.groups
    order = sorted(range(len(g)), key=lambda i: (g[i] != OTHER, g[i] != "OK", g[i] == "NOK", i))
    keep = [i for i in order if g[i] not in hidden]
    if not keep:
        return {"source": "", "visible": False}
    return layout_image([density.images[i] for i in keep], [colors[i] for i in keep],
                        x_range=density.x_range, y_range=density.y_range, urls=urls)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


#: float32 curve samples carry about 7 significant digits; more would only lengthen the JSON.
SIGNIFICANT_DIGITS = 7


def _decimals(arrays: Sequence[np.ndarray]) -> int | None:
    """Decimals that keep ``SIGNIFICANT_DIGITS`` of the largest finite magnitude (``None``:
    too small a magnitude to round, ``10**decimals`` would overflow)."""
    peaks = [float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0)) for a in arrays]
    peak = max(peaks, default=0.0)
    if peak <= 0:
        return SIGNIFICANT_DIGITS
    decimals = max(0, SIGNIFICANT_DIGITS - 1 - int(np.floor(np.log10(peak))))
    return decimals if decimals <= 300 else None


def _joined(curves: Mapping[int, tuple[Any, Any]]) -> tuple[np.ndarray, ...]:
    """Many curves as one trace: x/y joined with gaps (NaN, sent as null), the curve id per
    point.

    Sent as JSON numbers (numpy arrays go to orjson as they are), not base64 typed arrays:
    plotly.js decodes a typed array anew on every ``Plotly.react`` and then sees changed
    data, so each re-render (dcc.Graph re-renders on every zoom to note the new axis range)
    would recompute and redraw every trace; JSON arrays are compared by reference.
    """
    xs_in = [np.asarray(x, dtype=np.float64) for x, _ in curves.values()]
    ys_in = [np.asarray(y, dtype=np.float64) for _, y in curves.values()]
    gap = np.array([np.nan])
    def joined(parts: list[np.ndarray]) -> np.ndarray:
        if not parts:
            return np.zeros(0)
        decimals = _decimals(parts)
        values = np.concatenate([p for part in parts for p in (part, gap)])
        return values if decimals is None else np.round(values, decimals)
    ids = np.repeat(np.fromiter(curves, dtype=np.int64, count=len(curves)),
                    [len(x) + 1 for x in xs_in]) if curves else np.zeros(0, dtype=np.int64)
    return joined(xs_in), joined(ys_in), ids


def golden_traces(golden: Golden | None) -> list[dict[str, Any]]:
    """The band (filled) and the centre line; empty traces without a golden curve."""
    if golden is None:
        return [{"type": "scatter", "x": [], "y": [], "name": "Band", "showlegend": False},
                {"type": "scatter", "x": [], "y": [], "name": "Golden", "showlegend": False}]
    ok = np.isfinite(golden.lower) & np.isfinite(golden.upper)
    x = golden.x[ok]
    band_x = np.concatenate([x, x[::-1]]).round(5).tolist()
    band_y = np.concatenate([golden.upper[ok], golden.lower[ok][::-1]]).round(5).tolist()
    label = f"{golden.name} v{golden.version}" if golden.id else "Golden (unsaved)"
    return [
        {"type": "scatter", "x": band_x, "y": band_y, "fill": "toself", "mode": "lines",
         "line": {"width": 0}, "fillcolor": _rgba("#2e7d32", 0.22), "name": "Envelope",
         "hoverinfo": "skip"},
        {"type": "scatter", "x": golden.x[ok].round(5).tolist(),
         "y": golden.center[ok].round(5).tolist(), "mode": "lines", "name": label,
         "line": {"color": GOLDEN_COLOR, "width": 2.5}},
    ]


def line_trace(curves: Mapping[int, tuple[Any, Any]], *, name: str, color: str,
               width: float) -> dict[str, Any]:
    """Highlighted curves in one SVG trace (``customdata`` carries the curve id)."""
    xs, ys, ids = _joined(curves)
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "customdata": ids,
            "name": name, "line": {"color": color, "width": width},
            "hovertemplate": "curve %{customdata}<br>%{x:.3f}, %{y:.3f}<extra></extra>"}


def object_shapes(objects: Sequence[EvalObject], golden: Golden | None) -> list[dict[str, Any]]:
    """Evaluation objects as layout shapes (windows, threshold lines, envelope spans)."""
    shapes: list[dict[str, Any]] = []
    line = {"color": OBJECT_COLOR, "width": 2}
    for obj in objects:
        label = {"text": obj.name, "font": {"color": OBJECT_COLOR, "size": 11}}
        if obj.kind == "window":
            shapes.append({"type": "rect", "x0": obj.x0, "x1": obj.x1, "y0": obj.y0,
                           "y1": obj.y1, "line": line, "label": label,
                           "fillcolor": "rgba(106,27,154,0.06)"})  # grab anywhere to move
        elif obj.kind == "threshold":
            shapes.append({"type": "line", "x0": obj.x0, "x1": obj.x1, "y0": obj.y0,
                           "y1": obj.y1, "line": {**line, "dash": "dash"}, "label": label})
        else:
            shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": obj.x0,
                           "x1": obj.x1, "y0": 0, "y1": 1, "line": {**line, "dash": "dot"},
                           "fillcolor": "rgba(106,27,154,0.05)", "label": label})
    return shapes


#: Tick labels always fit the margins; plotly.js would otherwise measure every label on
#: every redraw to hide those that overflow the page (~5 ms per zoom, two redraws).
_AXIS = {"showgrid": True, "zeroline": False, "ticklabeloverflow": "allow"}


def make_figure(density: Density, *, color_by: str, golden: Golden | None,
                outliers: Mapping[int, tuple[Any, Any]], selected: Mapping[int, tuple[Any, Any]],
                objects: Sequence[EvalObject], axes: Sequence[str], urls: DataUrls,
                hidden: Sequence[str] = ()) -> dict[str, Any]:
    """The whole figure (first draw, or a change of filters); ``urls`` keeps the density
    image's recent data URLs."""
    data = [*golden_traces(golden),
            line_trace(outliers, name="Top outliers", color=_rgba(OUTLIER_COLOR, 0.75), width=1),
            line_trace(selected, name="Selected", color=SELECTED_COLOR, width=2.5)]
    x_title = f"{axes[0]} ({axes[1]})" if axes[1] else axes[0]
    y_title = f"{axes[2]} ({axes[3]})" if axes[3] else axes[2]
    return {"data": data, "layout": {
        "margin": {"l": 60, "r": 10, "t": 10, "b": 45},
        "images": [density_image(density, color_by=color_by, urls=urls, hidden=hidden)],
        "xaxis": {"title": {"text": x_title}, "range": list(density.x_range), **_AXIS},
        "yaxis": {"title": {"text": y_title}, "range": list(density.y_range), **_AXIS},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "shapes": object_shapes(objects, golden), "plot_bgcolor": "#ffffff",
        "dragmode": "zoom", "hovermode": "closest",
    }}


def zoom_patch(density: Density, *, color_by: str, hidden: Sequence[str],
               outliers: Mapping[int, tuple[Any, Any]] | None,
               selected: Mapping[int, tuple[Any, Any]] | None, urls: DataUrls) -> Patch:
    """Only what changes on a zoom: the density image and the re-reduced lines."""
    patch = lines_patch(outliers=outliers, selected=selected)
    patch["layout"]["images"][0] = density_image(density, color_by=color_by, urls=urls,
                                                 hidden=hidden)
    return patch


def lines_patch(*, outliers: Mapping[int, tuple[Any, Any]] | None = None,
                selected: Mapping[int, tuple[Any, Any]] | None = None) -> Patch:
    """Replace the outlier and/or selected lines."""
    patch = Patch()
    for index, curves in ((2, outliers), (3, selected)):
        if curves is not None:
            trace = line_trace(curves, name="", color="", width=1)
            for key in ("x", "y", "customdata"):
                patch["data"][index][key] = trace[key]
    return patch
