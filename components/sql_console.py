"""Factories for the SQL console page: schema panel, result table, pager, history (no I/O)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.formatting import human_bytes, human_count
from components.ids.sql_console import sql_history_item, sql_schema_name
from services.clusters.connection import quoted_name
from services.gateway.console import HistoryItem, ResultPage, RunResult

#: Columns shown per table in the side panel (the rest are named by a count).
SHOWN_COLUMNS = 60
OUTCOME_BADGES = {"ok": ("ok", "success"), "refused": ("refused", "warning"),
                  "failed": ("failed", "danger")}


def make_role_note(role: str) -> html.Div:
    """What the member's role lets them run here."""
    writes = role in ("editor", "admin")
    text = ("read-only queries and INSERT into this cluster's tables" if writes
            else "read-only queries (SELECT, WITH); inserting needs the editor role")
    return html.Div([html.I(className="bi bi-shield-lock me-1"), f"You are {role}: ", text,
                     "."], className="small text-body-secondary")


def make_schema(tables: list[Any]) -> Any:
    """The cluster's tables, each opening to its columns; a click inserts the name."""
    if not tables:
        return html.P("This cluster has no tables yet.", className="text-muted small")
    items = []
    for table in tables:
        columns = [html.Li([_name_button(table.name, column),
                            html.Span(kind, className="sql-type text-body-secondary ms-1")],
                           className="text-truncate")
                   for column, kind in table.columns[:SHOWN_COLUMNS]]
        if len(table.columns) > SHOWN_COLUMNS:
            columns.append(html.Li(f"… {len(table.columns) - SHOWN_COLUMNS} more columns",
                                   className="text-muted"))
        items.append(html.Details([
            html.Summary([html.I(className="bi bi-table me-1"),
                          _name_button(table.name, "", strong=True),
                          html.Span(f" {len(table.columns)}", className="text-muted small")]),
            html.Ul(columns, className="list-unstyled ps-3 mb-1"),
        ], className="mb-1"))
    return html.Div(items)


def _name_button(table: str, column: str, *, strong: bool = False) -> html.Button:
    name = quoted_name(column or table)
    return html.Button(html.Strong(column or table) if strong else column or table,
                       id=sql_schema_name(table, name), n_clicks=0,
                       className="btn btn-link p-0 align-baseline",
                       title=f"Insert {name} into the editor")


def make_summary(result: RunResult | dict[str, Any]) -> html.Div:
    """Rows, time and rows read of the last run (or the rows an INSERT wrote)."""
    r = result if isinstance(result, dict) else result.as_json()
    stats = [f"{r['elapsed_ms']:,.1f} ms", f"{human_count(r['rows_read'])} rows read",
             f"{human_bytes(r['bytes_read'])} read"]
    if r["kind"] == "insert":
        written = (f"Inserted {r['rows_written']:,} rows." if r["rows_written"]
                   else "Inserted.")
        return html.Div([html.I(className="bi bi-check-circle-fill text-success me-1"),
                         html.Strong(written), " · ", " · ".join(stats)],
                        className="small mb-2")
    rows = f"{r['total_rows']:,} rows" + (" (the first ones; the console holds at most "
                                          f"{r['total_rows']:,})" if r["truncated"] else "")
    return html.Div([html.Strong(rows), " · ", " · ".join(stats)], className="small mb-2")


def make_result_table(page: ResultPage) -> Any:
    """One page of the result as a table; NULL shown as such."""
    if not page.columns:
        return html.P("The statement returned no columns.", className="text-muted small")
    head = html.Thead(html.Tr([html.Th([name, html.Div(kind, className="sql-type fw-normal "
                                                                        "text-body-secondary")])
                               for name, kind in zip(page.columns, page.types, strict=True)]))
    body = html.Tbody([html.Tr([html.Td(html.Span("NULL", className="sql-null")
                                        if value is None else value) for value in row])
                       for row in page.rows])
    if not page.rows:
        body = html.Tbody(html.Tr(html.Td("No rows.", colSpan=len(page.columns),
                                          className="text-muted")))
    return html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                              className="sql-result-table mb-2"), className="sql-result-wrap")


def page_label(page: ResultPage) -> str:
    """``Rows 26–50 of 95 · page 2 of 4``."""
    if not page.total_rows:
        return "No rows"
    first = page.page * page.page_size + 1
    last = min(page.total_rows, first + page.page_size - 1)
    return f"Rows {first:,}–{last:,} of {page.total_rows:,} · page {page.page + 1} of {page.pages}"


def make_history(items: list[HistoryItem]) -> Any:
    """The member's statements on this cluster, newest first; a click loads one."""
    if not items:
        return html.P("Statements you run appear here.", className="text-muted small")
    return html.Div([html.Button([
        html.Div([html.Span(item.ran_at.replace("T", " ")[:19], className="text-muted me-2"),
                  dbc.Badge(OUTCOME_BADGES.get(item.outcome, (item.outcome, "secondary"))[0],
                            color=OUTCOME_BADGES.get(item.outcome, ("", "secondary"))[1],
                            className="me-2"),
                  html.Span(f"{item.rows:,} rows · {item.elapsed_ms:,} ms"
                            if item.outcome == "ok" else "", className="text-muted")],
                 className="mb-1"),
        html.Div(item.sql if len(item.sql) <= 300 else item.sql[:300] + " …",
                 className="text-truncate"),
    ], id=sql_history_item(item.id), n_clicks=0, title=item.sql[:2000],
        className="list-group-item list-group-item-action")
        for item in items], className="list-group sql-history")
