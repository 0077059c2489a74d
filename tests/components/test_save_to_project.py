"""The "Save to project" button and modal: ids per page, the fields, and the store check."""

from __future__ import annotations

import pytest

from components.ids.dashboard import Dashboard
from components.ids.explorer import Explorer
from components.ids.shared import SaveToProject, save_to_project_id
from components.save_to_project import CONFIG_STORES, PAGES, make_save_to_project
from tests.components.tree import by_id, ids, text


def test_each_page_saves_from_its_own_store() -> None:
    assert CONFIG_STORES == {"explorer": Explorer.shown_state, "dashboard": Dashboard.config}
    assert PAGES == ("explorer", "dashboard")


@pytest.mark.parametrize("page", ["explorer", "dashboard"])
def test_the_modal_starts_closed_with_an_empty_project_list(page: str) -> None:
    box = make_save_to_project(page, CONFIG_STORES[page])
    assert ids(box) == [save_to_project_id(kind, page) for kind in (
        SaveToProject.OPEN, SaveToProject.MODAL, SaveToProject.PROJECT, SaveToProject.NAME,
        SaveToProject.FEEDBACK, SaveToProject.SAVE)]
    assert text(by_id(box, save_to_project_id(SaveToProject.OPEN, page))) == "Save to project"
    modal = by_id(box, save_to_project_id(SaveToProject.MODAL, page))
    assert modal.is_open is False
    assert by_id(box, save_to_project_id(SaveToProject.PROJECT, page)).options == []
    name = by_id(box, save_to_project_id(SaveToProject.NAME, page))
    assert (name.placeholder, name.maxLength) == ("What this view shows", 120)
    assert text(by_id(box, save_to_project_id(SaveToProject.SAVE, page))) == "Save"
    assert text(modal).startswith("Save to projectProjectName")


def test_a_page_or_store_not_in_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="add a new page to CONFIG_STORES"):
        make_save_to_project("wizard", Explorer.shown_state)
    with pytest.raises(ValueError, match="page is one of"):
        make_save_to_project("explorer", Dashboard.config)
