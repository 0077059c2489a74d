"""A cluster's projects and the form that starts a new one from a template."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.projects import Projects, ProjectsForm
from components.layout import make_loading_placeholder, make_page_header

dash.register_page(__name__, path_template="/clusters/<cluster_id>/projects", name="Projects",
                   title="Projects · Lyceum Clusters", access="member", cluster_role="viewer",
                   order=23, icon="bi-kanban", cluster_tab="Projects")


def layout(cluster_id: str = "", **_query: str) -> html.Div:
    """The list (filled by a callback) and the new-project form (editors)."""
    form = dbc.Card(dbc.CardBody([
        html.H2("New project", className="h6 text-uppercase text-body-secondary mb-3"),
        dbc.Input(id=Projects.name, placeholder="Project name", maxLength=120, className="mb-2"),
        dbc.Label("Template", html_for=Projects.template, className="small mb-0"),
        dbc.Select(id=Projects.template, options=[]),
        dbc.FormText(id=ProjectsForm.template_note, className="d-block mb-2"),
        dcc.Store(id=ProjectsForm.template_texts, data={}),
        dbc.Textarea(id=Projects.description, placeholder="What is it for? (optional)",
                     className="mb-2", rows=2),
        dbc.Button("Create project", id=Projects.create, color="primary"),
        html.P("Editors create projects; each template starts with its own assets.",
               className="small text-body-secondary mt-2 mb-0"),
    ]), className="shadow-sm")
    return html.Div([
        dcc.Store(id=Projects.cluster, data=cluster_id),
        dcc.Store(id=Projects.refresh, data=0),
        make_page_header("Projects", "Dashboards, charts, alert rules and reports, "
                         "organised by what a team works on."),
        html.Div(id=Projects.error),
        dbc.Row([dbc.Col(html.Div(make_loading_placeholder("Reading projects…"),
                                  id=Projects.list), lg=8),
                 dbc.Col(html.Div(form, id=ProjectsForm.frame, style={"display": "none"}),
                         lg=4)]),
    ])
