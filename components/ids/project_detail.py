"""Ids of one project's overview (assets, report, rename, edit)."""

from __future__ import annotations


class ProjectDetail:
    """One project's overview: status, lifecycle, assets, activity."""

    cluster = "project-detail-cluster-store"
    project = "project-detail-project-store"
    header = "project-detail-header-div"
    assets = "project-detail-assets-div"
    activity = "project-detail-activity-div"
    error = "project-detail-error-div"
    refresh = "project-detail-refresh-store"
    ACTION = "project-detail-action"
    ASSET = "project-detail-asset"


def project_action(action: str) -> dict[str, str]:
    """A lifecycle button of the project overview (pause, resume, complete, archive)."""
    return {"type": ProjectDetail.ACTION, "action": action}


def project_asset_action(action: str, asset_id: int) -> dict[str, str | int]:
    """An asset's duplicate or delete button."""
    return {"type": ProjectDetail.ASSET, "action": action, "asset": asset_id}


class ProjectReport:
    """Generating a PDF report from the project overview."""

    start = "project-report-start-button"
    job = "project-report-job-store"
    poll = "project-report-poll-interval"
    progress = "project-report-progress-div"
    ASSET = "project-report-asset"


def project_report_asset(asset_id: int) -> dict[str, str | int]:
    """The "PDF report" button of a chart asset."""
    return {"type": ProjectReport.ASSET, "asset": asset_id}


class ProjectRename:
    """Renaming an asset from the project overview."""

    modal = "project-rename-modal"
    name = "project-rename-input"
    save = "project-rename-save-button"
    asset = "project-rename-asset-store"
    feedback = "project-rename-feedback-div"
    OPEN = "project-rename-open"


def project_rename_open(asset_id: int) -> dict[str, str | int]:
    """The pencil button of an asset."""
    return {"type": ProjectRename.OPEN, "asset": asset_id}


class ProjectEdit:
    """Editing a project's name and description from its overview."""

    open = "project-edit-open-button"
    modal = "project-edit-modal"
    name = "project-edit-name-input"
    description = "project-edit-description-input"
    save = "project-edit-save-button"
    feedback = "project-edit-feedback-div"
