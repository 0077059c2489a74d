"""The "My views" menu and "Save view" field: a member's own named views of a page (shown to
analysts and above; ``callbacks/personal_views.py`` fills and saves them)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.ids.shared import PersonalViews, personal_views_id


def make_personal_views(page: str) -> html.Div:
    """Hidden until the server has checked the member may keep views of this cluster."""
    def pid(kind: str) -> dict[str, str]:
        return personal_views_id(kind, page)

    return html.Div([
        dbc.DropdownMenu([dbc.DropdownMenuItem("No saved views yet", disabled=True)],
                         id=pid(PersonalViews.MENU), label="My views", size="sm",
                         color="outline-secondary", className="me-2"),
        dbc.InputGroup([dbc.Input(id=pid(PersonalViews.NAME), maxLength=80,
                                  placeholder="Name this view", style={"width": "11rem"}),
                        dbc.Button([html.I(className="bi bi-bookmark me-1"), "Save view"],
                                   id=pid(PersonalViews.SAVE), color="outline-primary")],
                       size="sm", className="personal-views-save w-auto flex-nowrap"),
        html.Div(id=pid(PersonalViews.FEEDBACK), className="small ms-2"),
    ], id=pid(PersonalViews.BOX), className="d-none")


def make_menu_items(views: list[tuple[str, str]]) -> list[dbc.DropdownMenuItem]:
    """One link per saved view (name, address), or a note that there is none."""
    if not views:
        return [dbc.DropdownMenuItem("No saved views yet", disabled=True)]
    return [dbc.DropdownMenuItem(name, href=url) for name, url in views]
