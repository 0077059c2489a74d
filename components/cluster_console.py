"""Factories for the cluster console sections (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from dash.development.base_component import Component

from components.clusters import ENDED, STATUS_COLORS, TYPE_LABELS
from components.formatting import human_bytes, human_count, when
from components.ids.cluster_detail import ClusterDetail, cluster_edit_field, connection_snippet
from lyceum.clock import utcnow
from services.clusters.connection import SECRET_VARIABLE, Snippet
from services.clusters.console_view import ConsoleView
from services.clusters.credentials import PendingSecret

CHECK_ICONS = {"ok": ("bi-check-circle-fill", "text-success"),
               "warn": ("bi-exclamation-triangle-fill", "text-warning"),
               "bad": ("bi-x-octagon-fill", "text-danger")}
STEP_ICONS = {"done": "bi-check-circle-fill text-success", "running": "bi-arrow-repeat text-info",
              "failed": "bi-x-octagon-fill text-danger", "pending": "bi-circle text-muted",
              "rolled_back": "bi-arrow-counterclockwise text-secondary",
              "skipped": "bi-dash-circle text-muted"}


def make_header(view: ConsoleView) -> html.Div:
    """Name, status, type, database and the user's role."""
    c = view.cluster
    return html.Div([
        html.Div([
            html.H1(c.name, className="h3 mb-1", id="cluster-name-heading"),
            html.Div([html.Code(c.database_name, className="me-2"),
                      html.Span(TYPE_LABELS.get(c.cluster_type, c.cluster_type),
                                className="text-body-secondary")]),
        ]),
        html.Div([dbc.Badge(c.status, color=STATUS_COLORS.get(c.status, "secondary"),
                            className="me-1 fs-6", id="cluster-status-badge"),
                  dbc.Badge(f"you: {view.role}", color="light", text_color="dark")]),
    ], className="d-flex flex-wrap justify-content-between align-items-end gap-2 mb-3")


#: How long an ended operation's outcome stays on the console.
OUTCOME_SHOWN_S = 600


def make_operation(view: ConsoleView, *, now: datetime | None = None) -> Any:
    """A running operation with its progress bar; an ended one's outcome for a while."""
    op = view.operation
    if op is None:
        return None
    if op.running:
        return dbc.Alert([
            html.Div([html.Strong(f"{op.label} running"),
                      html.Span(f" · {op.summary} · started by {op.actor_label}",
                                className="small")], className="mb-2"),
            dbc.Progress(value=op.percent, label=f"{op.percent} %", striped=True,
                         animated=True, color="info", id="cluster-operation-bar"),
        ], color="info", id="cluster-operation", className="mb-4")
    ended = op.finished_at or op.started_at
    if ((now or utcnow()) - ended).total_seconds() > OUTCOME_SHOWN_S:
        return None
    color = "success" if op.state == "done" else "danger"
    title = f"{op.label} {'done' if op.state == 'done' else op.state}: "
    return dbc.Alert([html.Strong(title), op.message], color=color, id="cluster-operation",
                     className="mb-4 py-2 small")


def make_progress(view: ConsoleView) -> Any:
    """The provisioning steps with a progress bar (or the failure and its reason), and the
    cluster's long operation (see :func:`make_operation`)."""
    c, progress = view.cluster, view.cluster.progress or {}
    steps = progress.get("steps") or []
    if c.status not in ("provisioning", "failed"):
        return make_operation(view)
    items = [html.Li([html.I(className=f"bi {STEP_ICONS.get(s.get('state'), 'bi-circle')} me-2"),
                      s.get("label", s.get("key")),
                      html.Span(f" {s['seconds']:.2f} s" if s.get("seconds") else "",
                                className="text-muted small")],
                     className="list-unstyled mb-1") for s in steps]
    failed = c.status == "failed"
    body = [
        dbc.Progress(value=int(progress.get("percent", 0)), label=f"{progress.get('percent', 0)} %",
                     color="danger" if failed else "info", striped=not failed,
                     animated=c.status == "provisioning", className="mb-3",
                     id="cluster-progress-bar"),
        html.Ul(items, className="ps-0 mb-0"),
    ]
    if failed:
        body.insert(0, dbc.Alert([html.Strong("Provisioning failed and was rolled back. "),
                                  c.status_reason], color="danger", id="cluster-failed-alert"))
    return dbc.Card(dbc.CardBody([html.H2("Provisioning", className="h6 text-uppercase "
                                          "text-body-secondary mb-3"), *body]),
                    className="shadow-sm mb-4")


def secret_identity(pending: PendingSecret | None) -> str:
    """Which waiting secret this is (its purpose and time, never the secret itself)."""
    return f"{pending.purpose}@{pending.created_at.isoformat()}" if pending else ""


def make_secret(pending: PendingSecret | None) -> Any:
    """The credential's new secret while it waits to be saved: shown on every refresh until
    an admin confirms they saved it (or it expires), with a copy button."""
    if pending is None:
        return None
    what = "rotated credential" if pending.purpose == "rotation" else "new cluster's credential"
    return dbc.Alert([
        html.H2("Save this secret now", className="h6"),
        html.P([f"The secret of the {what} ", html.Code(pending.username), " is shown until "
                "you confirm you saved it, and erased by ", when(pending.expires_at),
                " at the latest. The app keeps only a hash of it; if it is lost, rotate the "
                "credential."]),
        html.Div([html.Code(pending.secret, id="cluster-secret-value",
                            className="fs-6 me-2 text-break"),
                  dcc.Clipboard(target_id="cluster-secret-value", title="Copy",
                                className="btn btn-sm btn-outline-dark")],
                 className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        dbc.Button("I have saved it", id=ClusterDetail.secret_saved, color="dark", size="sm"),
    ], color="warning", id="cluster-secret-alert")


def _rows(rows: list[tuple[str, Any]]) -> dbc.Table:
    return dbc.Table(html.Tbody([html.Tr([html.Th(k, className="fw-normal text-body-secondary"),
                                          html.Td(v)]) for k, v in rows]),
                     size="sm", borderless=True, className="mb-0")


def _noted(value: str, note: str | None) -> Any:
    if not note:
        return value
    return html.Span([value, html.Div(note, className="small text-warning-emphasis")])


def make_config(view: ConsoleView) -> dbc.Table:
    """Resources, tiers, retention and limits, with what is only recorded said plainly."""
    c, n = view.cluster, view.notes
    r, s = c.retention or {}, c.storage or {}
    delete = r.get("delete_after_days")
    return _rows([
        ("Region", _noted(c.region_code, n.get("region_code"))),
        ("Nodes", _noted(str(c.nodes), n.get("nodes"))),
        ("vCPU per node", _noted(str(c.vcpu_per_node), n.get("vcpu_per_node"))),
        ("Memory per node", _noted(f"{c.memory_gb_per_node} GB", n.get("memory_gb_per_node"))),
        ("Tier sizes", _noted(" · ".join(f"{t} {s.get(f'{t}_gb', 0)} GB"
                                         for t in ("hot", "warm", "cold", "archive")),
                              n.get("storage"))),
        ("Retention", " → ".join([  # a number and its unit never break apart (NBSP)
            f"warm after {r.get('warm_after_days')}\u00a0d",
            f"cold after {r.get('cold_after_days')}\u00a0d",
            f"archive after {r.get('archive_after_days')}\u00a0d",
            f"deleted after {delete}\u00a0d" if delete else "kept forever"])),
        ("Query limits", _limits(view)),
        ("Monthly estimate", f"— ({c.status}: it costs nothing now)"
         if c.status in ENDED else f"${c.monthly_estimate:,.2f} (estimate, not a quote)"),
        ("Created", when(c.created_at)),
    ])


def _limit_value(name: str, value: int) -> str:
    if name == "max_memory_usage":
        return human_bytes(value)
    return f"{value:,} s" if name == "max_execution_time" else f"{value:,}"


def _limits(view: ConsoleView) -> Component:
    """What queries get, limit by limit; a capped or unset limit says why beside it."""
    return html.Ul([
        html.Li([html.Code(limit.name), f" {_limit_value(limit.name, limit.applied)}",
                 html.Span(f" — {limit.reason}", className="text-body-secondary small")
                 if limit.reason else None], id=f"cluster-limit-{limit.name}")
        for limit in view.limits], className="list-unstyled mb-0")


def make_connection(view: ConsoleView) -> Component:
    """How to connect: URL, database, user, the secret's whereabouts, client snippets."""
    c, details = view.cluster, view.connection
    link = dcc.Link([html.I(className="bi bi-terminal me-1"), "Open the SQL console"],
                    href=f"/clusters/{c.id}/sql", id=ClusterDetail.sql_link,
                    className="btn btn-sm btn-outline-primary mb-3")
    if details is None or details.endpoint is None:
        reason = details.unavailable if details else "the connection details could not be read"
        return html.Div([html.P(f"No connection: {reason}.", className="text-muted"),
                         link if c.status == "running" else None])
    rotate = "rotate it under Manage" if view.role == "admin" else \
        "the cluster's admins rotate it under Manage"
    secret = ("shown once, to admins, in a yellow box at the top of this page until one "
              f"confirms it was saved; the app keeps only a hash ({rotate})")
    return html.Div([
        html.P(view.credential_text, className="small"),
        _rows([
            ("URL", _copyable(details.endpoint.url, ClusterDetail.connection_url)),
            ("Host · port", html.Code(f"{details.endpoint.host} · {details.endpoint.port}")),
            ("Database", _copyable(details.database, "cluster-database")),
            ("Username", _copyable(details.username, "cluster-username")),
            ("Secret", html.Span([secret, ". Snippets read it from ",
                                  html.Code(f"${SECRET_VARIABLE}"), "."])),
        ]),
        link,
        dbc.Tabs([dbc.Tab(_snippet(s), label=s.label, tab_id=f"snippet-{s.key}")
                  for s in details.snippets], active_tab="snippet-clickhouse-connect",
                 className="small tabs-one-row", id="cluster-snippet-tabs"),
    ])


def _copyable(text: str, component_id: str) -> html.Span:
    return html.Span([html.Code(text, id=component_id),
                      dcc.Clipboard(target_id=component_id, className="ms-2 d-inline",
                                    title="Copy")])


def _snippet(snippet: Snippet) -> html.Div:
    code_id = connection_snippet(snippet.key)
    return html.Div([
        dcc.Clipboard(target_id=code_id, title=f"Copy the {snippet.label} snippet",
                      className="btn btn-sm btn-outline-secondary position-absolute top-0 "
                                "end-0 m-2"),
        html.Pre(html.Code(snippet.code, id=code_id,
                           className=f"language-{snippet.language}"),
                 className="connection-snippet mb-0"),
    ], className="position-relative border border-top-0 rounded-bottom bg-body-tertiary p-2")


def make_usage(view: ConsoleView) -> Component:
    """Rows, bytes and compression per tier, and the trend of bytes on disk."""
    if view.cluster.status != "running":
        return html.P("No usage: the cluster is not running.", className="text-muted")
    head = html.Thead(html.Tr([html.Th(h) for h in ("Tier", "Rows", "On disk", "Ratio",
                                                     "Storage parts")]))
    body = html.Tbody([html.Tr([html.Td(u.tier), html.Td(human_count(u.rows)),
                                html.Td(human_bytes(u.bytes_on_disk)),
                                html.Td(f"{u.compression_ratio:.1f}×" if u.bytes_on_disk
                                        else "—"), html.Td(u.parts)])
                       for u in view.usage])
    trend = dcc.Graph(figure=_trend_figure(view), config={"displayModeBar": False},
                      id=ClusterDetail.trend, style={"height": "220px"}) if view.trend else \
        html.P("No trend yet: the first usage sample is recorded a few minutes after start, "
               "then every 5 minutes.", className="small text-body-secondary mb-0",
               id=ClusterDetail.trend_note)
    return html.Div([dbc.Table([head, body], size="sm", hover=True, id="cluster-usage-table"),
                     trend])


def _trend_figure(view: ConsoleView) -> go.Figure:
    figure = go.Figure()
    for tier in ("hot", "warm", "cold", "archive"):
        points = [p for p in view.trend if p.tier == tier]
        figure.add_scatter(x=[p.sampled_at for p in points],
                           y=[p.bytes_on_disk for p in points], name=tier, mode="lines+markers",
                           stackgroup="usage")
    figure.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 30}, yaxis_title="bytes",
                         legend={"orientation": "h", "y": -0.25}, template="plotly_white")
    return figure


def make_health(view: ConsoleView) -> Component:
    """The 0–1 score, each check, and what to do about problems."""
    h = view.health
    if h is None:
        return html.P("No health figures: the cluster is not running.", className="text-muted")
    checks = []
    for check in h.checks:
        icon, color = CHECK_ICONS.get(check.status, ("bi-question-circle", "text-muted"))
        checks.append(html.Li([html.I(className=f"bi {icon} {color} me-2"),
                               html.Strong(check.label + ": "), check.summary],
                              className="mb-1"))
    advice = h.recommendations
    return html.Div([
        html.Div([html.Span(f"{h.score:.2f}", className="display-6 me-2",
                            id="cluster-health-score"),
                  html.Span(h.status, className="text-body-secondary")],
                 className="mb-2"),
        html.Ul(checks, className="list-unstyled small"),
        html.Div([html.H3("Recommendations", className="h6"),
                  html.Ul([html.Li(a) for a in advice], className="small")]) if advice else
        html.P("Nothing to do.", className="small text-success mb-0"),
    ])


def make_timeline(view: ConsoleView) -> Any:
    """Newest first: events and audited actions on this cluster."""
    if not view.timeline:
        return html.P("Nothing has happened yet.", className="text-muted")
    return html.Ul([html.Li([html.Span(when(e.at), className="text-muted small me-2"),
                             html.Strong(e.kind.replace("_", " ") + " "), e.message,
                             html.Span(f" — {e.actor}", className="text-muted small")
                             if e.actor else None],
                            className="mb-1 small") for e in view.timeline],
                   className="list-unstyled mb-0", id="cluster-events-list")


def _edit(name: str, label: str, value: Any, unit: str) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-0"),
                    dbc.InputGroup([dbc.Input(id=cluster_edit_field(name), type="number",
                                              value=value, min=1, step=1, size="sm"),
                                    dbc.InputGroupText(unit)], size="sm")], xs=6,
                   className="mb-2")


def _busy_note(view: ConsoleView) -> Any:
    """Why the buttons below are disabled while an operation runs."""
    op = view.operation
    if op is None or not op.running:
        return None
    return html.P([html.I(className="bi bi-hourglass-split me-1"),
                   f"{op.label} running ({op.summary}): these buttons come back when it ends."],
                  className="small text-info-emphasis", id=ClusterDetail.manage_busy)


def _running_label(view: ConsoleView, kind: str, idle: str, running: str) -> str:
    op = view.operation
    return running if op is not None and op.running and op.kind == kind else idle


def _rotation(enabled: bool, label: str = "Rotate credential") -> list[Any]:
    return [
        html.H3("Credential", className="h6 mt-3"),
        html.P("Rotating gives the credential a new random secret; the current secret stops "
               "working at once, for every client that uses it.", className="small"),
        dbc.Checkbox(id=ClusterDetail.rotate_confirm, value=False, disabled=not enabled,
                     label="I understand the current secret stops working now.",
                     className="small mb-2"),
        dbc.Button(label, id=ClusterDetail.rotate, color="warning", size="sm",
                   disabled=not enabled, className="mb-2"),
        html.Div(id=ClusterDetail.rotate_alert),
    ]


def make_retired(view: ConsoleView) -> html.Div:
    """A decommissioned cluster's admins: hide it from the overview (or show it again), and
    purge it after typing its name; a purged one says what is left."""
    c, free = view.cluster, not view.busy
    hidden = c.hidden_at is not None
    hide = dbc.Button("Show on the overview" if hidden else "Hide from the overview",
                      id=ClusterDetail.hide, color="outline-secondary", size="sm",
                      disabled=not free, className="mb-2")
    if c.status == "purged":
        return html.Div([html.P("Purged: the engine's data and the cluster's records were "
                                "deleted; the audit log and the team remain.",
                                className="text-muted", id=ClusterDetail.retired_text), hide,
                         html.Div(id=ClusterDetail.hide_alert)])
    return html.Div([
        _busy_note(view),
        # The operation's banner says what was dropped (for a while); this says what now.
        html.P("Decommissioned: hide it from the overview, or purge what remains below.",
               className="text-muted", id=ClusterDetail.retired_text),
        hide, html.Div(id=ClusterDetail.hide_alert),
        html.H3("Purge", className="h6 mt-3 text-danger"),
        html.P(["Deletes what the engine still holds and the cluster's records (projects, "
                "tokens, events, usage, alerts); the audit log is kept. Type ",
                html.Strong(c.name), " to confirm."], className="small"),
        dbc.InputGroup([dbc.Input(id=ClusterDetail.purge_name, placeholder=c.name, size="sm"),
                        dbc.Button(_running_label(view, "purge", "Purge", "Purging…"),
                                   id=ClusterDetail.purge, color="danger", size="sm",
                                   disabled=not free)], size="sm"),
        html.Div(id=ClusterDetail.purge_alert, className="mt-2"),
    ])


def make_manage(view: ConsoleView) -> Any:
    """Admins: edit retention and limits, rotate the credential (ticked to confirm),
    decommission with the typed name."""
    c = view.cluster
    if view.role != "admin":
        return html.P("Only cluster admins can change retention, limits or decommission.",
                      className="text-muted")
    if c.status in ("decommissioned", "purged"):
        return make_retired(view)
    r, q = c.retention or {}, c.query_limits or {}
    running = c.status == "running"
    free = not view.busy
    return html.Div([
        _busy_note(view),
        html.H3("Retention", className="h6"),
        dbc.Row([_edit(k, k.replace("_after_days", "").capitalize() + " after",
                       r.get(k), "days")
                 for k in ("warm_after_days", "cold_after_days", "archive_after_days",
                           "delete_after_days")]),
        dbc.Button(_running_label(view, "retention", "Apply retention", "Applying retention…"),
                   id=ClusterDetail.retention_save, size="sm",
                   disabled=not running or not free, className="mb-2"),
        html.Div(id=ClusterDetail.retention_alert),
        html.H3("Query limits", className="h6 mt-3"),
        dbc.Row([_edit("max_threads", "Threads", q.get("max_threads"), "threads"),
                 _edit("max_memory_gb", "Memory",
                       int(q.get("max_memory_usage", 0)) // 1024**3 or None, "GB"),
                 _edit("max_execution_time_s", "Time", q.get("max_execution_time"), "s")]),
        dbc.Button(_running_label(view, "limits", "Apply limits", "Applying limits…"),
                   id=ClusterDetail.limits_save, size="sm",
                   disabled=not running or not free, className="mb-2"),
        html.Div(id=ClusterDetail.limits_alert),
        *_rotation(running and bool(c.credential_user) and free,
                   _running_label(view, "rotation", "Rotate credential", "Rotating…")),
        html.H3("Decommission", className="h6 mt-3 text-danger"),
        html.P(["Drops the ClickHouse database and all its data. Type ",
                html.Strong(c.name), " to confirm."], className="small"),
        dbc.InputGroup([dbc.Input(id=ClusterDetail.decommission_name, placeholder=c.name,
                                  size="sm"),
                        dbc.Button(_running_label(view, "decommission", "Decommission",
                                                  "Decommissioning…"),
                                   id=ClusterDetail.decommission, color="danger", size="sm",
                                   disabled=not free)], size="sm"),
        html.Div(id=ClusterDetail.decommission_alert, className="mt-2"),
    ])
