"""The explorer's export of every filtered curve: format, start button, progress, link."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.explorer import ExplorerExport

FORMAT_OPTIONS = [{"label": "CSV", "value": "csv"}, {"label": "Parquet", "value": "parquet"},
                  {"label": "Arrow stream", "value": "arrow"}]


def make_whole_set_export() -> html.Div:
    """Start an export of the whole filtered set; its progress; the file when ready."""
    return html.Div([
        html.H3("Every filtered curve", className="h6 mt-3 mb-1"),
        html.P("All samples of every curve the filters match, written on the server; large "
               "sets take a while.", className="small text-body-secondary mb-2"),
        dbc.InputGroup([
            dbc.Select(id=ExplorerExport.format, options=FORMAT_OPTIONS, value="csv"),
            dbc.Button([html.I(className="bi bi-download me-1"), "Export all"],
                       id=ExplorerExport.start, color="primary", outline=True),
        ], size="sm", className="mb-2", style={"maxWidth": "22rem"}),
        dbc.Progress(id=ExplorerExport.progress, value=0, label="", striped=True,
                     animated=True, className="mb-2 d-none", style={"height": "1.1rem"}),
        html.Div(id=ExplorerExport.status, className="small"),
        dcc.Store(id=ExplorerExport.job),
        dcc.Interval(id=ExplorerExport.poll, interval=700, disabled=True),
    ], id="explorer-export-all")


def progress_text(found: dict[str, Any]) -> str:
    """``42 % of 1,234 curves (5,678,900 samples)``, or that the curves are being counted."""
    if found["state"] == "running" and not found["n_curves"]:
        return "Counting the filtered curves…"
    return (f"{found['percent']} % of {found['n_curves']:,} curves "
            f"({found['n_samples']:,} samples)")


def make_ready(found: dict[str, Any], href: str) -> html.Div:
    """The link to the finished file."""
    return html.Div([
        html.Span(f"Ready: {found['n_curves']:,} curves, {found['n_samples']:,} samples. ",
                  className="me-2"),
        html.A([html.I(className="bi bi-file-earmark-arrow-down me-1"), found["filename"]],
               href=href, className="btn btn-sm btn-primary", id="explorer-export-all-link"),
    ])
