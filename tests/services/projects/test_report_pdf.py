"""Rendering a report: charts coloured by result, an empty chart that says so, and a PDF
whose pages carry the title, the filters, the tables, and grow with the rows."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
from PIL import Image

from services.projects.report_pdf import ReportContent, overlay_png, peaks_png, render_pdf


def _on_white(colour: tuple[int, int, int], alpha: float = 0.7) -> tuple[int, int, int]:
    """A line colour as drawn at ``alpha`` over the white background."""
    r, g, b = (round(alpha * c + (1 - alpha) * 255) for c in colour)
    return r, g, b


GREEN, RED = _on_white((0x2E, 0x7D, 0x32)), _on_white((0xC6, 0x28, 0x28))


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {tuple(p) for p in np.asarray(image).reshape(-1, 3).tolist()}


def _near(found: set[tuple[int, int, int]], colour: tuple[int, int, int]) -> bool:
    return any(sum(abs(a - b) for a, b in zip(c, colour, strict=True)) < 40 for c in found)


def _content(rows: int = 3) -> ReportContent:
    return ReportContent(
        title="Press-fit weekly report", subtitle="Cluster Plant Nord, 7 days",
        filters=[("Process", "press-fit"), ("Lines", "L1, L2")],
        kpi_header=["KPI", "Value"], kpi_rows=[["Yield", "97.5 %"]],
        outlier_header=["Rank", "Serial"],
        outlier_rows=[[str(i + 1), f"SER-{i:05d}"] for i in range(rows)])


AXES = {"press": ("displacement", "mm", "force", "kN"),
        "press-fit": ("displacement", "mm", "force", "kN"),
        "screw": ("angle", "deg", "torque", "Nm")}


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_overlay_draws_ok_curves_green_and_nok_red() -> None:
    x = np.linspace(0, 1, 50)
    samples = pa.table({"curve_id": np.repeat([1, 2], 50), "process": ["press"] * 100,
                        "x": np.tile(x, 2),
                        "y": np.concatenate([x, 1 - x]),
                        "result": ["OK"] * 50 + ["NOK"] * 50})
    found = _colours(overlay_png(samples, axes=AXES, title="Overlay"))
    assert _near(found, GREEN) and _near(found, RED)
    only_ok = _colours(overlay_png(samples.slice(0, 50), axes=AXES, title="Overlay"))
    assert _near(only_ok, GREEN) and not _near(only_ok, RED)


def test_an_empty_overlay_and_histogram_still_render() -> None:
    empty = pa.table({"curve_id": pa.array([], pa.int64()), "process": pa.array([], pa.string()),
                      "x": pa.array([], pa.float64()),
                      "y": pa.array([], pa.float64()), "result": pa.array([], pa.string())})
    png = overlay_png(empty, axes={}, title="Nothing")
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size[0] == 880
    peaks = peaks_png(pa.table({"process": pa.array([], pa.string()),
                                "y_max": pa.array([], pa.float64())}), axes={},
                      title="Peaks")
    assert peaks.startswith(b"\x89PNG")


def test_the_pdf_carries_title_filters_charts_and_tables(tmp_path: Path) -> None:
    peaks = peaks_png(pa.table({"process": ["press-fit"] * 20 + ["screw"] * 20,
                                "y_max": np.linspace(1, 5, 40)}), axes=AXES,
                      title="Peak forces")
    path = tmp_path / "out" / "report.pdf"
    pages = render_pdf(replace(_content(), charts=[("Peak values", peaks)]), path)
    assert pages == 1 and path.read_bytes().startswith(b"%PDF")
    text = _text(path)
    for expected in ("Press-fit weekly report", "Cluster Plant Nord, 7 days",
                     "Process: press-fit", "Lines: L1, L2", "Peak values", "KPIs",
                     "97.5 %", "Outliers", "SER-00002"):
        assert expected in text, expected


def test_empty_tables_and_filters_say_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    render_pdf(replace(_content(rows=0), filters=[], kpi_rows=[]), path)
    text = _text(path)
    assert "Filters: all curves" in text
    assert text.count("Nothing to show for these filters.") == 2


def test_long_tables_continue_on_more_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    pages = render_pdf(_content(rows=300), path)
    assert pages >= 4 and "SER-00299" in _text(path)
