"""A PDF report, opened as a person would: page 1 rendered to PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from data import imports as jobs_data
from services import assets, projects
from services.demo_data import load_demo
from services.reports import report_file, run_report, start_report
from services.runtime import Runtime
from tests.services.import_helpers import ACTOR, make_cluster

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def plant(runtime: Runtime, ch_database: str) -> tuple[Runtime, int]:
    cid = make_cluster(runtime, ch_database)
    load_demo(runtime.ch, ch_database, size="small")
    return runtime, cid


def test_chart_report_is_a_pdf_with_charts_and_tables(plant: tuple[Runtime, int],
                                                      tmp_path: Path) -> None:
    rt, cid = plant
    project = projects.create_project(rt, cluster_id=cid, actor=ACTOR, name="Press line",
                                      project_type="custom")
    chart = assets.save_asset(rt, cluster_id=cid, project_id=project.id, actor=ACTOR,
                              asset_type="chart", name="Press-fit overlay",
                              config={"page": "explorer", "state": {"p": "press-fit"}})

    with rt.db.session() as session:
        queued = jobs_data.add_report(session, cluster_id=cid, project_id=project.id,
                                      source_asset_id=chart.id, title="Press-fit report")
    done = run_report(rt, queued.id, actor=ACTOR)
    assert (done.status, done.progress) == ("done", 1.0), done.message
    saved = assets.get_asset(rt, cluster_id=cid, project_id=project.id, asset_id=done.asset_id)
    assert saved.asset_type == "report"
    assert saved.config["filters"] == {"process": "press-fit"}
    assert saved.url.endswith(f"/assets/{saved.id}/report.pdf")
    pdf = report_file(rt, cluster_id=cid, project_id=project.id, asset_id=saved.id)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    with Image.open(png) as image:
        assert image.size[0] > 400 and image.size[1] > 600
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50  # text and chart lines, not a blank page
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "report-page1.png")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for words in ("Press-fit report", "Filters", "Process: press-fit", "KPIs", "Outliers",
                  "Mean peak", "Robust z"):
        assert words in text


def test_report_of_a_non_chart_asset_is_refused(plant: tuple[Runtime, int]) -> None:
    rt, cid = plant
    project = projects.create_project(rt, cluster_id=cid, actor=ACTOR, name="QC",
                                      project_type="quality_control")
    dashboard = next(a for a in assets.list_assets(rt, cluster_id=cid, project_id=project.id)
                     if a.asset_type == "dashboard")
    with pytest.raises(Exception) as caught:
        start_report(rt, cluster_id=cid, project_id=project.id, actor=ACTOR,
                     asset_id=dashboard.id)
    assert getattr(caught.value, "user_message", "") == ("Reports are made of a project or of "
                                                         "a chart.")
