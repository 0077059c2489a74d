"""The address a page's view wants in the browser (``callbacks.address`` writes it)."""

from __future__ import annotations

from typing import Any


def wanted_address(path: str, search: str, *, replace: bool) -> dict[str, Any]:
    """``search`` on the page at ``path``, written only while the browser is still there
    (an answer that lands after the person went to another page must not write this view
    into that page's address); ``replace``: the page's first view (no new history entry)."""
    return {"search": search, "replace": replace, "path": path}
