"""PDF reports of a project or a chart asset, generated in the background and kept as assets."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from data.analytics import report_queries as queries
from data.metadata import imports as jobs_data
from data.metadata import projects as projects_data
from data.metadata.models_imports import ReportJob
from lyceum.errors import AppError, NotFound, ValidationError
from services.clusters import catalog as catalogs
from services.clusters.query_session import for_cluster
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.explorer.state import state_from_dict
from services.projects import assets
from services.projects.project_store import get_project
from services.projects.report_pdf import ReportContent, overlay_png, peaks_png, render_pdf

log = logging.getLogger(__name__)
_FILTER_NAMES = {"process": "Process", "lines": "Lines", "stations": "Stations",
                 "products": "Products", "batches": "Batches", "results": "Results",
                 "start": "From", "end": "Until"}


@dataclass(frozen=True)
class ReportJobView:
    """A report job's progress and, when done, the asset holding the PDF."""

    id: int
    project_id: int
    title: str
    status: str
    progress: float
    message: str
    asset_id: int | None


def _view(job: ReportJob) -> ReportJobView:
    return ReportJobView(id=job.id, project_id=job.project_id, title=job.title,
                         status=job.status, progress=round(job.progress, 3),
                         message=job.message, asset_id=job.asset_id)


_UNAVAILABLE = "This report is not available; generate the report again."
#: The only file name older versions gave a report: ``reports/<cluster>/<32 hex>.pdf``.
_LEGACY_NAME = re.compile(r"reports/([0-9]{1,12})/([0-9a-f]{32})\.pdf")


def reports_dir(runtime: Runtime, cluster_id: int) -> Path:
    """Where the report service keeps a cluster's PDFs (inside the instance folder)."""
    return runtime.settings.instance_path / "reports" / str(int(cluster_id))


def report_path(runtime: Runtime, *, cluster_id: int, report_id: int) -> Path:
    """The PDF of one report job: the name comes from the job's id, never from a client."""
    return reports_dir(runtime, cluster_id) / f"report-{int(report_id)}.pdf"


def _filters(config: dict[str, Any]) -> dict[str, Any]:
    """Report filters from a chart asset's explorer state (validated)."""
    state = state_from_dict(config.get("state") or {})
    out: dict[str, Any] = {"process": state.process}
    for key in ("lines", "stations", "products", "batches", "results"):
        out[key] = list(getattr(state, key))
    out["start"] = state.start.isoformat() if state.start else None
    out["end"] = state.end.isoformat() if state.end else None
    return {k: v for k, v in out.items() if v}


def start_report(runtime: Runtime, *, cluster_id: int, project_id: Any, actor: Actor,
                 asset_id: Any = None, title: str = "") -> ReportJobView:
    """Queue a report of the project (or of one chart asset) and start it in the background."""
    source = None
    if asset_id not in (None, ""):
        source = assets.get_asset(runtime, cluster_id=cluster_id, project_id=project_id,
                                  asset_id=asset_id)
        if source.asset_type != "chart":
            raise ValidationError("Reports are made of a project or of a chart.")
    project = get_project(runtime, cluster_id=cluster_id, project_id=project_id)
    name = (title or f"{source.name if source else project.name} report").strip()[:120]
    with runtime.db.session() as session:
        job = jobs_data.add_report(session, cluster_id=cluster_id, project_id=project.id,
                                   source_asset_id=source.id if source else None, title=name,
                                   created_by=actor.user_id)
        audit.record(session, "report.create", actor=actor, cluster_id=cluster_id,
                     target_type="project", target_id=project.id, detail={"name": name})
        view = _view(job)
    try:
        runtime.pools.submit("reports", partial(_run_logged, runtime, view.id, actor),
                             cluster_id=cluster_id)
    except Busy as exc:  # the job is kept, failed with the reason
        _progress(runtime, view.id, 0.0, status="failed", message=exc.user_message)
        raise
    return view


def _run_logged(runtime: Runtime, job_id: int, actor: Actor) -> None:
    try:
        run_report(runtime, job_id, actor=actor)
    except Exception:  # noqa: BLE001 - the job is marked failed; keep the worker alive
        log.exception("report %s failed", job_id)


def _progress(runtime: Runtime, job_id: int, value: float, **fields: Any) -> None:
    with runtime.db.session() as session:
        jobs_data.update_report(session, job_id, progress=value, **fields)


def run_report(runtime: Runtime, job_id: int, *, actor: Actor) -> ReportJobView:
    """Generate one queued report now (in this thread)."""
    with runtime.db.session() as session:
        job = jobs_data.get_report(session, job_id)
        if job is None:
            raise NotFound("This report does not exist.")
        cluster_id, project_id, source_id, title = (job.cluster_id, job.project_id,
                                                    job.source_asset_id, job.title)
    try:
        _progress(runtime, job_id, 0.05, status="running")
        config = {} if source_id is None else assets.get_asset(
            runtime, cluster_id=cluster_id, project_id=project_id, asset_id=source_id).config
        filters = _filters(config) if config.get("state") else {}
        path = report_path(runtime, cluster_id=cluster_id, report_id=job_id)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        pages = _build(runtime, job_id, cluster_id=cluster_id, project_id=project_id,
                       title=title, filters=filters, path=partial)
        os.replace(partial, path)
        saved = assets.save_report_asset(
            runtime, report_id=job_id, actor=actor,
            summary={"filters": filters, "pages": pages, "source_asset": source_id,
                     "generated_at": datetime.now().astimezone().isoformat(timespec="seconds")})
        _progress(runtime, job_id, 1.0, status="done", asset_id=saved.id,
                  message=f"Report ready ({pages} page{'s' if pages != 1 else ''}).")
    except AppError as exc:
        _progress(runtime, job_id, 1.0, status="failed", message=exc.user_message)
    except Exception:
        log.exception("report %s failed", job_id)
        _progress(runtime, job_id, 1.0, status="failed",
                  message="The report failed on the server (it was logged).")
    return get_report_job(runtime, cluster_id=cluster_id, job_id=job_id)


def _build(runtime: Runtime, job_id: int, *, cluster_id: int, project_id: int, title: str,
           filters: dict[str, Any], path: Path) -> int:
    cs = for_cluster(runtime, cluster_id, background=True)
    project = get_project(runtime, cluster_id=cluster_id, project_id=project_id)
    kpi = queries.kpis(cs, filters=filters)
    axes = {p.name: (p.x_name, p.x_unit, p.y_name, p.y_unit)
            for p in catalogs.catalog(runtime, cluster_id).processes}
    units = {name: axis[3] for name, axis in axes.items()}
    _progress(runtime, job_id, 0.25)
    charts = [("Curves (the latest of each process, coloured by result)",
               overlay_png(queries.sample_curves(cs, filters=filters), axes=axes,
                           title="Curve overlay")),
              ("Peak distribution", peaks_png(queries.peaks(cs, filters=filters), axes=axes,
                                              title="Peak value"))]
    _progress(runtime, job_id, 0.6)
    found = queries.outliers(cs, filters=filters)
    _progress(runtime, job_id, 0.8)
    content = ReportContent(
        title=title,
        subtitle=f"Project “{project.name}” ({project.type_name}) · generated "
                 f"{datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        filters=[(_FILTER_NAMES[k], ", ".join(v) if isinstance(v, list) else str(v))
                 for k, v in filters.items()],
        kpi_header=["Process", "Station", "Curves", "OK", "NOK", "Yield", "Mean peak"],
        kpi_rows=[[p, s, f"{n:,}", f"{ok:,}", f"{nok:,}", f"{ok / n:.1%}" if n else "–",
                   f"{peak:.2f} {units.get(p, '')}".strip()] for p, s, n, ok, nok, peak in kpi],
        outlier_header=["Serial", "Process", "Station", "Result", "Peak", "Robust z"],
        outlier_rows=[[serial, proc, station, result, f"{peak:.2f} {units.get(proc, '')}".strip(),
                       f"{score:.1f}"]
                      for _cid, serial, proc, station, result, peak, score in found],
        charts=charts)
    return render_pdf(content, path)


def get_report_job(runtime: Runtime, *, cluster_id: int, job_id: Any) -> ReportJobView:
    """One report job of the cluster."""
    with runtime.db.session() as session:
        job = jobs_data.get_report(session, int(job_id)) if str(job_id).isdigit() else None
        if job is None or job.cluster_id != cluster_id:
            raise NotFound("This report does not exist.")
        return _view(job)


def report_file(runtime: Runtime, *, cluster_id: int, project_id: Any, asset_id: Any,
                actor: Actor) -> Path:
    """The PDF of a report asset of the cluster, for someone the caller checked is a member.

    The asset names only a report job's id; the job must belong to this cluster and the
    asset's project and be done, and the file is the one the report service wrote for it.
    Each download is audited ("report.download").
    """
    asset = assets.get_asset(runtime, cluster_id=cluster_id, project_id=project_id,
                             asset_id=asset_id)
    report_id = assets.report_id_of(asset.config) if asset.asset_type == "report" else None
    with runtime.db.session() as session:
        job = jobs_data.get_report(session, report_id) if report_id else None
        if (job is None or job.cluster_id != cluster_id or job.project_id != asset.project_id
                or job.status != "done"):
            raise NotFound(_UNAVAILABLE)
        path = report_path(runtime, cluster_id=cluster_id, report_id=job.id)
        if path.is_symlink() or not path.is_file():
            raise NotFound(_UNAVAILABLE)
        audit.record(session, "report.download", actor=actor, cluster_id=cluster_id,
                     target_type="project", target_id=asset.project_id,
                     detail={"asset": asset.id, "asset_name": asset.name, "report": job.id,
                             "type": "report"})
    return path


def fail_interrupted_reports(runtime: Runtime) -> int:
    """At start-up: report jobs that a stop interrupted are marked failed."""
    with runtime.db.session() as session:
        found = jobs_data.open_reports(session)
        for job in found:
            jobs_data.update_report(session, job.id, status="failed",
                                    message="Interrupted by a restart; generate it again.")
        return len(found)



def adopt_legacy_reports(runtime: Runtime) -> int:
    """At start-up: report assets an older version saved with a file path in their config.

    A path the report service itself wrote for the asset's own finished job becomes that job's
    file (named from its id); any other path is dropped, and the asset shows "not generated
    yet". Each change is audited. Returns how many assets changed.
    """
    moved: list[Path] = []
    changed = 0
    with runtime.db.session() as session:
        for asset in projects_data.assets_of_type(session, "report"):
            if "pdf" not in (asset.config or {}):
                continue
            config = dict(asset.config)
            legacy = config.pop("pdf")
            config.pop("report_id", None)
            job = jobs_data.report_of_asset(session, asset.id)
            found = _LEGACY_NAME.fullmatch(legacy) if isinstance(legacy, str) else None
            if (found and job is not None and job.status == "done"
                    and job.project_id == asset.project_id
                    and int(found.group(1)) == job.cluster_id):
                source = reports_dir(runtime, job.cluster_id) / f"{found.group(2)}.pdf"
                target = report_path(runtime, cluster_id=job.cluster_id, report_id=job.id)
                if source.is_file() and not source.is_symlink():
                    if not target.exists():
                        os.link(source, target)  # the old name goes once this commits
                    moved.append(source)
                    config["report_id"] = job.id
            asset.config = config
            project = projects_data.get_project(session, asset.project_id)
            audit.record(session, "asset.update", actor=audit.SYSTEM,
                         cluster_id=project.cluster_id if project else None,
                         target_type="project", target_id=asset.project_id,
                         detail={"asset": asset.id, "asset_name": asset.name, "type": "report",
                                 "dropped_path": str(legacy)[:200],
                                 "report_id": config.get("report_id")})
            changed += 1
    for source in moved:
        source.unlink(missing_ok=True)
    return changed
