"""The address a page's view wants in the browser (``callbacks.address`` writes it)."""

from __future__ import annotations

from typing import Any


def wanted_address(path: str, search: str, *, replace: bool,
                   base: Any = None) -> dict[str, Any]:
    """``search`` on the page at ``path``, written only while the browser is still there
    (an answer that lands after the person went to another page must not write this view
    into that page's address); ``replace``: the page's first view (no new history entry).
    ``base``: the search the address had when the view was asked for (the page Location's,
    as the browser sent it: anything but a string is no base); a push is written only while
    the address still has it (an answer that lands after Back/Forward moved it is the view
    of an entry the person left)."""
    wanted = {"search": search, "replace": replace, "path": path}
    return {**wanted, "base": base} if isinstance(base, str) else wanted
