"""Every component id in the app, one class per page; pattern ids through helpers."""

from __future__ import annotations


class Shell:
    """The frame around every page."""

    navbar = "shell-navbar"
    navbar_toggle = "shell-navbar-toggle"
    navbar_collapse = "shell-navbar-collapse"
    content = "shell-content"
    cluster_nav = "shell-cluster-nav"
    account = "shell-account-link"
    location = "_pages_location"
    part_search = "shell-part-search-input"
    part_search_button = "shell-part-search-button"
    part_search_result = "shell-part-search-div"
    part_search_go = "shell-part-search-location"


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
    STEP = "wizard-step-link"


def wizard_field(name: str) -> dict[str, str]:
    """The id of one wizard input (pattern-matched by name)."""
    return {"type": Wizard.FIELD, "name": name}


def wizard_feedback(name: str) -> dict[str, str]:
    """The id of the message shown under one wizard input."""
    return {"type": Wizard.FEEDBACK, "name": name}


def wizard_step(number: int) -> dict[str, str | int]:
    """The id of a step in the stepper that can be jumped to."""
    return {"type": Wizard.STEP, "step": number}


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
    reset_result = "team-reset-result-div"
    ROLE = "team-member-role"
    REMOVE = "team-member-remove"
    RESET = "team-member-reset"
    REVOKE = "team-invitation-revoke"


def team_member_role(user_id: int) -> dict[str, str | int]:
    """The role picker of one member row."""
    return {"type": Team.ROLE, "user": user_id}


def team_member_remove(user_id: int) -> dict[str, str | int]:
    """The remove button of one member row."""
    return {"type": Team.REMOVE, "user": user_id}


def team_member_reset(user_id: int) -> dict[str, str | int]:
    """The reset-link button of one member row (global admins only)."""
    return {"type": Team.RESET, "user": user_id}


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
    secret_box = "tokens-secret-div"
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


class Explorer:
    """The curve explorer page."""

    cluster = "explorer-cluster-store"
    #: Everything under the header and the error (hidden when the view cannot open).
    body = "explorer-body-div"
    state = "explorer-state-store"
    view = "explorer-view-store"
    shape_moves = "explorer-shape-moves-store"
    axis_moves = "explorer-axis-moves-store"
    refine = "explorer-refine-store"
    groups = "explorer-groups-store"
    top = "explorer-top-store"
    selected = "explorer-selected-store"
    header = "explorer-header-div"
    error = "explorer-error-div"
    process = "explorer-process-select"
    lines = "explorer-lines-select"
    stations = "explorer-stations-select"
    products = "explorer-products-select"
    batches = "explorer-batches-select"
    results = "explorer-results-select"
    start = "explorer-start-input"
    end = "explorer-end-input"
    color_by = "explorer-color-by-select"
    shown = "explorer-shown-checklist"
    summary = "explorer-summary-div"
    graph = "explorer-graph"
    outliers = "explorer-outliers-table"
    outliers_info = "explorer-outliers-info-div"
    part = "explorer-part-div"
    golden_select = "explorer-golden-select"
    golden_method = "explorer-golden-method-select"
    golden_band = "explorer-golden-band-input"
    golden_source = "explorer-golden-source-select"
    golden_name = "explorer-golden-name-input"
    golden_save = "explorer-golden-save-button"
    golden_alert = "explorer-golden-alert-div"
    objects = "explorer-objects-table"
    add_window = "explorer-add-window-button"
    add_envelope = "explorer-add-envelope-button"
    add_threshold = "explorer-add-threshold-button"
    apply_objects = "explorer-apply-objects-button"
    whatif = "explorer-whatif-div"
    export_csv = "explorer-export-csv-button"
    export_parquet = "explorer-export-parquet-button"
    export_outliers = "explorer-export-outliers-button"
    download = "explorer-download"
    share = "explorer-share-input"
    share_button = "explorer-share-button"
    share_copy = "explorer-share-copy"
    range = "explorer-range-select"
    url = "explorer-url-location"
    address = "explorer-address-store"
    shown_state = "explorer-shown-state-store"


class ExplorerFresh:
    """The explorer's watch on new data (imports, ingests)."""

    tick = "explorer-fresh-interval"
    seen = "explorer-fresh-store"
    note = "explorer-fresh-div"


class Dashboard:
    """The live quality dashboard of one cluster."""

    cluster = "dashboard-cluster-store"
    viewer = "dashboard-viewer-store"
    config = "dashboard-config-store"
    opening = "dashboard-opening-store"
    view_error = "dashboard-view-error-div"
    url = "dashboard-url-location"
    address = "dashboard-address-store"
    tick = "dashboard-refresh-interval"
    pause = "dashboard-pause-switch"
    updated = "dashboard-updated-span"
    stale = "dashboard-stale-badge"
    window = "dashboard-window-select"
    line = "dashboard-line-select"
    station = "dashboard-station-select"
    error = "dashboard-error-div"
    kpis = "dashboard-kpis-div"
    parts = "dashboard-parts-span"
    defects = "dashboard-defects-graph"
    status = "dashboard-status-div"
    heatmap = "dashboard-heatmap-graph"
    spc_feature = "dashboard-spc-feature-select"
    spc_kind = "dashboard-spc-kind-select"
    spc_baseline = "dashboard-spc-baseline-select"
    spc = "dashboard-spc-graph"
    spc_summary = "dashboard-spc-summary-div"
    pchart = "dashboard-pchart-graph"
    alerts = "dashboard-alerts-div"
    feed = "dashboard-feed-switch"
    feed_row = "dashboard-feed-div"
    ack_comment = "dashboard-ack-comment-input"
    ack_result = "dashboard-ack-result-div"
    KPI_VALUE = "dashboard-kpi-value"
    KPI_DELTA = "dashboard-kpi-delta"
    KPI_TREND = "dashboard-kpi-trend"
    ACK = "dashboard-ack-button"


def dashboard_kpi(kind: str, key: str) -> dict[str, str]:
    """The id of one KPI card's value, delta or trend (``kind`` is a Dashboard.KPI_* type)."""
    return {"type": kind, "kpi": key}


def dashboard_ack(alert_id: int) -> dict[str, str | int]:
    """The id of the acknowledge button of one alert."""
    return {"type": Dashboard.ACK, "alert": alert_id}


def dashboard_ack_comment(alert_id: int) -> dict[str, str | int]:
    """The id of the comment input next to one alert's acknowledge button."""
    return {"type": "dashboard-ack-comment-input", "alert": alert_id}


class Projects:
    """A cluster's projects list and the new-project form."""

    cluster = "projects-cluster-store"
    list = "projects-list-div"
    error = "projects-error-div"
    name = "projects-name-input"
    template = "projects-template-select"
    description = "projects-description-input"
    create = "projects-create-button"
    refresh = "projects-refresh-store"


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


class DataImport:
    """The data import page."""

    cluster = "import-cluster-store"
    kind = "import-kind-radio"
    upload = "import-upload"
    upload_store = "import-upload-store"
    mapping = "import-mapping-div"
    preview = "import-preview-div"
    start = "import-start-button"
    job = "import-job-store"
    poll = "import-poll-interval"
    progress = "import-progress-div"
    error = "import-error-div"
    history = "import-history-div"
    MAP = "import-map"


def import_map(target: str) -> dict[str, str]:
    """The mapping dropdown of one target column."""
    return {"type": DataImport.MAP, "target": target}


class SaveToProject:
    """The "Save to project" button and modal shared by the explorer and the dashboard."""

    OPEN = "save-to-project-open"
    MODAL = "save-to-project-modal"
    PROJECT = "save-to-project-project"
    NAME = "save-to-project-name"
    SAVE = "save-to-project-save"
    FEEDBACK = "save-to-project-feedback"
    CONFIG = "save-to-project-config"


def save_to_project_id(kind: str, page: str) -> dict[str, str]:
    """An id of the save-to-project component on ``page`` (explorer, dashboard)."""
    return {"type": kind, "page": page}


class PersonalViews:
    """A member's own saved views on the explorer and the dashboard (analysts and above)."""

    BOX = "personal-views-box"
    MENU = "personal-views-menu"
    NAME = "personal-views-name"
    SAVE = "personal-views-save"
    FEEDBACK = "personal-views-feedback"


def personal_views_id(kind: str, page: str) -> dict[str, str]:
    """An id of the personal-views component on ``page`` (explorer, dashboard)."""
    return {"type": kind, "page": page}


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


class DashboardStores:
    """Client-side memory of the live dashboard."""

    alerts_seen = "dashboard-alerts-seen-store"


class ProjectsForm:
    """The new-project form's frame (hidden for viewers and analysts)."""

    frame = "projects-form-frame"


class ProjectEdit:
    """Editing a project's name and description from its overview."""

    open = "project-edit-open-button"
    modal = "project-edit-modal"
    name = "project-edit-name-input"
    description = "project-edit-description-input"
    save = "project-edit-save-button"
    feedback = "project-edit-feedback-div"


class DashboardRules:
    """The alert-rule list and form of the live dashboard."""

    list = "dashboard-rules-div"
    name = "dashboard-rule-name-input"
    kind = "dashboard-rule-kind-select"
    feature = "dashboard-rule-feature-select"
    value = "dashboard-rule-value-input"
    window = "dashboard-rule-window-input"
    severity = "dashboard-rule-severity-select"
    add = "dashboard-rule-add-button"
    result = "dashboard-rule-result-div"
    ENABLED = "dashboard-rule-enabled-switch"


def dashboard_rule_enabled(rule_id: int) -> dict[str, str | int]:
    """The id of one alert rule's on/off switch."""
    return {"type": DashboardRules.ENABLED, "rule": rule_id}


class DashboardRuleForm:
    """The container of the add-a-rule form (editors), apart from the refreshed rule list."""

    container = "dashboard-rule-form-div"


class DashboardSpc:
    """The SPC panel: its "computing" badge, baseline and rule pickers, violations,
    capability, and the exclusion of subgroups from the limits."""

    running = "dashboard-spc-running-badge"
    attribute = "dashboard-spc-attribute-select"
    rules = "dashboard-spc-rules-select"
    baseline_first = "dashboard-spc-baseline-first-input"
    baseline_last = "dashboard-spc-baseline-last-input"
    baseline_text = "dashboard-spc-baseline-div"
    violations = "dashboard-spc-violations-div"
    capability = "dashboard-spc-capability-graph"
    points = "dashboard-spc-points-store"
    subgroup = "dashboard-spc-subgroup-input"
    reason = "dashboard-spc-reason-input"
    exclude = "dashboard-spc-exclude-button"
    exclude_result = "dashboard-spc-exclude-result-div"
    exclusions = "dashboard-spc-exclusions-div"
    version = "dashboard-spc-version-store"
    RESTORE = "dashboard-spc-restore-button"


def dashboard_spc_restore(batch: str) -> dict[str, str]:
    """The id of the restore button of one exclusion."""
    return {"type": DashboardSpc.RESTORE, "batch": batch}


class DashboardSpecs:
    """The spec-limits editor under the dashboard's control chart."""

    editor = "dashboard-specs-editor-div"
    version = "dashboard-specs-version-store"
    lsl = "dashboard-specs-lsl-input"
    usl = "dashboard-specs-usl-input"
    unit = "dashboard-specs-unit-input"
    lsl_message = "dashboard-specs-lsl-feedback"
    usl_message = "dashboard-specs-usl-feedback"
    unit_message = "dashboard-specs-unit-feedback"
    save = "dashboard-specs-save-button"
    reset = "dashboard-specs-reset-button"
    result = "dashboard-specs-result-div"


class SqlConsole:
    """A cluster's SQL console page."""

    cluster = "sql-cluster-store"
    result = "sql-result-store"
    page = "sql-page-store"
    history_version = "sql-history-version-store"
    editor = "sql-editor-textarea"
    run = "sql-run-button"
    role_note = "sql-role-note-div"
    schema = "sql-schema-div"
    error = "sql-error-div"
    summary = "sql-summary-div"
    table = "sql-result-div"
    prev = "sql-prev-button"
    next = "sql-next-button"
    page_label = "sql-page-label"
    page_size = "sql-page-size-select"
    export_csv = "sql-export-csv-button"
    export_parquet = "sql-export-parquet-button"
    download = "sql-download"
    history = "sql-history-div"
    NAME = "sql-schema-name"
    HISTORY_ITEM = "sql-history-item"


def sql_schema_name(table: str, name: str) -> dict[str, str]:
    """The id of the button that inserts ``name`` (``table`` itself or one of its columns)
    into the editor."""
    return {"type": SqlConsole.NAME, "table": table, "name": name}


def sql_history_item(entry_id: int) -> dict[str, str | int]:
    """The id of one history entry (click to load it into the editor)."""
    return {"type": SqlConsole.HISTORY_ITEM, "entry": entry_id}


class Trace:
    """Traceability by serial: one part's record across stations and processes."""

    cluster = "trace-cluster-store"
    serial = "trace-serial-store"
    search = "trace-search-input"
    suggestions = "trace-suggestions-div"
    error = "trace-error-div"
    body = "trace-body-div"
    summary = "trace-summary-div"
    charts = "trace-charts-div"
    timeline = "trace-timeline-table"
    features = "trace-features-table"


def trace_chart(process: str) -> dict[str, str]:
    """The chart of one process on the trace page."""
    return {"type": "trace-chart-graph", "process": process}


class ExplorerExport:
    """The explorer's export of the whole filtered set (a job with progress)."""

    format = "explorer-export-all-format-select"
    start = "explorer-export-all-button"
    job = "explorer-export-all-job-store"
    poll = "explorer-export-all-interval"
    progress = "explorer-export-all-progress"
    status = "explorer-export-all-status-div"
