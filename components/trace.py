"""The trace page's parts: the serial search, the part summary, one chart per process (the
part's curves over the golden curve and its band), the features and the time line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from components.explorer_figure import PALETTE, RESULT_COLORS
from components.ids.trace import Trace, trace_chart
from components.layout import make_empty_state
from services.explorer.trace import PartCurve, PartTrace

GOLDEN_COLOR = "#b8860b"
BAND_FILL = "rgba(184,134,11,0.18)"
_BADGE = {"OK": "success", "WARNING": "warning", "NOK": "danger"}


def make_search(serial: str = "") -> html.Div:
    """The serial search: type the start of a serial (or a part id), pick a suggestion or
    press Enter. Only the suggestions are filled by the server, never the box itself."""
    return html.Div([
        dbc.Label("Serial or part id", html_for=Trace.search, className="small mb-1"),
        dbc.Input(id=Trace.search, value=serial, type="search", debounce=False,
                  placeholder="Type the start of a serial…", autocomplete="off",
                  maxLength=80),
        html.Div(id=Trace.suggestions, className="trace-suggestions"),
    ], className="mb-3 position-relative", style={"maxWidth": "36rem"})


def make_suggestions(cluster_id: int, found: Sequence[dict[str, Any]]) -> Any:
    """Links to the suggested serials' records."""
    if not found:
        return html.Div("No serial starts with that.", className="small text-body-secondary "
                        "mt-1")
    return dbc.ListGroup([
        dbc.ListGroupItem([html.Span(r["serial"], className="fw-semibold me-2"),
                           html.Span(f"{r['n_curves']} curves", className="small "
                                     "text-body-secondary")],
                          href=f"/clusters/{cluster_id}/trace?{urlencode({'serial': r['serial']})}",
                          action=True, className="trace-suggestion py-1")
        for r in found], className="mt-1 shadow-sm")


def make_start() -> html.Div:
    """What the page shows before a part is chosen."""
    return make_empty_state(icon="bi-upc-scan", title="Trace a part",
                            text="Type the start of a serial or a part id to see every "
                                 "curve, result, reading and alert recorded for it.")


def _badge(result: str) -> dbc.Badge:
    return dbc.Badge(result or "—", color=_BADGE.get(result, "secondary"), className="me-1")


def make_summary(found: PartTrace) -> dbc.Card:
    """Serial, part ids, processes and stations, the last result."""
    processes = sorted({str(c.meta["process"]) for c in found.curves})
    stations = sorted({str(c.meta["station"]) for c in found.curves} |
                      {str(r["station"]) for r in found.results})
    last = found.results[-1]["result"] if found.results else \
        (found.curves[-1].meta["result"] if found.curves else "")
    facts = [("Part id", ", ".join(str(p) for p in found.part_ids)),
             ("Curves", str(len(found.curves)) + (" (first ones shown)" if found.truncated
                                                   else "")),
             ("Processes", ", ".join(processes) or "—"), ("Stations", ", ".join(stations)),
             ("Alerts", str(len(found.alerts)))]
    return dbc.Card(dbc.CardBody([
        html.Div([html.H2(found.serial, className="h5 mb-0 me-2"), _badge(str(last))],
                 className="d-flex align-items-center mb-2"),
        html.Dl([item for k, v in facts for item in (html.Dt(k, className="col-5 col-md-2"),
                                                    html.Dd(v, className="col-7 col-md-4"))],
                className="row small mb-0"),
    ]), className="shadow-sm mb-3", id=Trace.summary)


def curve_label(curve: PartCurve) -> str:
    """The legend entry of a part's curve."""
    m = curve.meta
    return f"{m['station']} · {str(m['ts'])[:19].replace('T', ' ')} · {m['result']}"


def make_figure(curves: Sequence[PartCurve]) -> go.Figure:
    """One process: its golden band and centre (when saved), then the part's curves."""
    fig = go.Figure()
    gold = next((c.golden for c in curves if c.golden), None)
    if gold:
        fig.add_trace(go.Scatter(x=gold["x"], y=gold["upper"], mode="lines",
                                 line={"width": 0}, hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=gold["x"], y=gold["lower"], mode="lines", fill="tonexty",
                                 fillcolor=BAND_FILL, line={"width": 0}, hoverinfo="skip",
                                 name="golden band"))
        fig.add_trace(go.Scatter(x=gold["x"], y=gold["center"], mode="lines",
                                 line={"color": GOLDEN_COLOR, "width": 2, "dash": "dash"},
                                 name=f"golden: {gold['name']} v{gold['version']}"))
    for i, curve in enumerate(curves):
        color = RESULT_COLORS.get(str(curve.meta["result"]), PALETTE[i % len(PALETTE)]) \
            if len(curves) == 1 else PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=curve.x, y=curve.y, mode="lines", name=curve_label(curve),
                                 line={"color": color, "width": 2},
                                 customdata=[curve.meta["curve_id"]] * len(curve.x)))
    meta = curves[0].meta
    fig.update_layout(
        margin={"l": 60, "r": 10, "t": 60, "b": 50}, height=380, template="plotly_white",
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                "font": {"size": 11}},
        xaxis_title=_axis(meta["x_name"], meta["x_unit"]),
        yaxis_title=_axis(meta["y_name"], meta["y_unit"]))
    return fig


def _axis(name: Any, unit: Any) -> str:
    return f"{name} [{unit}]" if unit else str(name)


def make_charts(found: PartTrace) -> html.Div:
    """A card per process with its chart."""
    by_process: dict[str, list[PartCurve]] = {}
    for curve in found.curves:
        by_process.setdefault(str(curve.meta["process"]), []).append(curve)
    if not by_process:
        return html.Div(dbc.Alert("No curves were recorded for this part.", color="light"),
                        id=Trace.charts)
    cards = [dbc.Col(dbc.Card([
        dbc.CardHeader([html.Strong(process), html.Span(
            " · golden curve shown" if any(c.golden for c in curves) else
            " · no golden curve saved for this process", className="text-body-secondary")]),
        dbc.CardBody(dcc.Graph(id=trace_chart(process), figure=make_figure(curves),
                               config={"displaylogo": False, "responsive": True}),
                     className="p-1"),
    ], className="shadow-sm mb-3"), lg=6) for process, curves in sorted(by_process.items())]
    return html.Div(dbc.Row(cards), id=Trace.charts)


def _table(table_id: str, rows: list[dict[str, Any]], columns: list[tuple[str, str]]
           ) -> dash_table.DataTable:
    return dash_table.DataTable(
        id=table_id, data=rows, columns=[{"id": k, "name": n} for k, n in columns],
        page_size=15, sort_action="native", style_as_list_view=True,
        style_table={"overflowX": "auto"},
        style_cell={"fontSize": "0.85rem", "textAlign": "left", "padding": "4px 8px",
                    "whiteSpace": "normal", "height": "auto"},
        style_header={"fontWeight": "600"},
        style_data_conditional=[
            {"if": {"filter_query": '{result} = "NOK"', "column_id": "result"},
             "color": RESULT_COLORS["NOK"], "fontWeight": "600"},
            {"if": {"filter_query": '{result} = "out of spec"', "column_id": "result"},
             "color": RESULT_COLORS["NOK"], "fontWeight": "600"}])


def make_features(found: PartTrace) -> dash_table.DataTable:
    """Every feature of every curve of the part."""
    rows = [{"process": f["process"], "station": c.meta["station"], "feature": f["feature"],
             "value": round(float(f["value"]), 4), "unit": f["unit"]}
            for c in found.curves for f in c.features]
    return _table(Trace.features, rows, [("process", "Process"), ("station", "Station"),
                                         ("feature", "Feature"), ("value", "Value"),
                                         ("unit", "Unit")])


def make_timeline(found: PartTrace) -> dash_table.DataTable:
    """Curves, results, readings and alerts in time order."""
    rows = [{"ts": str(e["ts"])[:19].replace("T", " "), "kind": e["kind"], "what": e["what"],
             "result": e["result"]} for e in found.events]
    return _table(Trace.timeline, rows, [("ts", "Time (UTC)"), ("kind", "Kind"),
                                         ("what", "What"), ("result", "Result")])


def make_record(found: PartTrace) -> html.Div:
    """The whole record of a part."""
    return html.Div([
        make_summary(found), make_charts(found),
        dbc.Row([
            dbc.Col(dbc.Card([dbc.CardHeader("Time line"), dbc.CardBody(make_timeline(found))],
                             className="shadow-sm mb-3"), lg=7),
            dbc.Col(dbc.Card([dbc.CardHeader("Features"), dbc.CardBody(make_features(found))],
                             className="shadow-sm mb-3"), lg=5),
        ]),
    ])
