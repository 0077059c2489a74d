"""Ids of the cluster list."""

from __future__ import annotations


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
