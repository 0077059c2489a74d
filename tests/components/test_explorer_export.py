"""The explorer's whole-set export: its controls, the progress text and the ready link."""

from __future__ import annotations

from components.explorer_export import (
    FORMAT_OPTIONS,
    make_ready,
    make_whole_set_export,
    progress_text,
)
from components.ids.explorer import ExplorerExport
from tests.components.tree import by_id, ids, prop, text


def test_the_controls_start_idle_with_csv_chosen() -> None:
    box = make_whole_set_export()
    assert prop(box, "id") == "explorer-export-all"
    assert ids(box) == ["explorer-export-all", ExplorerExport.format, ExplorerExport.start,
                        ExplorerExport.progress, ExplorerExport.status, ExplorerExport.job,
                        ExplorerExport.poll]
    fmt = by_id(box, ExplorerExport.format)
    assert fmt.value == "csv"
    assert [(o["label"], o["value"]) for o in fmt.options] == [
        ("CSV", "csv"), ("Parquet", "parquet"), ("Arrow stream", "arrow")]
    assert fmt.options == FORMAT_OPTIONS
    assert text(by_id(box, ExplorerExport.start)) == "Export all"
    progress = by_id(box, ExplorerExport.progress)
    assert progress.value == 0 and "d-none" in progress.className.split()
    assert by_id(box, ExplorerExport.poll).disabled is True
    assert text(box).startswith("Every filtered curveAll samples of every curve the filters "
                                "match, written on the server; large sets take a while.")


def test_progress_says_counting_until_the_curves_are_known() -> None:
    assert progress_text({"state": "running", "n_curves": 0, "percent": 0,
                          "n_samples": 0}) == "Counting the filtered curves…"


def test_progress_counts_with_thousands_separators() -> None:
    found = {"state": "running", "n_curves": 1234, "percent": 42, "n_samples": 5_678_900}
    assert progress_text(found) == "42 % of 1,234 curves (5,678,900 samples)"
    done = {"state": "done", "n_curves": 0, "percent": 100, "n_samples": 0}
    assert progress_text(done) == "100 % of 0 curves (0 samples)"


def test_the_ready_file_is_a_download_link_with_its_name() -> None:
    ready = make_ready({"n_curves": 2500, "n_samples": 1_250_000,
                        "filename": "curves-2026-12-04.parquet"},
                       "/api/v1/clusters/3/explorer/exports/7/file")
    link = by_id(ready, "explorer-export-all-link")
    assert link.href == "/api/v1/clusters/3/explorer/exports/7/file"
    assert text(link) == "curves-2026-12-04.parquet"
    assert text(ready) == ("Ready: 2,500 curves, 1,250,000 samples. "
                           "curves-2026-12-04.parquet")
