"""Every component id in the app, one class per page; pattern ids through helpers."""

from __future__ import annotations


class Shell:
    """The frame around every page."""

    navbar = "shell-navbar"
    content = "shell-content"
    cluster_nav = "shell-cluster-nav"
    location = "_pages_location"


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


class Team:
    """A cluster's team page: members, adding, invitations."""

    cluster = "team-cluster-store"
    version = "team-version-store"
    header = "team-header-div"
    members = "team-members-div"
    invitations = "team-invitations-div"
    manage = "team-manage-div"
    error = "team-error-div"
    alert = "team-alert-div"
    add_email = "team-add-email-input"
    add_role = "team-add-role-select"
    add = "team-add-button"
    invite_email = "team-invite-email-input"
    invite_role = "team-invite-role-select"
    invite = "team-invite-button"
    invite_result = "team-invite-result-div"
    ROLE = "team-member-role"
    REMOVE = "team-member-remove"
    REVOKE = "team-invitation-revoke"


def team_member_role(user_id: int) -> dict[str, str | int]:
    """The role picker of one member row."""
    return {"type": Team.ROLE, "user": user_id}


def team_member_remove(user_id: int) -> dict[str, str | int]:
    """The remove button of one member row."""
    return {"type": Team.REMOVE, "user": user_id}


def team_invitation_revoke(invitation_id: int) -> dict[str, str | int]:
    """The withdraw button of one open invitation."""
    return {"type": Team.REVOKE, "invitation": invitation_id}


class Tokens:
    """A cluster's API tokens page."""

    cluster = "tokens-cluster-store"
    version = "tokens-version-store"
    header = "tokens-header-div"
    table = "tokens-table-div"
    error = "tokens-error-div"
    name = "tokens-name-input"
    role = "tokens-role-select"
    expiry = "tokens-expiry-select"
    create = "tokens-create-button"
    secret = "tokens-secret-div"
    alert = "tokens-alert-div"
    REVOKE = "tokens-revoke"


def tokens_revoke(token_id: int) -> dict[str, str | int]:
    """The revoke button of one token row."""
    return {"type": Tokens.REVOKE, "token": token_id}


class Audit:
    """The audit log page."""

    user = "audit-user-input"
    action = "audit-action-select"
    cluster = "audit-cluster-select"
    outcome = "audit-outcome-select"
    since = "audit-since-input"
    until = "audit-until-input"
    page = "audit-page-store"
    prev = "audit-prev-button"
    next = "audit-next-button"
    position = "audit-position-div"
    table = "audit-table-div"
    error = "audit-error-div"
    export = "audit-export-link"
    verify = "audit-verify-button"
    verify_card = "audit-verify-card"
    verify_result = "audit-verify-result-div"
    load = "audit-load-store"
