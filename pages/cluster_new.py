"""New cluster: the 4-step wizard (global administrators)."""

from __future__ import annotations

import dash
from dash import html

from components.layout import make_page_header
from components.wizard import make_wizard_frame

dash.register_page(__name__, path="/clusters/new", name="New cluster",
                   title="New cluster · Lyceum Clusters", access="admin", order=11)


def layout(**_query: str) -> html.Div:
    """The wizard frame; the current step is loaded from the server by a callback."""
    return html.Div([
        make_page_header("New cluster", "Four steps; your choices are kept on the server, so "
                                        "you can leave and come back."),
        make_wizard_frame(step=1),
    ])
