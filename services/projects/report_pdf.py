"""Render a report to PDF: chart images with matplotlib (no browser), pages with fpdf2."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pyarrow as pa  # noqa: E402
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


def overlay_png(samples: pa.Table, *, title: str) -> bytes:
    """Curves drawn as lines, coloured by result."""
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    if samples.num_rows:
        ids = samples.column("curve_id").to_numpy()
        x, y = samples.column("x").to_numpy(), samples.column("y").to_numpy()
        results = samples.column("result").to_pylist()
        cuts = [0, *list((ids[1:] != ids[:-1]).nonzero()[0] + 1), len(ids)]
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            ax.plot(x[a:b], y[a:b], lw=0.8, alpha=0.7, color=_COLORS.get(results[a], "#555"))
    else:
        ax.text(0.5, 0.5, "No curves match the filters", ha="center", transform=ax.transAxes)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    return _png(fig)


def peaks_png(peaks: pa.Table, *, title: str) -> bytes:
    """Histogram of peak values per process."""
    fig, ax = plt.subplots(figsize=(8, 3.0), dpi=110)
    processes = sorted(set(peaks.column("process").to_pylist())) if peaks.num_rows else []
    for process in processes:
        mask = [p == process for p in peaks.column("process").to_pylist()]
        values = peaks.filter(pa.array(mask)).column("y_max").to_numpy()
        ax.hist(values, bins=50, alpha=0.6, label=process)
    if processes:
        ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
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
