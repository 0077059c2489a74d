"""The frame's factories: the top bar builds with its menu, toggle and links (no I/O)."""

from __future__ import annotations

from typing import Any

from components.ids import Shell
from components.layout import make_navbar

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
