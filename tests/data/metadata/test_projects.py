"""Projects, their templates and assets: order, counts per type, one project's audit."""

from __future__ import annotations

from data.metadata import projects
from data.metadata.db import Database
from data.metadata.models import AuditEntry
from tests.data.metadata import rows


def test_templates_custom_last_then_by_name(db: Database) -> None:
    with db.session() as session:
        found = projects.list_types(session)
        assert found[-1].code == "custom"
        names = [t.name for t in found[:-1]]
        assert names == sorted(names) and len(found) == 5
        quality = projects.get_type(session, "quality_control")
        assert quality is not None and quality.code == "quality_control"
        assert projects.get_type(session, "nope") is None


def test_projects_and_assets(db: Database) -> None:
    with db.session() as session:
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        first = projects.add_project(session, cluster_id=line.id, name="Yield",
                                     project_type="custom")
        second = projects.add_project(session, cluster_id=line.id, name="Drift",
                                      project_type="quality_control")
        other = projects.add_project(session, cluster_id=press.id, name="Other",
                                     project_type="custom")
        assert [p.id for p in projects.list_projects(session, cluster_id=line.id)] == [
            second.id, first.id]
        assert projects.get_project(session, other.id) is other
        assert projects.get_project(session, 999) is None
        chart_b = projects.add_asset(session, project_id=first.id, asset_type="chart",
                                     name="b", config={"kind": "density"})
        projects.add_asset(session, project_id=first.id, asset_type="chart", name="a")
        projects.add_asset(session, project_id=first.id, asset_type="report", name="c")
        projects.add_asset(session, project_id=second.id, asset_type="chart", name="d")
        assert [(a.asset_type, a.name) for a in projects.list_assets(
            session, project_id=first.id)] == [("chart", "a"), ("chart", "b"), ("report", "c")]
        assert dict(projects.asset_counts(session, [first.id, second.id, other.id])) == {
            first.id: {"chart": 2, "report": 1}, second.id: {"chart": 1}}
        assert dict(projects.asset_counts(session, [])) == {}
        assert [a.name for a in projects.assets_of_type(session, "chart")] == ["b", "a", "d"]
        assert projects.get_asset(session, chart_b.id) is chart_b
        assert chart_b.config == {"kind": "density"}
        projects.delete_asset(session, chart_b)
        session.flush()
        assert projects.get_asset(session, chart_b.id) is None
        assert [a.name for a in projects.list_assets(session, project_id=first.id)] == ["a", "c"]


def test_project_audit_is_that_projects_entries_newest_first(db: Database) -> None:
    with db.session() as session:
        line = rows.cluster(session, "line")
        project = projects.add_project(session, cluster_id=line.id, name="Yield",
                                       project_type="custom")
        pid = str(project.id)
        session.add_all([
            AuditEntry(action="project.create", target_type="project", target_id=pid,
                       cluster_id=line.id, outcome="ok"),
            AuditEntry(action="asset.add", target_type="project", target_id=pid,
                       cluster_id=line.id, outcome="ok"),
            AuditEntry(action="project.create", target_type="project", target_id=pid + "0",
                       cluster_id=line.id, outcome="ok"),
            AuditEntry(action="cluster.start", target_type="cluster", target_id=pid,
                       cluster_id=line.id, outcome="ok"),
            AuditEntry(action="project.create", target_type="project", target_id=pid,
                       cluster_id=line.id + 1, outcome="ok"),
        ])
        session.flush()
        found = projects.project_audit(session, cluster_id=line.id, project_id=project.id,
                                       limit=10)
        assert [e.action for e in found] == ["asset.add", "project.create"]
        assert len(projects.project_audit(session, cluster_id=line.id, project_id=project.id,
                                          limit=1)) == 1
