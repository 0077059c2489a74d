"""The "My views" menu and "Save view" field: ids per page, hidden until allowed, the menu."""

from __future__ import annotations

from components.ids.shared import PersonalViews, personal_views_id
from components.personal_views import make_menu_items, make_personal_views
from tests.components.tree import by_id, ids, prop, text


def test_the_box_is_hidden_and_every_id_names_its_page() -> None:
    box = make_personal_views("dashboard")
    assert prop(box, "id") == personal_views_id(PersonalViews.BOX, "dashboard")
    assert prop(box, "className") == "d-none"
    assert ids(box) == [personal_views_id(kind, "dashboard") for kind in (
        PersonalViews.BOX, PersonalViews.MENU, PersonalViews.NAME, PersonalViews.SAVE,
        PersonalViews.FEEDBACK)]
    assert all(i["page"] == "dashboard" for i in ids(make_personal_views("dashboard")))
    assert {i["page"] for i in ids(make_personal_views("explorer"))} == {"explorer"}


def test_what_the_member_sees_before_any_view_is_saved() -> None:
    box = make_personal_views("explorer")
    menu = by_id(box, personal_views_id(PersonalViews.MENU, "explorer"))
    assert menu.label == "My views"
    assert [(text(i), i.disabled) for i in menu.children] == [("No saved views yet", True)]
    name = by_id(box, personal_views_id(PersonalViews.NAME, "explorer"))
    assert (name.placeholder, name.maxLength) == ("Name this view", 80)
    assert text(by_id(box, personal_views_id(PersonalViews.SAVE, "explorer"))) == "Save view"
    assert text(by_id(box, personal_views_id(PersonalViews.FEEDBACK, "explorer"))) == ""


def test_menu_items_link_each_saved_view_in_the_given_order() -> None:
    items = make_menu_items([("Night shift", "/clusters/3/explorer?s=abc"),
                             ("Line 2 torque", "/clusters/3/explorer?s=def")])
    assert [(text(i), i.href, getattr(i, "disabled", None)) for i in items] == [
        ("Night shift", "/clusters/3/explorer?s=abc", None),
        ("Line 2 torque", "/clusters/3/explorer?s=def", None)]


def test_no_saved_views_is_said_not_left_empty() -> None:
    items = make_menu_items([])
    assert [(text(i), i.disabled, getattr(i, "href", None)) for i in items] == [
        ("No saved views yet", True, None)]
