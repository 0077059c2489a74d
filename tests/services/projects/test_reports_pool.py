"""Reports run in the reports pool; a cluster over its share is refused with the reason."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from data.metadata.models_imports import ReportJob
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.projects import project_store
from services.projects.reports import start_report
from tests.services.import_helpers import ACTOR, make_cluster


def test_a_report_over_the_clusters_cap_is_refused_and_its_job_says_why(
        runtime: Runtime, ch_database: str) -> None:
    cid = make_cluster(runtime, ch_database)
    project = project_store.create_project(runtime, cluster_id=cid, actor=ACTOR, name="Busy line",
                                      project_type="custom")
    gate = threading.Event()
    held = [runtime.pools.submit("reports", gate.wait, cluster_id=cid)
            for _ in range(runtime.settings.pools.per_cluster)]
    try:
        with pytest.raises(Busy) as caught:
            start_report(runtime, cluster_id=cid, project_id=project.id, actor=ACTOR)
    finally:
        gate.set()
    assert all(f.result(5) for f in held)
    message = "This cluster already runs 2 reports; try again when one finishes."
    assert caught.value.user_message == message
    with runtime.db.session() as session:
        [job] = session.scalars(select(ReportJob)).all()
        assert (job.status, job.message, job.asset_id) == ("failed", message, None)
