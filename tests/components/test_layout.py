"""The frame's factories: the top bar builds with its menu, toggle and links (no I/O)."""

from __future__ import annotations

from typing import Any

from components.ids.shared import Shell
from components.layout import make_navbar, make_part_search_result, make_shown_once

PAGES = [{"name": "Overview", "relative_path": "/", "module": "pages.overview",
          "icon": "bi-grid"},
         {"name": "Audit log", "relative_path": "/audit", "module": "pages.audit"}]


def ids_in(node: Any) -> list[str]:
    """Every id in a component tree (depth first)."""
    found = []
    if hasattr(node, "to_plotly_json"):
        props = node.to_plotly_json()["props"]
        if "id" in props:
            found.append(props["id"])
        node = props.get("children")
    if isinstance(node, list | tuple):
        for child in node:
            found += ids_in(child)
    elif node is not None and hasattr(node, "to_plotly_json"):
        found += ids_in(node)
    return found


def test_the_navbar_collapses_its_links_and_user_menu_behind_a_toggle() -> None:
    bar = make_navbar(pages=PAGES, user_label="ada@example.com", user_badge="admin",
                      csrf="token")
    props = bar.to_plotly_json()["props"]
    assert props["expand"] == "lg" and props["id"] == Shell.navbar
    ids = ids_in(bar)
    assert ids.index(Shell.navbar_toggle) < ids.index(Shell.navbar_collapse)
    assert {"nav-overview-link", "nav-audit-link", "nav-signout-button", Shell.account} <= set(
        ids)


def test_the_navbar_holds_the_part_search_and_its_answer_lists_links() -> None:
    bar = make_navbar(pages=PAGES, user_label="ada@example.com", user_badge="admin",
                      csrf="token")
    ids = ids_in(bar)
    assert ids.index(Shell.navbar_collapse) < ids.index(Shell.part_search) < ids.index(
        Shell.part_search_button) < ids.index(Shell.part_search_result)
    assert Shell.part_search_go in ids
    answer = str(make_part_search_result(message="2 parts match “TP-1”: choose one.", hits=[
        {"serial": "TP-10", "cluster_name": "Works", "n_curves": 4,
         "href": "/clusters/2/trace?serial=TP-10"},
        {"serial": "TP-11", "cluster_name": "Works", "n_curves": 0,
         "href": "/clusters/2/trace?serial=TP-11"}]))
    assert answer.count("href='/clusters/2/trace?serial=TP-1") == 2
    assert "Works · 4 curves" in answer
    assert "ListGroup" not in str(make_part_search_result(message="No part."))


def nodes(node: Any) -> list[dict[str, Any]]:
    """Every component's props in a tree (depth first), with its type as ``_type``."""
    found: list[dict[str, Any]] = []
    if hasattr(node, "to_plotly_json"):
        plotly = node.to_plotly_json()
        found.append({**plotly["props"], "_type": plotly["type"]})
        node = plotly["props"].get("children")
    if isinstance(node, list | tuple):
        for child in node:
            found += nodes(child)
    elif node is not None and hasattr(node, "to_plotly_json"):
        found += nodes(node)
    return found


def test_the_navbar_names_every_link_for_its_icon_only_widths() -> None:
    bar = make_navbar(pages=PAGES, user_label="ada@example.com", user_badge="admin",
                      csrf="token")
    found = nodes(bar)
    titles = {n.get("title") for n in found}
    assert {"Overview", "Audit log", "Account", "ada@example.com (admin)"} <= titles
    words = [n["children"] for n in found if n.get("className") == "nav-words"]
    assert words == ["Overview", "Audit log", "ada@example.com", "Account"]
    signout = next(n for n in found if n.get("id") == "nav-signout-button")
    assert "Sign out" in signout["children"]  # its words are always drawn


def test_a_value_shown_once_breaks_anywhere_beside_its_copy_button() -> None:
    """A token's secret with no hyphen to break at pushed a phone's page 56 px sideways."""
    box = make_shown_once("lyc_" + "A" * 43, "tokens-secret-value")
    code, copy = box.children
    assert (code.id, code.children) == ("tokens-secret-value", "lyc_" + "A" * 43)
    assert "text-break" in code.className and "user-select-all" in code.className
    assert copy.target_id == "tokens-secret-value" and "flex-shrink-0" in copy.className
