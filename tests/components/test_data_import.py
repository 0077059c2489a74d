"""The data import page's factories: the format table, the mapping, a job, the history."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components.data_import import (
    STATUS_COLORS,
    make_format_table,
    make_history,
    make_job,
    make_mapping,
)
from components.ids.data_import import import_map
from lyceum.errors import ValidationError
from services.imports.file_format import columns_for
from services.imports.import_job import JobView
from tests.components.tree import by_id, ids, of_type, rows, text

JOB = JobView(id=4, cluster_id=3, file_name="parts-week-48.csv", kind="parts",
              file_format="csv", source="upload", status="importing", progress=0.375,
              rows=12_500, message="Imported 4,688 of 12,500 rows.", errors=[],
              batch_id=None, created_at="2026-12-01T08:15:42+00:00")


@pytest.mark.parametrize("kind", ["parts", "curves"])
def test_the_format_table_lists_every_column_and_links_the_template(kind: str) -> None:
    box = make_format_table(kind, cluster_id=7)
    expected = [[c.name, "required" if c.required else "", c.meaning, c.example]
                for c in columns_for(kind)]
    assert rows(box) == expected
    assert any(r[1] == "required" for r in expected)
    link = by_id(box, "import-template-link")
    assert link.href == f"/api/v1/clusters/7/imports/template/{kind}.csv"
    assert text(link) == f"Download the {kind} template (CSV)"
    assert text(of_type(box, "P")[0]) == (
        "CSV (UTF-8, comma-separated, header row) or Parquet, up to 20 MB here. Larger "
        "files: POST batches to /api/v1/clusters/7/ingest with an API token.")


def test_the_format_tables_cells_are_named_for_the_phone_layout() -> None:
    """assets/imports.css stacks each row on a phone by these names; the table scrolls in
    its card, never the page sideways."""
    box = make_format_table("curves", cluster_id=7)
    [table] = of_type(box, "Table")
    assert table.responsive is True and "import-format" in table.className.split()
    for tr in of_type(table, "Tbody")[0].children:
        assert [td.className for td in tr.children] == [
            "import-format-name", "import-format-required", "import-format-meaning",
            "import-format-example"]


def test_an_unknown_kind_is_refused_with_a_message() -> None:
    with pytest.raises(ValidationError, match="The kind of data is parts or curves."):
        make_format_table("../etc", cluster_id=7)


def test_the_mapping_offers_each_file_column_for_each_target() -> None:
    targets = columns_for("parts")
    names = ["Serial", "When", "Line"]
    box = make_mapping("parts", names, {targets[0].name: "Serial"},
                       [{"Serial": "SN-1", "When": "2026-12-01", "Line": "L1"},
                        {"Serial": "SN-2", "Line": "L2"}])
    assert ids(box) == [import_map(c.name) for c in targets]
    first = by_id(box, import_map(targets[0].name))
    assert first.value == "Serial" and first.clearable is False
    assert first.options == [{"label": "— not in the file —", "value": ""},
                             {"label": "Serial", "value": "Serial"},
                             {"label": "When", "value": "When"},
                             {"label": "Line", "value": "Line"}]
    assert by_id(box, import_map(targets[1].name)).value == ""
    labels = [text(label) for label in of_type(box, "Label")]
    assert labels == [c.name + (" *" if c.required else "") for c in targets]
    assert [text(th) for th in of_type(box, "Th")] == names
    assert rows(box) == [["SN-1", "2026-12-01", "L1"], ["SN-2", "", "L2"]]


def test_a_running_job_shows_its_progress() -> None:
    box = make_job(JOB)
    bar = by_id(box, "import-progress-bar")
    assert (bar.value, bar.label, bar.striped, bar.animated, bar.color) == (
        38, "38 %", True, True, "primary")
    badge = by_id(box, "import-status-badge")
    assert (text(badge), badge.color) == ("importing", "primary")
    assert text(box) == "parts-week-48.csvimportingImported 4,688 of 12,500 rows."
    assert "import-errors-table" not in ids(box)


def test_a_failed_job_lists_its_errors_by_row_and_column() -> None:
    failed = replace(JOB, status="failed", progress=1.0, message="2 rows have problems.",
                     errors=[{"row": 3, "column": "serial", "message": "is empty"},
                             {"row": 9, "column": "produced_at", "message": "not a time"}])
    box = make_job(failed)
    bar = by_id(box, "import-progress-bar")
    assert (bar.label, bar.striped, bar.animated, bar.color) == ("100 %", False, False,
                                                                  "danger")
    table = by_id(box, "import-errors-table")
    assert [text(th) for th in of_type(table, "Th")] == ["Row", "Column", "Problem"]
    assert rows(table) == [["3", "serial", "is empty"], ["9", "produced_at", "not a time"]]


def test_the_history_shows_rows_only_of_finished_imports() -> None:
    done = replace(JOB, id=5, status="done", progress=1.0, kind="curves",
                   file_name="curves.parquet", created_at="2026-12-02T10:01:59+00:00")
    table = make_history([done, JOB])
    assert rows(table) == [["2026-12-02 10:01", "curves.parquet", "curves", "done", "12,500"],
                           ["2026-12-01 08:15", "parts-week-48.csv", "parts", "importing", ""]]
    assert [b.color for b in of_type(table, "Badge")] == [STATUS_COLORS["done"],
                                                          STATUS_COLORS["importing"]]
    assert text(make_history([])) == "No imports yet."
