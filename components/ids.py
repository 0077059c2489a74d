"""Every component id in the app, one class per page; pattern ids through helpers."""

from __future__ import annotations


class Shell:
    """The frame around every page."""

    navbar = "shell-navbar"
    content = "shell-content"


class Overview:
    """The overview page."""

    load = "overview-load-interval"
    clusters = "overview-clusters-div"
    error = "overview-error-div"


class Engine:
    """The analytics-engine status page (admins)."""

    load = "engine-load-interval"
    summary = "engine-summary-div"
    volumes = "engine-volumes-div"
    databases = "engine-databases-div"
    error = "engine-error-div"


class Roles:
    """The role matrix page."""

    table = "roles-matrix-table"


class Wizard:
    """The 4-step cluster wizard."""

    stepper = "wizard-stepper-div"
    body = "wizard-body-div"
    estimate = "wizard-estimate-div"
    back = "wizard-back-button"
    next = "wizard-next-button"
    deploy = "wizard-deploy-button"
    reset = "wizard-reset-button"
    alert = "wizard-alert-div"
    database_hint = "wizard-database-hint"
    redirect = "wizard-redirect-location"
    load = "wizard-load-store"
    FIELD = "wizard-field"
    FEEDBACK = "wizard-feedback"
    MEMBER = "wizard-member"
    HINT = "wizard-hint"


def wizard_field(name: str) -> dict[str, str]:
    """The id of one wizard input (pattern-matched by name)."""
    return {"type": Wizard.FIELD, "name": name}


def wizard_feedback(name: str) -> dict[str, str]:
    """The id of the message shown under one wizard input."""
    return {"type": Wizard.FEEDBACK, "name": name}


def wizard_member(user_id: int) -> dict[str, str | int]:
    """The id of the role picker for one user on the team step."""
    return {"type": Wizard.MEMBER, "user": user_id}


class Clusters:
    """The cluster list."""

    load = "clusters-load-interval"
    actions = "clusters-actions-div"
    new = "clusters-new-button"
    table = "clusters-table-div"
    search = "clusters-search-input"
    status = "clusters-status-select"
    kind = "clusters-type-select"
    error = "clusters-error-div"


class ClusterDetail:
    """One cluster's console page."""

    cluster = "cluster-id-store"
    seen_status = "cluster-status-store"
    poll = "cluster-poll-interval"
    header = "cluster-header-div"
    progress = "cluster-progress-div"
    secret = "cluster-secret-div"
    config = "cluster-config-div"
    connection = "cluster-connection-div"
    usage = "cluster-usage-div"
    trend = "cluster-trend-graph"
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
    EDIT = "cluster-edit-field"


def cluster_edit_field(name: str) -> dict[str, str]:
    """The id of one retention/limits input on the cluster page."""
    return {"type": ClusterDetail.EDIT, "name": name}
