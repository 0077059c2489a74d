"""Factories for the data import page: format table, mapping, preview, progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.ids.data_import import import_map
from services.imports.file_format import MAX_UPLOAD_BYTES, columns_for
from services.imports.import_job import JobView

STATUS_COLORS = {"queued": "secondary", "validating": "info", "importing": "primary",
                 "done": "success", "failed": "danger"}


def make_format_table(kind: str, *, cluster_id: int) -> html.Div:
    """The documented columns of ``kind`` and a link to its CSV template. On a phone each
    column reads as a small block (name and "required", its meaning, an example; see
    ``assets/imports.css``): four columns left the meaning ~75 px, one word a line."""
    rows = [html.Tr([html.Td(html.Code(c.name), className="import-format-name"),
                     html.Td("required" if c.required else "",
                             className="import-format-required"),
                     html.Td(c.meaning, className="import-format-meaning"),
                     html.Td(html.Code(c.example) if c.example else "",
                             className="import-format-example")])
            for c in columns_for(kind)]
    return html.Div([
        dbc.Table([html.Thead(html.Tr([html.Th("Column"), html.Th(""), html.Th("Meaning"),
                                       html.Th("Example")])), html.Tbody(rows)],
                  size="sm", responsive=True, className="small import-format"),
        html.A([html.I(className="bi bi-download me-1"), f"Download the {kind} template (CSV)"],
               href=f"/api/v1/clusters/{cluster_id}/imports/template/{kind}.csv",
               id="import-template-link", className="small"),
        html.P([f"CSV (UTF-8, comma-separated, header row) or Parquet, up to "
                f"{MAX_UPLOAD_BYTES // 1_000_000} MB here. Larger files: POST batches to ",
                html.Code(f"/api/v1/clusters/{cluster_id}/ingest"), " with an API token."],
               className="small text-body-secondary mt-2 mb-0"),
    ])


def make_mapping(kind: str, names: Sequence[str], mapping: Mapping[str, str],
                 preview: Sequence[Mapping[str, str]]) -> html.Div:
    """One dropdown per target column, and the file's first rows."""
    options = [{"label": "— not in the file —", "value": ""}] + [
        {"label": n, "value": n} for n in names]
    fields = [dbc.Col([dbc.Label([c.name, html.Span(" *" if c.required else "",
                                                    className="text-danger")],
                                 className="small mb-0"),
                       dcc.Dropdown(id=import_map(c.name), options=options,
                                    value=mapping.get(c.name, ""), clearable=False)],
                      md=3, className="mb-2") for c in columns_for(kind)]
    head = list(names)
    table = dbc.Table([html.Thead(html.Tr([html.Th(n) for n in head])),
                       html.Tbody([html.Tr([html.Td(r.get(n, "")) for n in head])
                                   for r in preview])],
                      size="sm", bordered=True, responsive=True, className="small mb-0")
    return html.Div([html.H3("Column mapping", className="h6"), dbc.Row(fields),
                     html.H3("First rows of the file", className="h6 mt-3"), table])


def make_job(job: JobView) -> html.Div:
    """Progress of an import job, or its result and errors."""
    percent = round(job.progress * 100)
    bar = dbc.Progress(value=percent, label=f"{percent} %", striped=job.status not in
                       ("done", "failed"), animated=job.status not in ("done", "failed"),
                       color=STATUS_COLORS.get(job.status, "secondary"), className="mb-2",
                       id="import-progress-bar")
    errors: list[Any] = []
    if job.errors:
        errors = [dbc.Table([html.Thead(html.Tr([html.Th("Row"), html.Th("Column"),
                                                 html.Th("Problem")])),
                             html.Tbody([html.Tr([html.Td(e["row"]), html.Td(e["column"]),
                                                  html.Td(e["message"])])
                                         for e in job.errors])],
                            size="sm", className="small", id="import-errors-table")]
    return html.Div([
        html.Div([html.Strong(job.file_name), dbc.Badge(job.status, className="ms-2",
                                                        color=STATUS_COLORS.get(job.status),
                                                        id="import-status-badge")],
                 className="mb-2"),
        bar, html.P(job.message, className="small mb-2"), *errors])


def make_history(jobs: Sequence[JobView]) -> Component:
    """The cluster's latest imports."""
    if not jobs:
        return html.P("No imports yet.", className="text-body-secondary small")
    return dbc.Table([html.Tbody([html.Tr([
        html.Td(j.created_at[:16].replace("T", " ")), html.Td(j.file_name),
        html.Td(j.kind), html.Td(dbc.Badge(j.status, color=STATUS_COLORS.get(j.status))),
        html.Td(f"{j.rows:,}" if j.status == "done" else "")]) for j in jobs])],
        size="sm", className="small mb-0")
