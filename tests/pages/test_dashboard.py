"""The dashboard page: its refresh period is the server's setting, never a URL parameter."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from dash import dcc
from flask import Flask

from components.ids.dashboard import Dashboard


def _walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def test_the_refresh_period_is_not_taken_from_the_url(server: Flask) -> None:
    from pages.dashboard import layout

    assert "refresh_s" not in inspect.signature(layout).parameters
    with server.test_request_context("/clusters/3/dashboard?refresh_s=1"):
        frame = layout(cluster_id="3", refresh_s="1")
    ticks = [c for c in _walk(frame) if getattr(c, "id", None) == Dashboard.tick]
    assert len(ticks) == 1 and isinstance(ticks[0], dcc.Interval)
    # A placeholder until refresh_status sets the configured period.
    assert ticks[0].to_plotly_json()["props"]["interval"] == 30_000
