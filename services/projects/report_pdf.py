"""Render a report to PDF: chart images with matplotlib (no browser), pages with fpdf2."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute  # noqa: E402, F401 - pa.compute
from fpdf import FPDF, FontFace  # noqa: E402

_FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_COLORS = {"OK": "#2e7d32", "WARNING": "#f9a825", "NOK": "#c62828"}


@dataclass
class ReportContent:
    """Everything one report shows."""

    title: str
    subtitle: str
    filters: list[tuple[str, str]]
    kpi_header: list[str]
    kpi_rows: list[list[str]]
    outlier_header: list[str]
    outlier_rows: list[list[str]]
    charts: list[tuple[str, bytes]] = field(default_factory=list)


#: Processes drawn in one chart image at most (one panel each, the first ones by name).
MAX_PANELS = 4
#: A process's axes: (x name, x unit, y name, y unit).
Axes = tuple[str, str, str, str]


def axis_label(name: str, unit: str) -> str:
    """An axis title: the quantity and its unit in brackets ("displacement [mm]")."""
    return f"{name} [{unit}]" if unit else name


def _panels(processes: Sequence[str], *, height: float) -> tuple[plt.Figure, list[Any]]:
    shown = list(processes[:MAX_PANELS]) or [""]
    cols = 1 if len(shown) == 1 else 2
    rows = -(-len(shown) // cols)
    fig, axs = plt.subplots(rows, cols, figsize=(8, height * rows), dpi=110, squeeze=False)
    panels = [a for row in axs for a in row]
    for spare in panels[len(shown):]:
        spare.set_visible(False)
    return fig, panels


def overlay_png(samples: pa.Table, *, axes: Mapping[str, Axes], title: str) -> bytes:
    """Curves drawn as lines in sample order (so an x that goes back draws back), coloured
    by result: one panel per process, with that process's axes and units."""
    processes = sorted(set(samples.column("process").to_pylist())) if samples.num_rows else []
    fig, panels = _panels(processes, height=2.8)
    if not processes:
        panels[0].text(0.5, 0.5, "No curves match the filters", ha="center",
                       transform=panels[0].transAxes)
        panels[0].set_title(title, fontsize=10)
    for ax, process in zip(panels, processes, strict=False):
        part = samples.filter(pa.compute.equal(samples.column("process"), process))
        ids = part.column("curve_id").to_numpy()
        x, y = part.column("x").to_numpy(), part.column("y").to_numpy()
        results = part.column("result").to_pylist()
        cuts = [0, *list((ids[1:] != ids[:-1]).nonzero()[0] + 1), len(ids)]
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            ax.plot(x[a:b], y[a:b], lw=0.8, alpha=0.7, color=_COLORS.get(results[a], "#555"))
        x_name, x_unit, y_name, y_unit = axes.get(process, ("x", "", "y", ""))
        ax.set_title(f"{title}: {process} ({len(cuts) - 1} curves)", fontsize=10)
        ax.set_xlabel(axis_label(x_name, x_unit), fontsize=8)
        ax.set_ylabel(axis_label(y_name, y_unit), fontsize=8)
        ax.grid(alpha=0.3)
    return _png(fig)


def peaks_png(peaks: pa.Table, *, axes: Mapping[str, Axes], title: str) -> bytes:
    """Histogram of the peak y of each process, one panel each in the process's unit."""
    processes = sorted(set(peaks.column("process").to_pylist())) if peaks.num_rows else []
    fig, panels = _panels(processes, height=2.4)
    if not processes:
        panels[0].text(0.5, 0.5, "No curves match the filters", ha="center",
                       transform=panels[0].transAxes)
        panels[0].set_title(title, fontsize=10)
    for ax, process in zip(panels, processes, strict=False):
        values = peaks.filter(pa.compute.equal(peaks.column("process"), process)) \
            .column("y_max").to_numpy()
        ax.hist(values, bins=min(50, max(5, len(values) // 4)), alpha=0.7, color="#1565c0")
        _x, _xu, y_name, y_unit = axes.get(process, ("x", "", "y", ""))
        ax.set_title(f"{title}: {process}", fontsize=10)
        ax.set_xlabel(axis_label(f"peak {y_name}", y_unit), fontsize=8)
        ax.set_ylabel("curves", fontsize=8)
        ax.grid(alpha=0.3)
    return _png(fig)


def _png(fig: plt.Figure) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _table(pdf: FPDF, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if not rows:
        pdf.set_font("dejavu", size=9)
        pdf.cell(0, 6, "Nothing to show for these filters.", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font("dejavu", size=8)
    with pdf.table(text_align="LEFT", line_height=5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242))
                   ) as table:
        table.row(list(header))
        for row in rows:
            table.row([str(v) for v in row])


def render_pdf(content: ReportContent, path: Path) -> int:
    """Write the report to ``path``; returns the number of pages."""
    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", fname=str(_FONT / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", style="B", fname=str(_FONT / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 18)
    pdf.multi_cell(0, 9, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=9)
    pdf.multi_cell(0, 5, content.subtitle, new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Filters")
    pdf.set_font("dejavu", size=9)
    for name, value in content.filters or [("Filters", "all curves")]:
        pdf.cell(0, 5, f"{name}: {value}", new_x="LMARGIN", new_y="NEXT")
    for caption, png in content.charts:
        _heading(pdf, caption)
        pdf.image(io.BytesIO(png), w=pdf.epw)
    _heading(pdf, "KPIs")
    _table(pdf, content.kpi_header, content.kpi_rows)
    _heading(pdf, "Outliers")
    _table(pdf, content.outlier_header, content.outlier_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return int(pdf.page_no())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("dejavu", "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
