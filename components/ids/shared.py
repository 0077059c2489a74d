"""Ids shared by several pages: the frame (navbar, tabs) and the "Save to project" modal."""

from __future__ import annotations


class Shell:
    """The frame around every page."""

    navbar = "shell-navbar"
    navbar_toggle = "shell-navbar-toggle"
    navbar_collapse = "shell-navbar-collapse"
    content = "shell-content"
    cluster_nav = "shell-cluster-nav"
    account = "shell-account-link"
    location = "_pages_location"
    part_search = "shell-part-search-input"
    part_search_button = "shell-part-search-button"
    part_search_result = "shell-part-search-div"
    part_search_go = "shell-part-search-location"


class SaveToProject:
    """The "Save to project" button and modal shared by the explorer and the dashboard."""

    OPEN = "save-to-project-open"
    MODAL = "save-to-project-modal"
    PROJECT = "save-to-project-project"
    NAME = "save-to-project-name"
    SAVE = "save-to-project-save"
    FEEDBACK = "save-to-project-feedback"
    CONFIG = "save-to-project-config"


def save_to_project_id(kind: str, page: str) -> dict[str, str]:
    """An id of the save-to-project component on ``page`` (explorer, dashboard)."""
    return {"type": kind, "page": page}


class PersonalViews:
    """A member's own saved views on the explorer and the dashboard (analysts and above)."""

    BOX = "personal-views-box"
    MENU = "personal-views-menu"
    NAME = "personal-views-name"
    SAVE = "personal-views-save"
    FEEDBACK = "personal-views-feedback"


def personal_views_id(kind: str, page: str) -> dict[str, str]:
    """An id of the personal-views component on ``page`` (explorer, dashboard)."""
    return {"type": kind, "page": page}
