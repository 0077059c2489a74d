"""A PDF report, opened as a person would: page 1 rendered to PNG."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
from PIL import Image
from sqlalchemy import func, select

from data.metadata import imports as jobs_data
from data.metadata import projects as projects_data
from data.metadata.models import AuditEntry
from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.demo.plant import load_demo
from services.imports.upload import ingest
from services.projects import assets, project_store, report_pdf
from services.projects.reports import (
    adopt_legacy_reports,
    report_file,
    report_path,
    reports_dir,
    run_report,
    start_report,
)
from tests import plants
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
    project = project_store.create_project(rt, cluster_id=cid, actor=ACTOR, name="Press line",
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
    # the asset names the job the server issued; the file's place is derived from its id
    assert saved.config["report_id"] == queued.id and "pdf" not in saved.config
    pdf = report_file(rt, cluster_id=cid, project_id=project.id, asset_id=saved.id,
                      actor=ACTOR)
    assert pdf == reports_dir(rt, cid) / f"report-{queued.id}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not list(reports_dir(rt, cid).glob("*.part"))
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


def test_a_report_of_another_plant_names_its_processes_units_and_axes(
        runtime: Runtime, ch_database: str, tmp_path: Path) -> None:
    """Curves of four processes in four units: each gets its own overlay and peak panel
    (never one axis mixing N, mbar, A and kgf); the tables carry the plant's own names."""
    cid = make_cluster(runtime, ch_database)
    table = plants.curve_table(curves=8, seed=31)
    for kind, rows in (("curves", table), ("parts", plants.parts_table(table))):
        job, _ = ingest(runtime, cluster_id=cid, actor=ACTOR, kind=kind, batch_id=kind,
                        table=rows)
        assert job.status == "done", job.message
    project = project_store.create_project(runtime, cluster_id=cid, actor=ACTOR,
                                           name="Fastener audit", project_type="custom")
    with runtime.db.session() as session:
        queued = jobs_data.add_report(session, cluster_id=cid, project_id=project.id,
                                      source_asset_id=None, title="Fastener works report")
    done = run_report(runtime, queued.id, actor=ACTOR)
    assert done.status == "done", done.message
    pdf = report_path(runtime, cluster_id=cid, report_id=queued.id)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    for p in plants.PROCESSES:
        assert p.name in text
        assert re.search(rf"\b{re.escape(p.name)}\b.*\d\.\d\d {re.escape(p.y_unit)}\b", text), \
            (p.name, p.y_unit)
    stations = {s for p in plants.PROCESSES for s in p.stations}
    assert len({s for s in stations if s in text}) >= 8
    assert not [n for n in ("press-fit", "screwing", "Line 1", "peak_force") if n in text]
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf),
                    str(tmp_path / "plant")], check=True)
    ARTIFACTS.mkdir(exist_ok=True)
    for png in sorted(tmp_path.glob("plant*.png")):
        shutil.copy(png, ARTIFACTS / f"report-other-{png.name}")


def test_the_chart_images_draw_one_panel_per_process_with_its_axes() -> None:
    samples = pa.table({"curve_id": [1, 1, 1, 2, 2], "process": ["a", "a", "a", "b", "b"],
                        "result": ["OK", "OK", "OK", "NOK", "NOK"], "idx": [0, 1, 2, 0, 1],
                        "x": [0.0, 2.0, 1.0, 0.0, 1.0], "y": [0.0, 5.0, 1.0, 3.0, 2.0]})
    axes = {"a": ("displacement", "mm", "force", "N"), "b": ("time", "s", "pressure", "mbar")}
    one, two = (Image.open(io.BytesIO(report_pdf.overlay_png(t, axes=axes, title="t")))
                for t in (samples.slice(0, 3), samples))
    assert one.size == two.size  # two panels side by side, each narrower
    three = pa.concat_tables([samples, pa.table({
        "curve_id": [3, 3], "process": ["c", "c"], "result": ["OK", "OK"], "idx": [0, 1],
        "x": [0.0, 1.0], "y": [1.0, 2.0]})])
    taller = Image.open(io.BytesIO(report_pdf.overlay_png(three, axes=axes, title="t")))
    assert taller.size[1] > two.size[1] * 1.8  # a second row of panels
    peaks = pa.table({"process": ["a", "b", "b"], "y_max": [5.0, 3.0, 2.5]})
    assert report_pdf.peaks_png(peaks, axes=axes, title="p").startswith(b"\x89PNG")
    empty = report_pdf.overlay_png(samples.slice(0, 0), axes={}, title="t")
    assert empty.startswith(b"\x89PNG")
    assert report_pdf.axis_label("force", "N") == "force [N]"
    assert report_pdf.axis_label("count", "") == "count"


def test_report_of_a_non_chart_asset_is_refused(plant: tuple[Runtime, int]) -> None:
    rt, cid = plant
    project = project_store.create_project(rt, cluster_id=cid, actor=ACTOR, name="QC",
                                      project_type="quality_control")
    dashboard = next(a for a in assets.list_assets(rt, cluster_id=cid, project_id=project.id)
                     if a.asset_type == "dashboard")
    with pytest.raises(ValidationError) as caught:
        start_report(rt, cluster_id=cid, project_id=project.id, actor=ACTOR,
                     asset_id=dashboard.id)
    assert caught.value.user_message == "Reports are made of a project or of a chart."


def _audit_count(rt: Runtime) -> int:
    with rt.db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _done_job(rt: Runtime, cid: int, project_id: int, body: bytes) -> int:
    """A finished report job of the cluster with its file where the report service puts it."""
    with rt.db.session() as session:
        job = jobs_data.add_report(session, cluster_id=cid, project_id=project_id,
                                   title="Done", status="done", progress=1.0)
        job_id = job.id
    path = report_path(rt, cluster_id=cid, report_id=job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return job_id


def _report_row(rt: Runtime, project_id: int, config: dict[str, object]) -> int:
    """A report asset row as an old version or a forged request could have left it."""
    with rt.db.session() as session:
        return projects_data.add_asset(session, project_id=project_id, asset_type="report",
                                       name="r", config=config).id


def test_report_file_never_opens_a_path_a_client_could_name(
        runtime: Runtime, ch_database: str, tmp_path: Path) -> None:
    rt = runtime
    mine = make_cluster(rt, ch_database, schema=False)
    theirs = make_cluster(rt, ch_database + "_b", schema=False)
    project = project_store.create_project(rt, cluster_id=mine, actor=ACTOR, name="P",
                                      project_type="custom")
    other = project_store.create_project(rt, cluster_id=theirs, actor=ACTOR, name="Q",
                                    project_type="custom")
    foreign = _done_job(rt, theirs, other.id, b"%PDF other cluster")
    unfinished = _done_job(rt, mine, project.id, b"%PDF half")
    with rt.db.session() as session:
        jobs_data.update_report(session, unfinished, status="running")
    linked = _done_job(rt, mine, project.id, b"")
    link = report_path(rt, cluster_id=mine, report_id=linked)
    link.unlink()
    link.symlink_to(rt.settings.instance_path / "secret_key")
    (rt.settings.instance_path / "secret_key").write_text("s3cret")
    meta = str(tmp_path / "meta.db")
    configs: list[dict[str, object]] = [
        {"pdf": "lyceum.db"}, {"pdf": meta}, {"pdf": "../meta.db"}, {"pdf": "secret_key"},
        {"pdf": f"reports/{mine}/../../secret_key"}, {"report_id": foreign},
        {"report_id": str(foreign)}, {"report_id": float(foreign)}, {"report_id": True},
        {"report_id": -1}, {"report_id": 2**40}, {"report_id": "../../lyceum.db"},
        {"report_id": unfinished}, {"report_id": linked}, {"report_id": None},
        {"report_id": foreign, "pdf": "secret_key"}]
    rows = [_report_row(rt, project.id, config) for config in configs]
    before = _audit_count(rt)
    for asset_id, config in zip(rows, configs, strict=True):
        with pytest.raises(NotFound) as caught:
            report_file(rt, cluster_id=mine, project_id=project.id, asset_id=asset_id,
                        actor=ACTOR)
        assert caught.value.user_message == ("This report is not available; generate the "
                                             "report again."), config
        assert assets.get_asset(rt, cluster_id=mine, project_id=project.id,
                                asset_id=asset_id).url == "" or "report_id" in config
    assert _audit_count(rt) == before  # a refused download changes nothing
    # the other cluster's own asset still serves its own file
    theirs_asset = _report_row(rt, other.id, {"report_id": foreign})
    path = report_file(rt, cluster_id=theirs, project_id=other.id, asset_id=theirs_asset,
                       actor=ACTOR)
    assert path.read_bytes() == b"%PDF other cluster"
    with pytest.raises(NotFound):  # and not through the first cluster's project
        report_file(rt, cluster_id=mine, project_id=other.id, asset_id=theirs_asset,
                    actor=ACTOR)


def test_a_download_is_audited_and_a_copy_still_downloads(runtime: Runtime,
                                                          ch_database: str) -> None:
    rt = runtime
    cid = make_cluster(rt, ch_database, schema=False)
    project = project_store.create_project(rt, cluster_id=cid, actor=ACTOR, name="P",
                                      project_type="custom")
    job = _done_job(rt, cid, project.id, b"%PDF-1.4 ok")
    saved = assets.save_report_asset(rt, report_id=job, actor=ACTOR,
                                     summary={"pages": 1, "pdf": "lyceum.db"})
    assert saved.config == {"page": "report", "report_id": job, "pages": 1}
    copy = assets.duplicate_asset(rt, cluster_id=cid, project_id=project.id,
                                  asset_id=saved.id, actor=ACTOR)
    for asset_id in (saved.id, copy.id):
        assert report_file(rt, cluster_id=cid, project_id=project.id, asset_id=asset_id,
                           actor=ACTOR).read_bytes() == b"%PDF-1.4 ok"
    with rt.db.session() as session:
        found = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "report.download").order_by(AuditEntry.id)).all()
        assert [(e.actor, e.cluster_id, e.target_type, e.target_id, e.detail["report"],
                 e.detail["asset"]) for e in found] == [
            ("tester", cid, "project", str(project.id), job, saved.id),
            ("tester", cid, "project", str(project.id), job, copy.id)]
    activity = project_store.activity(rt, cluster_id=cid, project_id=project.id)
    seen = [what for _, _, what in activity]
    assert seen[0] == "downloaded the report “Done (copy)”"


def test_report_assets_of_an_older_version_are_adopted_or_emptied(
        runtime: Runtime, ch_database: str) -> None:
    rt = runtime
    cid = make_cluster(rt, ch_database, schema=False)
    other = make_cluster(rt, ch_database + "_b", schema=False)
    project = project_store.create_project(rt, cluster_id=cid, actor=ACTOR, name="P",
                                      project_type="custom")
    instance = rt.settings.instance_path
    (instance / "lyceum.db").write_bytes(b"SQLite format 3\x00 live")
    old_name = f"reports/{cid}/{'a1' * 16}.pdf"
    (instance / old_name).parent.mkdir(parents=True)
    (instance / old_name).write_bytes(b"%PDF-1.4 old")
    (instance / f"reports/{other}").mkdir(parents=True)
    (instance / f"reports/{other}/{'b2' * 16}.pdf").write_bytes(b"%PDF other cluster")
    made: dict[str, tuple[int, int]] = {}
    for key, legacy in (("legit", old_name), ("attack", "lyceum.db"),
                        ("foreign", f"reports/{other}/{'b2' * 16}.pdf")):
        with rt.db.session() as session:
            job = jobs_data.add_report(session, cluster_id=cid, project_id=project.id,
                                       title=key, status="done", progress=1.0)
            row = projects_data.add_asset(session, project_id=project.id, asset_type="report",
                                          name=key, config={"page": "report", "pdf": legacy,
                                                            "pages": 1})
            job.asset_id = row.id
            made[key] = (job.id, row.id)
    assert adopt_legacy_reports(rt) == 3
    assert adopt_legacy_reports(rt) == 0

    def config(key: str) -> dict[str, object]:
        return assets.get_asset(rt, cluster_id=cid, project_id=project.id,
                                asset_id=made[key][1]).config

    job_id, legit = made["legit"]
    assert config("legit") == {"page": "report", "pages": 1, "report_id": job_id}
    assert report_file(rt, cluster_id=cid, project_id=project.id, asset_id=legit,
                       actor=ACTOR).read_bytes() == b"%PDF-1.4 old"
    assert not (instance / old_name).exists()
    for key in ("attack", "foreign"):
        assert config(key) == {"page": "report", "pages": 1}
        with pytest.raises(NotFound):
            report_file(rt, cluster_id=cid, project_id=project.id, asset_id=made[key][1],
                        actor=ACTOR)
    assert (instance / "lyceum.db").read_bytes() == b"SQLite format 3\x00 live"
    assert (instance / f"reports/{other}/{'b2' * 16}.pdf").read_bytes() == b"%PDF other cluster"
    with rt.db.session() as session:
        updates = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "asset.update").order_by(AuditEntry.id)).all()
        assert [(e.actor, e.detail["dropped_path"], e.detail["report_id"]) for e in updates] == [
            ("system", old_name, job_id), ("system", "lyceum.db", None),
            ("system", f"reports/{other}/{'b2' * 16}.pdf", None)]
