"""One project: status and lifecycle, its assets, and what happened to it."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.project_detail import ProjectDetail, ProjectEdit, ProjectRename, ProjectReport
from components.layout import make_loading_placeholder

dash.register_page(__name__, path_template="/clusters/<cluster_id>/projects/<project_id>",
                   name="Project", title="Project · Lyceum Clusters", access="member",
                   cluster_role="viewer", order=27)


def layout(cluster_id: str = "", project_id: str = "", **_query: str) -> html.Div:
    """The frame; header, assets and activity are filled by callbacks."""
    return html.Div([
        dcc.Store(id=ProjectDetail.cluster, data=cluster_id),
        dcc.Store(id=ProjectDetail.project, data=project_id),
        dcc.Store(id=ProjectDetail.refresh, data=0),
        html.Div(make_loading_placeholder("Reading the project…"), id=ProjectDetail.header),
        html.Div(id=ProjectDetail.error),
        dcc.Store(id=ProjectReport.job),
        dcc.Interval(id=ProjectReport.poll, interval=700, disabled=True),
        html.Div(id=ProjectReport.progress),
        dcc.Store(id=ProjectRename.asset),
        dbc.Modal([dbc.ModalHeader(dbc.ModalTitle("Rename asset")),
                   dbc.ModalBody([dbc.Input(id=ProjectRename.name, maxLength=120),
                                  html.Div(id=ProjectRename.feedback, className="mt-3")]),
                   dbc.ModalFooter(dbc.Button("Rename", id=ProjectRename.save,
                                              color="primary"))],
                  id=ProjectRename.modal, is_open=False),
        dbc.Modal([dbc.ModalHeader(dbc.ModalTitle("Edit project")),
                   dbc.ModalBody([dbc.Label("Name"),
                                  dbc.Input(id=ProjectEdit.name, maxLength=120,
                                            className="mb-3"),
                                  dbc.Label("Description"),
                                  dbc.Textarea(id=ProjectEdit.description, rows=3),
                                  html.Div(id=ProjectEdit.feedback, className="mt-3")]),
                   dbc.ModalFooter(dbc.Button("Save", id=ProjectEdit.save, color="primary"))],
                  id=ProjectEdit.modal, is_open=False),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([html.H2("Assets", className="h6 text-uppercase "
                                                   "text-body-secondary mb-3"),
                                           html.Div(id=ProjectDetail.assets)]),
                             className="shadow-sm"), lg=8, className="mb-4"),
            dbc.Col(dbc.Card(dbc.CardBody([html.H2("Activity", className="h6 text-uppercase "
                                                   "text-body-secondary mb-3"),
                                           html.Div(id=ProjectDetail.activity)]),
                             className="shadow-sm"), lg=4, className="mb-4"),
        ]),
    ])
