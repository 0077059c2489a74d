"""Ids of the audit log page."""

from __future__ import annotations


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
    filters = "audit-filters-row"
    verify = "audit-verify-button"
    verify_card = "audit-verify-card"
    verify_result = "audit-verify-result-div"
    load = "audit-load-store"
