"""Helpers to read a built Dash component tree the way a person reads the page: its texts,
the component with an id, every component of a kind (no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dash.development.base_component import Component


def walk(node: Any) -> Iterator[Component]:
    """Every component under ``node`` (itself first), depth first, in page order."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)
        return
    if not isinstance(node, Component):
        return
    yield node
    for prop in ("children", "label"):
        yield from walk(getattr(node, prop, None))


def text(node: Any) -> str:
    """The visible text under ``node``, pieces joined as the browser shows them."""
    if isinstance(node, str | int | float) and not isinstance(node, bool):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(text(item) for item in node)
    if isinstance(node, Component):
        return text(getattr(node, "children", None))
    return ""


def by_id(node: Any, component_id: Any) -> Any:
    """The component with ``component_id`` (a string or a pattern-matching dict)."""
    found = [c for c in walk(node) if getattr(c, "id", None) == component_id]
    assert len(found) == 1, f"{len(found)} components with id {component_id!r}"
    return found[0]


def ids(node: Any) -> list[Any]:
    """The ids under ``node`` in page order."""
    return [prop(c, "id") for c in walk(node) if prop(c, "id") is not None]


def prop(node: Any, name: str) -> Any:
    """A property of a component (``None`` when it is not set)."""
    return getattr(node, name, None)


def of_type(node: Any, name: str) -> list[Any]:
    """The components of the type named ``name`` (``"Button"``, ``"Tr"``…) in page order."""
    return [c for c in walk(node) if type(c).__name__ == name]


def rows(node: Any) -> list[list[str]]:
    """The text of each cell of each body row (``Tr`` with ``Td`` cells) of the tables."""
    return [[text(cell) for cell in tr.children if type(cell).__name__ == "Td"]
            for tr in of_type(node, "Tr")
            if any(type(cell).__name__ == "Td" for cell in tr.children)]
