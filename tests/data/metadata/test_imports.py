"""Import and report jobs: ids, per-cluster batches, newest first, open ones, updates that
stamp the finish time."""

from __future__ import annotations

from data.metadata import imports, projects
from data.metadata.db import Database
from tests.data.metadata import rows


def test_import_jobs(db: Database) -> None:
    with db.session() as session:
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        first = imports.add_import(session, cluster_id=line.id, file_name="a.csv",
                                   batch_id="b-1")
        second = imports.add_import(session, cluster_id=line.id, source="api", batch_id="b-2",
                                    status="importing")
        done = imports.add_import(session, cluster_id=line.id, status="done")
        other = imports.add_import(session, cluster_id=press.id, batch_id="b-1",
                                   status="validating")
        assert (first.status, first.kind, first.file_format, first.errors) == (
            "queued", "curves", "csv", [])
        assert imports.get_import(session, first.id) is first
        assert imports.get_import(session, 999) is None
        assert imports.import_by_batch(session, cluster_id=line.id, batch_id="b-1") is first
        assert imports.import_by_batch(session, cluster_id=press.id, batch_id="b-1") is other
        assert imports.import_by_batch(session, cluster_id=press.id, batch_id="b-2") is None
        assert [j.id for j in imports.list_imports(session, cluster_id=line.id)] == [
            done.id, second.id, first.id]
        assert [j.id for j in imports.list_imports(session, cluster_id=line.id, limit=1)] == [
            done.id]
        assert sorted(j.id for j in imports.open_imports(session)) == [
            first.id, second.id, other.id]


def test_update_import_stamps_the_finish_only_when_done_or_failed(db: Database) -> None:
    with db.session() as session:
        line = rows.cluster(session, "line")
        job = imports.add_import(session, cluster_id=line.id)
        imports.update_import(session, job.id, status="importing", progress=0.5, rows=10)
        assert (job.status, job.progress, job.rows, job.finished_at) == (
            "importing", 0.5, 10, None)
        imports.update_import(session, job.id, status="failed", message="bad column")
        assert job.message == "bad column" and job.finished_at is not None
        imports.update_import(session, 999, status="done")  # a vanished job changes nothing
        session.commit()
    with db.session() as session:
        stored = imports.get_import(session, job.id)
        assert stored is not None and stored.finished_at is not None
        assert stored.finished_at.tzinfo is not None
        assert imports.open_imports(session) == []


def test_report_jobs(db: Database) -> None:
    with db.session() as session:
        line = rows.cluster(session, "line")
        project = projects.add_project(session, cluster_id=line.id, name="Yield",
                                       project_type="custom")
        first = imports.add_report(session, cluster_id=line.id, project_id=project.id,
                                   title="Week 48")
        second = imports.add_report(session, cluster_id=line.id, project_id=project.id,
                                    status="running")
        older = imports.add_report(session, cluster_id=line.id, project_id=project.id,
                                   status="done", asset_id=7)
        assert imports.get_report(session, first.id) is first
        assert imports.get_report(session, 999) is None
        assert sorted(j.id for j in imports.open_reports(session)) == [first.id, second.id]
        imports.update_report(session, first.id, status="done", asset_id=8, progress=1.0)
        imports.update_report(session, 999, status="done")
        session.flush()
        assert (first.status, first.progress) == ("done", 1.0)
        assert imports.report_of_asset(session, 7) is older
        assert imports.report_of_asset(session, 8) is first
        assert imports.report_of_asset(session, 9) is None
        imports.update_report(session, second.id, asset_id=7)
        session.flush()
        assert imports.report_of_asset(session, 7) is older  # the newest job (by id) wins
        assert [j.id for j in imports.open_reports(session)] == [second.id]
