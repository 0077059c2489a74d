"""The "Save to project" button and modal, for any page that has a view worth keeping.

Use (explorer, dashboard)::

    from components.save_to_project import make_save_to_project

    # in the page layout, next to the page's own dcc.Store that holds its config:
    dcc.Store(id=Explorer.shown_state, data=...),    # the page keeps it up to date
    make_save_to_project("explorer", Explorer.shown_state),

``page`` is ``"explorer"`` (saved as a *chart* asset; the store holds the encoded state the
page shows, with its zoom, clicked curve and drawn objects, as in the address) or
``"dashboard"`` (saved as a *dashboard* asset; the store ``Dashboard.config`` =
"dashboard-config-store" holds the dashboard's config dict). A new page adds its store to
:data:`CONFIG_STORES`. The page needs a ``cluster_id`` path variable;
``callbacks/projects/save_to_project.py`` does the rest (editor role on that cluster, editable
projects only) and the saved asset reopens the page exactly as saved.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.ids.dashboard import Dashboard
from components.ids.explorer import Explorer
from components.ids.shared import SaveToProject, save_to_project_id

#: The page → the id of the dcc.Store holding that page's config (the save callback reads it).
CONFIG_STORES: dict[str, str] = {
    "explorer": Explorer.shown_state,
    "dashboard": Dashboard.config,
}
PAGES = tuple(CONFIG_STORES)


def make_save_to_project(page: str, config_store_id: str) -> html.Div:
    """A button that opens a modal: pick a project, name the asset, save."""
    if CONFIG_STORES.get(page) != config_store_id:
        raise ValueError(f"page is one of {PAGES}, with its store {CONFIG_STORES.get(page)!r}; "
                         "add a new page to CONFIG_STORES")
    return html.Div([
        dbc.Button([html.I(className="bi bi-bookmark-plus me-1"), "Save to project"],
                   id=save_to_project_id(SaveToProject.OPEN, page), color="outline-primary",
                   size="sm"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Save to project")),
            dbc.ModalBody([
                dbc.Label("Project"),
                dbc.Select(id=save_to_project_id(SaveToProject.PROJECT, page), options=[],
                           className="mb-3"),
                dbc.Label("Name"),
                dbc.Input(id=save_to_project_id(SaveToProject.NAME, page), maxLength=120,
                          placeholder="What this view shows"),
                html.Div(id=save_to_project_id(SaveToProject.FEEDBACK, page),
                         className="mt-3"),
            ]),
            dbc.ModalFooter(dbc.Button("Save", id=save_to_project_id(SaveToProject.SAVE, page),
                                       color="primary")),
        ], id=save_to_project_id(SaveToProject.MODAL, page), is_open=False),
    ], className="d-inline-block")
