"""Ids of the live dashboard (panels, alert rules, SPC, spec limits)."""

from __future__ import annotations


class Dashboard:
    """The live quality dashboard of one cluster."""

    cluster = "dashboard-cluster-store"
    viewer = "dashboard-viewer-store"
    config = "dashboard-config-store"
    opening = "dashboard-opening-store"
    view_error = "dashboard-view-error-div"
    url = "dashboard-url-location"
    address = "dashboard-address-store"
    first_address = "dashboard-first-address-store"
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
    defects_legend = "dashboard-defects-legend-div"
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


class DashboardStores:
    """Client-side memory of the live dashboard."""

    alerts_seen = "dashboard-alerts-seen-store"


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
