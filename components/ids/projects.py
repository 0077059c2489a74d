"""Ids of a cluster's projects list."""

from __future__ import annotations


class Projects:
    """A cluster's projects list and the new-project form."""

    cluster = "projects-cluster-store"
    list = "projects-list-div"
    error = "projects-error-div"
    name = "projects-name-input"
    template = "projects-template-select"
    description = "projects-description-input"
    create = "projects-create-button"
    refresh = "projects-refresh-store"


class ProjectsForm:
    """The new-project form's frame (hidden for viewers and analysts), and what the chosen
    template is for (the picker names it; the words would not fit a picker)."""

    frame = "projects-form-frame"
    template_texts = "projects-template-texts-store"
    template_note = "projects-template-note-div"
