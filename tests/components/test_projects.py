"""The projects factories: cards, the overview header per status and role, assets, activity,
report progress."""

from __future__ import annotations

from datetime import datetime

import pytest

from components.ids.project_detail import (
    ProjectEdit,
    ProjectReport,
    project_action,
    project_asset_action,
    project_rename_open,
    project_report_asset,
)
from components.projects import (
    make_activity,
    make_asset_table,
    make_project_cards,
    make_project_header,
    make_report_job,
    status_badge,
)
from services.projects.project_store import AssetView, ProjectView
from services.projects.reports import ReportJobView
from tests.components.tree import by_id, ids, of_type, rows, text

AT = datetime(2026, 11, 30, 14, 7)


def _project(status: str = "active", **fields: object) -> ProjectView:
    base: dict[str, object] = {
        "id": 5, "cluster_id": 3, "name": "Torque drift", "project_type": "investigation",
        "type_name": "Investigation", "description": "Why line 2 drifts", "status": status,
        "created_at": AT, "updated_at": AT, "asset_counts": {"chart": 2, "report": 1}}
    return ProjectView(**{**base, **fields})  # type: ignore[arg-type]


def _asset(asset_id: int, asset_type: str, url: str, **config: object) -> AssetView:
    return AssetView(id=asset_id, project_id=5, asset_type=asset_type, name=f"{asset_type} "
                     f"{asset_id}", config=dict(config), url=url, updated_at=AT)


def test_status_badges_carry_the_status_colour() -> None:
    assert [(text(status_badge(s)), status_badge(s).color) for s in (
        "active", "paused", "completed", "error", "archived", "odd")] == [
        ("active", "success"), ("paused", "warning"), ("completed", "primary"),
        ("error", "danger"), ("archived", "secondary"), ("odd", "secondary")]


def test_a_card_links_to_the_project_and_counts_its_assets() -> None:
    cards = make_project_cards([_project(), _project(id=6, name="Audit", status="paused",
                                                     asset_counts={})], cluster_id=3)
    links = of_type(cards, "A")
    assert [(text(a), a.href) for a in links] == [
        ("Torque drift", "/clusters/3/projects/5"), ("Audit", "/clusters/3/projects/6")]
    first = of_type(cards, "Card")[0]
    counts = [(span.children[0].className, text(span)) for span in of_type(first, "Span")]
    assert counts == [("bi bi-speedometer2 me-1", "0"), ("bi bi-graph-up me-1", "2"),
                      ("bi bi-bell me-1", "0"), ("bi bi-file-earmark-pdf me-1", "1")]
    assert text(first).startswith("Torque driftactiveInvestigation")


@pytest.mark.parametrize(("status", "actions", "report"), [
    ("active", ["pause", "complete", "archive"], True),
    ("paused", ["resume", "complete", "archive"], True),
    ("error", ["resume", "pause", "archive"], True),
    ("completed", ["archive"], False),
    ("archived", [], False)])
def test_editors_get_the_lifecycle_buttons_of_the_status(status: str, actions: list[str],
                                                         report: bool) -> None:
    header = make_project_header(_project(status), can_edit=True)
    expected = [ProjectEdit.open] + ([ProjectReport.start] if report else []) + [
        project_action(a) for a in actions]
    assert ids(header) == expected
    assert [text(by_id(header, project_action(a))) for a in actions] == [
        a.capitalize() for a in actions]


def test_others_see_the_project_without_buttons() -> None:
    header = make_project_header(_project(description=""), can_edit=False)
    assert ids(header) == [] and of_type(header, "Button") == []
    assert text(header) == "Torque drift activeInvestigation · No description"


def test_assets_open_in_place_download_or_explain_why_not() -> None:
    table = make_asset_table([
        _asset(1, "chart", "/clusters/3/explorer?s=abc"),
        _asset(2, "report", "/api/v1/clusters/3/projects/5/assets/2/file"),
        _asset(3, "report", ""), _asset(4, "alert", "", rule_id=9),
        _asset(5, "dashboard", "/clusters/3/dashboard?config=1")], can_edit=False)
    assert [text(th) for th in of_type(table, "Th")] == ["", "Name", "Type", "Updated (UTC)",
                                                         ""]
    assert rows(table) == [
        ["", "chart 1", "Chart", "2026-11-30 14:07", ""],
        ["", "report 2", "Report", "2026-11-30 14:07", ""],
        ["", "report 3 · not generated yet", "Report", "2026-11-30 14:07", ""],
        ["", "alert 4 · alert rule #9", "Alert", "2026-11-30 14:07", ""],
        ["", "dashboard 5", "Dashboard", "2026-11-30 14:07", ""]]
    assert [type(c).__name__ for c in of_type(table, "Link") + of_type(table, "A")] == [
        "Link", "Link", "A"]
    assert [c.href for c in of_type(table, "A")] == [
        "/api/v1/clusters/3/projects/5/assets/2/file"]
    assert of_type(table, "Button") == []


def test_editors_rename_copy_delete_and_report_on_charts() -> None:
    table = make_asset_table([_asset(1, "chart", "/clusters/3/explorer?s=abc"),
                              _asset(4, "alert", "")], can_edit=True)
    assert ids(table) == [project_report_asset(1), project_rename_open(1),
                          project_asset_action("copy", 1), project_asset_action("delete", 1),
                          project_rename_open(4), project_asset_action("copy", 4),
                          project_asset_action("delete", 4)]
    assert [b.title for b in of_type(table, "Button")][:4] == [
        "PDF report of this chart", "Rename", "Duplicate", "Delete"]


def test_no_assets_says_how_to_add_one() -> None:
    assert text(make_asset_table([], can_edit=True)) == (
        "No assets yet. Save a chart from the curve explorer or a dashboard with "
        "“Save to project”.")


def test_activity_lists_who_did_what_and_when() -> None:
    items = make_activity([(AT, "ada@example.com", "saved chart “Drift”"),
                           (AT, "", "report generated")])
    assert [text(li) for li in of_type(items, "Li")] == [
        "2026-11-30 14:07 UTCada@example.comsaved chart “Drift”",
        "2026-11-30 14:07 UTCsystemreport generated"]
    assert text(make_activity([])) == "Nothing yet."


def test_a_report_job_running_done_or_failed() -> None:
    def job(status: str, progress: float, message: str = "") -> ReportJobView:
        return ReportJobView(id=1, project_id=5, title="Weekly", status=status,
                             progress=progress, message=message, asset_id=None)

    running = make_report_job(job("running", 0.456))
    assert running.color == "light" and text(running) == "Generating “Weekly”…"
    assert of_type(running, "Progress")[0].label == "46 %"
    done = make_report_job(job("done", 1.0, "The report “Weekly” is ready."))
    assert (done.id, done.color) == ("project-report-done", "success")
    assert text(done) == "The report “Weekly” is ready. It is listed under Assets."
    failed = make_report_job(job("failed", 0.3, "The chart has no curves."))
    assert (failed.color, text(failed)) == ("danger", "The chart has no curves.")
