"""Component factories of the live dashboard (no I/O): controls, KPI cards, station states,
alerts, and the texts the refresh callbacks put into them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import spc_chart
from components.ids.dashboard import Dashboard, dashboard_ack, dashboard_ack_comment, dashboard_kpi

KPI_CARDS: tuple[tuple[str, str], ...] = (
    ("yield", "Yield"), ("fpy", "First-pass yield"), ("nok", "Defect rate"),
    ("throughput", "Throughput"))
STATE_COLORS = {"running": "success", "stopped": "danger", "changeover": "warning"}
#: The value of the "all lines" / "all stations" choice.
ALL = "all"
SEVERITY_COLORS = {"critical": "danger", "warning": "warning", "info": "info"}


def _select(component_id: str, options: list[tuple[str, str]], value: str,
            label: str) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component_id, className="small mb-0"),
                     dbc.Select(id=component_id, options=[{"label": t, "value": v}
                                                          for v, t in options],
                                value=value, size="sm")], className="me-3")


def options_with_all(values: list[str], label: str) -> list[dict[str, str]]:
    """Select options: "All …" first, then each value as itself."""
    return [{"label": label, "value": ALL}] + [{"label": v, "value": v} for v in values]


def make_controls(*, windows: list[tuple[str, str]], lines: list[str] | tuple[str, ...],
                  stations: list[str] | tuple[str, ...], window: str = "24h", line: str = ALL,
                  station: str = ALL, updated: str = "—", stale: bool = False) -> html.Div:
    """Window, line and station pickers (``window``, ``line``, ``station``: the ones shown
    first); pause switch; last update (``updated``) and stale badge."""
    return html.Div([
        _select(Dashboard.window, windows, window, "Window"),
        _select(Dashboard.line, [(ALL, "All lines")] + [(x, x) for x in lines], line, "Line"),
        _select(Dashboard.station, [(ALL, "All stations")] + [(x, x) for x in stations],
                station, "Station"),
        html.Div([
            dbc.Switch(id=Dashboard.pause, label="Pause", value=False, className="mb-0"),
            html.Span([html.I(className="bi bi-clock me-1"), "updated ",
                       html.Span(updated, id=Dashboard.updated)],
                      className="small text-body-secondary ms-3"),
            dbc.Badge("stale", id=Dashboard.stale, color="warning", text_color="dark",
                      className=stale_class(stale)),
        ], className="d-flex align-items-center ms-auto mt-3"),
    ], className="dashboard-controls d-flex flex-wrap align-items-end mb-3")


def make_kpi_card(key: str, label: str, kpi: Any = None) -> dbc.Col:
    """One KPI: value, delta to the previous window, and a trend line (``kpi``: drawn with
    its values, else empty until the first refresh)."""
    shown = kpi_shown(kpi) if kpi is not None else {
        "value": "—", "delta": "", "delta_class": "small",
        "trend": spc_chart.make_sparkline_src([])}
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="small text-uppercase text-body-secondary"),
        html.Div(shown["value"], id=dashboard_kpi(Dashboard.KPI_VALUE, key),
                 className="kpi-value"),
        html.Div(shown["delta"], id=dashboard_kpi(Dashboard.KPI_DELTA, key),
                 className=shown["delta_class"]),
        html.Img(id=dashboard_kpi(Dashboard.KPI_TREND, key), src=shown["trend"],
                 alt=f"{label} over the window", className="kpi-trend"),
    ]), className="shadow-sm h-100"), md=3, className="mb-3")


def kpi_shown(kpi: Any) -> dict[str, str]:
    """What a KPI card shows of ``kpi``: ``value``, ``delta`` with its ``delta_class``, and
    the ``trend`` image."""
    delta, delta_class = format_delta(kpi)
    return {"value": format_kpi(kpi.value, kpi.unit), "delta": delta,
            "delta_class": delta_class, "trend": spc_chart.make_sparkline_src(kpi.trend)}


def format_parts(parts: int) -> str:
    """The number of parts in the window as shown under the KPI cards."""
    return f"{parts:,}"


def stale_class(stale: bool) -> str:
    """The classes of the "stale" badge: shown when a panel had to serve an older value."""
    return "ms-2" if stale else "ms-2 d-none"


def alerts_signature(found: list[Any]) -> str:
    """What identifies the open alerts as drawn (the list is rebuilt only when it changes,
    so a comment being typed survives the refresh)."""
    return ";".join(f"{a.id}:{a.state}:{len(a.acknowledgements)}" for a in found)


def format_kpi(value: float | None, unit: str) -> str:
    """A KPI value as shown on its card."""
    if value is None:
        return "—"
    return f"{value:.1f} {unit}" if unit != "%" else f"{value:.1f} %"


def format_delta(kpi: Any) -> tuple[str, str]:
    """The delta text and its colour class (green when better, red when worse)."""
    delta = kpi.delta
    if delta is None:
        return "no previous data", "small text-body-secondary"
    if abs(delta) < 0.05:
        return "± 0 vs previous window", "small text-body-secondary"
    better = (delta > 0) == kpi.higher_is_better
    arrow = "▲" if delta > 0 else "▼"
    unit = " pts" if kpi.unit == "%" else f" {kpi.unit}"
    return (f"{arrow} {abs(delta):.1f}{unit} vs previous window",
            "small " + ("text-success" if better else "text-danger"))


def make_status(states: list[Any]) -> Any:
    """A compact table: each station's state, since when, and why."""
    if not states:
        return html.P("No production events yet.", className="text-body-secondary small")
    rows = [html.Tr([
        html.Td([html.Div(f"{s.line} · {s.station}", className="text-nowrap"),
                 html.Div(s.reason, className="text-body-secondary") if s.reason else None]),
        html.Td(dbc.Badge(s.state, color=STATE_COLORS.get(s.state, "secondary"))),
        html.Td(_duration(s.minutes), className="text-nowrap text-end")]) for s in states]
    head = html.Thead(html.Tr([html.Th("Station"), html.Th("State"),
                               html.Th("For", className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0 small",
                     hover=True)


def _duration(minutes: float) -> str:
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def make_alerts(found: list[Any], *, can_ack: bool) -> Any:
    """Open alerts: severity, message, link to the curves, and (editors) acknowledge."""
    if not found:
        return html.P([html.I(className="bi bi-check-circle me-1"), "No open alerts."],
                      className="text-body-secondary small mb-0")
    return html.Div([_alert(a, can_ack=can_ack) for a in found])


def _alert(a: Any, *, can_ack: bool) -> html.Div:
    link = (dcc.Link([html.I(className="bi bi-graph-up me-1"),
                      f"Open {a.curve_count} curve{'' if a.curve_count == 1 else 's'} "
                      "in the explorer"], href=a.explorer,
                     className="small") if a.explorer else None)
    acks = [html.Div(f"Acknowledged by {k['by']}: {k['comment']}", className="small fst-italic")
            for k in a.acknowledgements]
    ack = (dbc.InputGroup([
        # A redraw of the list (another alert changed) keeps what is being typed here:
        # Dash reapplies a value the person typed to the redrawn input of the same id.
        dbc.Input(id=dashboard_ack_comment(a.id), placeholder="Comment (required)",
                  size="sm", maxLength=2000, persistence=True, persistence_type="memory"),
        dbc.Button("Acknowledge", id=dashboard_ack(a.id), size="sm", color="outline-primary"),
    ], size="sm", className="mt-2") if can_ack and a.state == "firing" else None)
    return html.Div([
        html.Div([dbc.Badge(a.severity, color=SEVERITY_COLORS.get(a.severity, "secondary"),
                            className="me-2"),
                  dbc.Badge(a.state, color="light", text_color="dark", className="me-2"),
                  html.Strong(a.rule), html.Span(f" · {a.subject}", className="small")]),
        html.Div(a.message, className="small"),
        html.Div(f"since {_clock(a.fired_at)}", className="small text-body-secondary"),
        link, *acks, ack,
    ], className="dashboard-alert border-start border-3 ps-2 mb-3", **{"data-alert": a.id})


def _clock(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d %b %H:%M UTC")


def clock(timestamp: float) -> str:
    """hh:mm:ss (UTC) of a Unix time."""
    return datetime.utcfromtimestamp(timestamp).strftime("%H:%M:%S UTC")


def make_feed_switch(*, enabled: bool, is_admin: bool) -> Any:
    """The demo-feed label, with its switch for admins."""
    label = html.Span([html.I(className="bi bi-broadcast me-1"), "demo feed"],
                      className="badge text-bg-info me-2")
    if not is_admin:
        return html.Div([label, html.Span("on" if enabled else "off", className="small")])
    return html.Div([label, dbc.Switch(id=Dashboard.feed, value=enabled,
                                       label="inserting parts", className="mb-0")],
                    className="d-flex align-items-center")


def make_defect_legend() -> html.Div:
    """The defect bars' legend: a swatch and the name of each window, wrapping with the card
    (plotly's own legend took a second row over a phone's narrow plot)."""
    return html.Div([html.Span([html.Span(className="dashboard-swatch me-1",
                                          style={"backgroundColor": colour}), name],
                               className="me-3 text-nowrap")
                     for name, colour in spc_chart.DEFECT_WINDOWS],
                    className="small text-body-secondary mb-1", id=Dashboard.defects_legend)


def make_card(title: str, body: Any, *, extra: Any = None) -> dbc.Card:
    """A titled card around one panel."""
    return dbc.Card(dbc.CardBody([
        html.Div([html.H2(title, className="h6 text-uppercase text-body-secondary mb-2"),
                  extra], className="d-flex justify-content-between align-items-start"),
        body]), className="shadow-sm h-100")


#: The classes of a "computing" badge while its job runs, and while it does not.
COMPUTING_ON, COMPUTING_OFF = "dashboard-computing", "dashboard-computing d-none"


def make_computing_badge(component_id: str) -> dbc.Badge:
    """A small "computing" badge for a panel's background job (hidden until it runs)."""
    return dbc.Badge([dbc.Spinner(size="sm", spinner_class_name="me-1 dashboard-spinner"),
                      "computing"], id=component_id, color="light", text_color="secondary",
                     className=COMPUTING_OFF)
