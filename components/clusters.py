"""Factories for cluster cards and engine tables (no I/O)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.formatting import human_bytes, human_count, percent, when
from services.clusters.engine import EngineStatus
from services.clusters.listing import ClusterRow
from services.clusters.overview import ClusterCard

STATUS_COLORS = {"running": "success", "provisioning": "info", "failed": "danger",
                 "decommissioned": "secondary", "purged": "dark"}
#: Statuses of clusters that cost nothing any more (no monthly estimate is shown).
ENDED = ("decommissioned", "purged")


#: Where a running cluster's card leads.
CARD_LINKS = (("Curve explorer", "/clusters/{id}/explorer", "bi-activity"),
              ("Live quality", "/clusters/{id}/dashboard", "bi-speedometer2"),
              ("Console", "/clusters/{id}", "bi-sliders"))


def _figure(label: str, value: str | Component, hint: str | None = None) -> html.Div:
    return html.Div([
        html.Div(label, className="small text-body-secondary"),
        html.Div(value, className="fs-5 fw-semibold"),
        html.Div(hint, className="small text-body-tertiary") if hint else None,
    ], className="figure-cell")


def make_cluster_card(card: ClusterCard) -> dbc.Card:
    """One cluster: name, status, role, and its figures (or why there are none)."""
    header = html.Div([
        html.Div([
            html.H2(dcc.Link(card.name, href=f"/clusters/{card.id}",
                             className="text-reset text-decoration-none"), className="h5 mb-0"),
            html.Code(card.database_name, className="small"),
        ]),
        html.Div([
            dbc.Badge("demo data", color="warning", text_color="dark", className="me-1")
            if card.is_demo else None,
            dbc.Badge(card.status, color=STATUS_COLORS.get(card.status, "secondary"),
                      className="me-1"),
            dbc.Badge(f"you: {card.role}", color="light", text_color="dark"),
        ]),
    ], className="d-flex justify-content-between align-items-start mb-3")
    if card.stats_error:
        body: object = dbc.Alert(card.stats_error, color="warning", className="mb-0 py-2")
    elif card.stats is None:
        body = html.P(f"No figures while the cluster is {card.status}.",
                      className="text-body-secondary mb-0")
    else:
        s = card.stats
        body = html.Div([
            _figure("Parts, last 24 h", human_count(s.parts_24h)),
            _figure("Yield, last 24 h", percent(card.yield_24h),
                    None if s.parts_24h else "no parts in the last 24 h"),
            _figure("Parts in total", human_count(s.parts_total),
                    f"latest {when(s.latest_part_at)}"),
            _figure("Curves", human_count(s.curves_total),
                    f"{human_count(s.samples_total)} points"),
            _figure("On disk", human_bytes(s.bytes_on_disk)),
        ], className="figure-grid")
    links = html.Div([
        dbc.Button([html.I(className=f"bi {icon} me-1"), label], href=href.format(id=card.id),
                   size="sm", color="light", className="me-2")
        for label, href, icon in CARD_LINKS], className="mt-3") \
        if card.status == "running" else None
    return dbc.Card(dbc.CardBody([header, body, links]), className="mb-3 shadow-sm",
                    id=f"overview-cluster-{card.id}-card")


def make_volume_table(status: EngineStatus) -> html.Div:
    """The storage policies and the disk behind each volume."""
    rows = [html.Tr([html.Td(v.policy), html.Td(v.volume), html.Td(v.disk),
                     html.Td(html.Code(v.path, className="small")),
                     html.Td(human_bytes(v.free_bytes)), html.Td(human_bytes(v.total_bytes))])
            for v in status.volumes]
    head = html.Thead(html.Tr([html.Th(h) for h in
                               ("Policy", "Volume", "Disk", "Path", "Free", "Total")]))
    return html.Div([html.H2("Storage volumes", className="h5 mt-4"),
                     dbc.Table([head, html.Tbody(rows)], size="sm", hover=True,
                               responsive=True, id="engine-volumes-table")])


def make_database_table(status: EngineStatus) -> html.Div:
    """Databases with their size on disk and row count."""
    rows = [html.Tr([html.Td(html.Code(name)), html.Td(human_bytes(size)),
                     html.Td(human_count(count))])
            for name, (size, count) in status.databases.items()]
    head = html.Thead(html.Tr([html.Th("Database"), html.Th("On disk"), html.Th("Rows")]))
    body = (dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True)
            if rows else html.P("No databases hold data yet.", className="text-body-secondary"))
    return html.Div([html.H2("Databases", className="h5 mt-4"), body])


def make_engine_summary(status: EngineStatus) -> dbc.Card:
    """Mode, version and address of the engine."""
    return dbc.Card(dbc.CardBody(html.Div([
        _figure("Mode", status.mode),
        _figure("Version", status.version),
        _figure("Address", html.Code(status.dsn_label, className="small fw-normal")),
    ], className="figure-grid")), className="shadow-sm")


TYPE_LABELS = {"development": "Development", "manufacturing": "Manufacturing analytics",
               "production": "Production"}
#: "Any" is a value of its own: a select whose value is "" shows its hidden placeholder
#: option (blank), not the option that has that value.
ANY = "any"
STATUS_OPTIONS = [{"label": "Any status", "value": ANY}] + [
    {"label": s.capitalize(), "value": s}
    for s in ("provisioning", "running", "failed", "decommissioned", "purged")]
TYPE_OPTIONS = [{"label": "Any type", "value": ANY}] + [
    {"label": label, "value": kind} for kind, label in TYPE_LABELS.items()]


def filter_value(chosen: str | None) -> str:
    """A list filter's value as the listing takes it ("" for any)."""
    return "" if chosen in (None, ANY) else chosen


HEALTH_COLORS = {"ok": "success", "healthy": "success", "warn": "warning", "degraded": "warning",
                 "bad": "danger", "unhealthy": "danger"}


def make_cluster_table(rows: list[ClusterRow]) -> dbc.Table:
    """The cluster list: one row per cluster, the name linking to its console."""
    head = html.Thead(html.Tr([html.Th(h) for h in (
        "Name", "Type", "Status", "Health", "Size", "Monthly estimate", "Your role")]))
    body = []
    for row in rows:
        health = (dbc.Badge(f"{row.health_score:.2f} {row.health_status}",
                            color=HEALTH_COLORS.get(row.health_status, "secondary"))
                  if row.health_score is not None else html.Span("—", className="text-muted"))
        body.append(html.Tr([
            html.Td([dcc.Link(row.name, href=f"/clusters/{row.id}", className="fw-semibold"),
                     html.Div(html.Code(row.database_name, className="small"))]),
            html.Td(TYPE_LABELS.get(row.cluster_type, row.cluster_type)),
            html.Td([dbc.Badge(row.status, color=STATUS_COLORS.get(row.status, "secondary")),
                     html.Div(row.status_reason, className="small text-danger")
                     if row.status == "failed" else None]),
            html.Td(health),
            html.Td([human_bytes(row.bytes_on_disk),
                     html.Div(f"{human_count(row.rows)} rows", className="small text-muted")]),
            html.Td("—" if row.status in ENDED else f"${row.monthly_estimate:,.2f}"),
            html.Td(dbc.Badge(row.role, color="light", text_color="dark")),
        ], id=f"clusters-row-{row.id}"))
    return dbc.Table([head, html.Tbody(body)], hover=True, responsive=True,
                     className="bg-body align-middle", id="clusters-list-table")
