"""Ids of one cluster's console page."""

from __future__ import annotations


class ClusterDetail:
    """One cluster's console page."""

    cluster = "cluster-id-store"
    seen_status = "cluster-status-store"
    poll = "cluster-poll-interval"
    header = "cluster-header-div"
    progress = "cluster-progress-div"
    secret_box = "cluster-secret-div"
    #: Which waiting secret the box shows (purpose and time, never the secret).
    secret_seen = "cluster-secret-store"
    secret_saved = "cluster-secret-saved-button"
    secret_note = "cluster-secret-note-div"
    rotate_confirm = "cluster-rotate-confirm-checkbox"
    rotate = "cluster-rotate-button"
    rotate_alert = "cluster-rotate-alert-div"
    config = "cluster-config-div"
    connection = "cluster-connection-div"
    usage = "cluster-usage-div"
    trend = "cluster-trend-graph"
    trend_note = "cluster-trend-text"
    health = "cluster-health-div"
    events = "cluster-events-div"
    error = "cluster-error-div"
    manage = "cluster-manage-div"
    retention_save = "cluster-retention-save-button"
    retention_alert = "cluster-retention-alert-div"
    limits_save = "cluster-limits-save-button"
    limits_alert = "cluster-limits-alert-div"
    decommission_name = "cluster-decommission-name-input"
    decommission = "cluster-decommission-button"
    decommission_alert = "cluster-decommission-alert-div"
    #: Why the manage buttons are disabled while an operation runs.
    manage_busy = "cluster-manage-busy-text"
    retired_text = "cluster-retired-text"
    hide = "cluster-hide-button"
    hide_alert = "cluster-hide-alert-div"
    purge_name = "cluster-purge-name-input"
    purge = "cluster-purge-button"
    purge_alert = "cluster-purge-alert-div"
    connection_url = "cluster-connection-url-code"
    sql_link = "cluster-sql-console-link"
    EDIT = "cluster-edit-field"


def connection_snippet(key: str) -> str:
    """The id of one client snippet's code block on the cluster console."""
    return f"cluster-snippet-{key}-code"


def cluster_edit_field(name: str) -> dict[str, str]:
    """The id of one retention/limits input on the cluster page."""
    return {"type": ClusterDetail.EDIT, "name": name}
