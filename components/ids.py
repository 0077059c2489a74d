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
