"""The page shown for an address that matches no page."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.layout import make_empty_state

dash.register_page(__name__, path="/404", name="Not found", access="member")


def layout(**_query: str) -> html.Div:
    """Say the page does not exist and offer the way back."""
    return make_empty_state(icon="bi-signpost-split", title="This page does not exist",
                            text="Check the address, or go back to the overview.",
                            action=dbc.Button("Overview", href="/", color="primary"))
