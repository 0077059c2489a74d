"""The SQL console page lays out every part its callbacks fill, and takes nothing from the URL
but the cluster id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from components.ids.sql_console import SqlConsole


def _walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def test_the_page_has_every_part_and_ignores_other_query_values(server: object) -> None:
    from pages.sql_console import layout

    frame = layout(cluster_id="7", sql="DROP DATABASE x", role="admin")
    found = {c.id: c for c in _walk(frame) if isinstance(getattr(c, "id", None), str)}
    wanted = {value for name, value in vars(SqlConsole).items()
              if not name.startswith("_") and name.islower()}
    assert wanted <= set(found)
    assert found[SqlConsole.cluster].data == "7"
    assert not getattr(found[SqlConsole.editor], "value", None)
    assert found[SqlConsole.prev].disabled and found[SqlConsole.export_csv].disabled
