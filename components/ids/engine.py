"""Ids of the analytics-engine status page (admins)."""

from __future__ import annotations


class Engine:
    """The analytics-engine status page (admins)."""

    load = "engine-load-interval"
    summary = "engine-summary-div"
    volumes = "engine-volumes-div"
    databases = "engine-databases-div"
    error = "engine-error-div"
