"""Factories for the projects list, the project overview and its assets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.ids.project_detail import (
    ProjectEdit,
    ProjectReport,
    project_action,
    project_asset_action,
    project_rename_open,
    project_report_asset,
)
from services.projects.project_store import STATUS_COLORS, AssetView, ProjectView
from services.projects.reports import ReportJobView

ASSET_ICONS = {"dashboard": "bi-speedometer2", "chart": "bi-graph-up", "alert": "bi-bell",
               "report": "bi-file-earmark-pdf"}
ACTION_BUTTONS = {"active": ("pause", "complete", "archive"), "paused": ("resume", "complete",
                  "archive"), "error": ("resume", "pause", "archive"),
                  "completed": ("archive",), "archived": ()}


def status_badge(status: str) -> dbc.Badge:
    """The coloured status badge of a project."""
    return dbc.Badge(status, color=STATUS_COLORS.get(status, "secondary"),
                     className="project-status text-capitalize")


def make_project_cards(items: Sequence[ProjectView], *, cluster_id: int) -> html.Div:
    """One card per project, linking to its overview."""
    cards = [dbc.Col(dbc.Card(dbc.CardBody([
        html.Div([html.A(p.name, href=f"/clusters/{cluster_id}/projects/{p.id}",
                         className="h6 mb-0 stretched-link text-decoration-none"),
                  status_badge(p.status)], className="d-flex justify-content-between"),
        html.Div(p.type_name, className="small text-body-secondary mb-2"),
        html.Div([html.Span([html.I(className=f"bi {ASSET_ICONS[k]} me-1"),
                             str(p.asset_counts.get(k, 0))], className="me-3 small")
                  for k in ASSET_ICONS]),
    ]), className="shadow-sm h-100 project-card"), md=6, lg=4, className="mb-3")
        for p in items]
    return html.Div(dbc.Row(cards))


def make_project_header(view: ProjectView, *, can_edit: bool) -> html.Div:
    """Name, template, status and the lifecycle buttons an editor may press."""
    buttons = [dbc.Button(a.capitalize(), id=project_action(a), size="sm",
                          color="outline-secondary", className="ms-2")
               for a in ACTION_BUTTONS.get(view.status, ())] if can_edit else []
    if can_edit and view.status not in ("completed", "archived"):
        buttons.insert(0, dbc.Button([html.I(className="bi bi-file-earmark-pdf me-1"),
                                      "PDF report"], id=ProjectReport.start, size="sm",
                                     color="primary"))
    if can_edit:
        buttons.insert(0, dbc.Button([html.I(className="bi bi-pencil me-1"), "Edit"],
                                     id=ProjectEdit.open, size="sm", color="outline-secondary",
                                     className="me-2"))
    return html.Div([
        html.Div([html.H1([view.name, " ", html.Span(status_badge(view.status),
                                                     className="fs-6 align-middle")],
                          className="h3 mb-1"),
                  html.P(f"{view.type_name} · {view.description or 'No description'}",
                         className="text-body-secondary mb-0")]),
        html.Div(buttons),
    ], className="d-flex justify-content-between align-items-end mb-4")


def _asset_link(name: str, url: str) -> Any:
    """A page of the app opens in place (no page load); a download is a plain link."""
    if url.startswith("/api/"):
        return html.A(name, href=url, className="text-decoration-none")
    return dcc.Link(name, href=url, className="text-decoration-none")


def make_asset_table(items: Sequence[AssetView], *, can_edit: bool) -> Component:
    """The project's assets: open as saved; duplicate and delete for editors."""
    if not items:
        return html.P("No assets yet. Save a chart from the curve explorer or a dashboard with "
                      "“Save to project”.", className="text-body-secondary")
    rows = []
    for a in items:
        note = (" · not generated yet" if a.asset_type == "report" else
                f" · alert rule #{a.config.get('rule_id', '?')}")
        link = (_asset_link(a.name, a.url) if a.url else html.Span([a.name, html.Span(note,
                                                           className="text-body-secondary")]))
        tools = ([dbc.Button(html.I(className="bi bi-file-earmark-pdf"),
                             id=project_report_asset(a.id), size="sm", color="link",
                             title="PDF report of this chart")]
                 if can_edit and a.asset_type == "chart" else [])
        tools += [dbc.Button(html.I(className="bi bi-pencil"), id=project_rename_open(a.id),
                             size="sm", color="link", title="Rename"),
                  dbc.Button(html.I(className="bi bi-copy"), id=project_asset_action("copy", a.id),
                            size="sm", color="link", title="Duplicate"),
                 dbc.Button(html.I(className="bi bi-trash"),
                            id=project_asset_action("delete", a.id), size="sm",
                            color="link", className="text-danger", title="Delete")
                  ] if can_edit else []
        rows.append(html.Tr([html.Td(html.I(className=f"bi {ASSET_ICONS[a.asset_type]}")),
                             html.Td(link), html.Td(a.asset_type.capitalize()),
                             html.Td(a.updated_at.strftime("%Y-%m-%d %H:%M")),
                             html.Td(tools, className="text-end")]))
    return dbc.Table([html.Thead(html.Tr([html.Th(""), html.Th("Name"), html.Th("Type"),
                                          html.Th("Updated (UTC)"), html.Th("")])),
                      html.Tbody(rows)], hover=True, size="sm", className="align-middle")


def make_activity(items: Sequence[tuple[datetime, str, str]]) -> Component:
    """The project's latest activity from the audit log."""
    if not items:
        return html.P("Nothing yet.", className="text-body-secondary")
    return html.Ul([html.Li([html.Div(at.strftime("%Y-%m-%d %H:%M UTC"),
                                      className="text-body-secondary"),
                             html.Strong(who or "system", className="me-1"), what],
                            className="small mb-2") for at, who, what in items],
                   className="list-unstyled mb-0")


def make_report_job(job: ReportJobView) -> dbc.Alert:
    """A report's progress, or the link to it when it is ready."""
    if job.status == "done":
        return dbc.Alert([html.I(className="bi bi-check-circle me-2"), job.message, " ",
                          "It is listed under Assets."], color="success",
                         id="project-report-done")
    if job.status == "failed":
        return dbc.Alert(job.message, color="danger")
    percent = round(job.progress * 100)
    return dbc.Alert([html.Div(f"Generating “{job.title}”…", className="mb-2"),
                      dbc.Progress(value=percent, label=f"{percent} %", striped=True,
                                   animated=True)], color="light")
