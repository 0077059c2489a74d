"""Ids of the overview page."""

from __future__ import annotations


class Overview:
    """The overview page."""

    load = "overview-load-interval"
    clusters = "overview-clusters-div"
    error = "overview-error-div"
