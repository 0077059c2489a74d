"""The SQL console's factories: what the member sees of a result, a page and the history."""

from __future__ import annotations

import json

from dash.development.base_component import Component

from components import sql_console as ui
from services.clusters.connection import quoted_name as quoted
from services.gateway.console import HistoryItem, ResultPage


def _text(component: object) -> str:
    return json.dumps(component.to_plotly_json() if isinstance(component, Component)
                      else component, default=lambda c: c.to_plotly_json())


def _page(page: int, *, total: int = 60, size: int = 25) -> ResultPage:
    return ResultPage(columns=("n", "note"), types=("int64", "string"),
                      rows=[["1", None]], page=page, pages=-(-total // size), page_size=size,
                      total_rows=total, truncated=False)


def test_page_labels_count_rows_from_one() -> None:
    assert ui.page_label(_page(0)) == "Rows 1–25 of 60 · page 1 of 3"
    assert ui.page_label(_page(2)) == "Rows 51–60 of 60 · page 3 of 3"
    assert ui.page_label(_page(0, total=0)) == "No rows"


def test_the_result_table_shows_types_and_null() -> None:
    shown = _text(ui.make_result_table(_page(0)))
    assert "int64" in shown and "NULL" in shown and "sql-null" in shown


def test_summaries_say_rows_time_and_what_was_read() -> None:
    query = {"kind": "query", "total_rows": 10_000, "truncated": True, "elapsed_ms": 12.3,
             "rows_read": 2_500_000, "bytes_read": 1024, "rows_written": 0}
    text = _text(ui.make_summary(query))
    assert "10,000 rows (the first ones" in text and "12.3 ms" in text
    insert = {**query, "kind": "insert", "rows_written": 3}
    assert "Inserted 3 rows." in _text(ui.make_summary(insert))
    assert "Inserted." in _text(ui.make_summary({**insert, "rows_written": 0}))


def test_roles_are_told_what_they_may_run() -> None:
    assert "inserting needs the editor role" in _text(ui.make_role_note("viewer"))
    assert "INSERT into this cluster's tables" in _text(ui.make_role_note("editor"))


def test_history_items_carry_their_id_and_outcome() -> None:
    items = [HistoryItem(7, "SELECT 1", "refused", 0, 3, "2026-12-03T18:00:00+00:00")]
    shown = _text(ui.make_history(items))
    assert '"entry": 7' in shown and "refused" in shown and "SELECT 1" in shown
    assert "Statements you run appear here." in _text(ui.make_history([]))


def test_names_are_quoted_only_when_they_must_be() -> None:
    assert quoted("parts") == "parts"
    assert quoted("odd name") == "`odd name`"
    assert quoted("we`ird") == "`we\\`ird`"
