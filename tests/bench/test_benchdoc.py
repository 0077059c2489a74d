"""docs/benchmarks.md sections and their ``### `` parts (``bench/benchdoc.py``), on a doc
written here."""

from __future__ import annotations

from pathlib import Path

from benchdoc import (
    parts,
    put_part,
    read_section,
    replace_head,
    replace_part,
)

DOC = """# Benchmarks

## First

Measured.

### Notes

Kept words.

### Browser

Old times.

## Second

Other bench.
"""


def _doc(tmp_path: Path) -> Path:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    return doc


def test_parts_are_the_sections_subheadings_in_order(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    assert parts("## First", doc=doc) == ["### Notes\n\nKept words.\n",
                                          "### Browser\n\nOld times.\n"]
    assert parts("## Second", doc=doc) == []
    assert parts("## Missing", doc=doc) == []


def test_put_part_replaces_a_part_in_place_and_keeps_the_others(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    put_part("## First", "### Notes", "### Notes\n\nNew words.\n", doc=doc)
    assert read_section("## First", doc=doc) == (
        "## First\n\nMeasured.\n\n### Notes\n\nNew words.\n\n### Browser\n\nOld times.\n\n")
    assert "## Second\n\nOther bench.\n" in doc.read_text()


def test_put_part_appends_a_new_part_at_the_sections_end(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    put_part("## First", "### Server", "### Server\n\nFast.", doc=doc)
    assert [p.splitlines()[0] for p in parts("## First", doc=doc)] == [
        "### Notes", "### Browser", "### Server"]
    put_part("## Third", "### Only", "### Only\n\nOne part.", doc=doc)
    assert read_section("## Third", doc=doc) == "## Third\n\n### Only\n\nOne part.\n"


def test_replace_head_rewrites_the_head_and_keeps_the_parts(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    replace_head("## First", "## First\n\nRemeasured.", doc=doc)
    assert read_section("## First", doc=doc) == (
        "## First\n\nRemeasured.\n\n### Notes\n\nKept words.\n\n### Browser\n\n"
        "Old times.\n\n")
    assert "## Second\n\nOther bench.\n" in doc.read_text()
    replace_head("## New", "## New\n\nFirst run.\n", doc=doc)
    assert read_section("## New", doc=doc) == "## New\n\nFirst run.\n"


def test_replace_part_still_drops_what_follows_the_part(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    replace_part("## First", "### Notes", "### Notes\n\nOnly this.\n", doc=doc)
    assert parts("## First", doc=doc) == ["### Notes\n\nOnly this.\n"]
