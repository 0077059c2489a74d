"""Ids of the traceability page."""

from __future__ import annotations


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
