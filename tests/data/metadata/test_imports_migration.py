"""Migration 0005 (import and report jobs) on SQLite and the real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from data.metadata import imports as jobs_data
from data.metadata import memberships
from data.metadata.db import Database
from data.metadata.models import ClusterProject, DatabaseCluster
from data.metadata.models_imports import ImportJob, ReportJob


def test_import_and_report_jobs_round_trip(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        columns = {c["name"] for c in inspect(db.engine).get_columns("import_jobs")}
        assert {"status", "progress", "rows", "errors", "batch_id", "mapping", "path",
                "created_by", "created_at", "finished_at"} <= columns
        with db.session() as session:
            cluster = memberships.add_cluster(session, DatabaseCluster(
                name="m", database_name="m", cluster_type="manufacturing",
                region_code="local"))
            job = jobs_data.add_import(session, cluster_id=cluster.id, file_name="a.csv",
                                       batch_id="b-1", errors=[{"row": 1}])
            project = ClusterProject(cluster_id=cluster.id, name="P", project_type="custom")
            session.add(project)
            session.flush()
            jobs_data.add_report(session, cluster_id=cluster.id, project_id=project.id)
            jobs_data.update_import(session, job.id, status="failed")
        with db.session() as session:
            row = session.scalars(select(ImportJob)).one()
            assert (row.status, row.errors, row.progress) == ("failed", [{"row": 1}], 0.0)
            assert row.created_at.tzinfo is not None and row.finished_at is not None
            assert session.scalars(select(ReportJob)).one().status == "queued"
        with pytest.raises(IntegrityError), db.session() as session:
            jobs_data.add_import(session, cluster_id=cluster.id, batch_id="b-1")
    finally:
        db.dispose()
