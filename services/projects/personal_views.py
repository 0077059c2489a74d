"""Personal saved views: a member with the analyst role (or above) keeps named explorer and
dashboard views of a cluster for themself. A view is the address that reopens it, checked
on saving as the page checks it on opening (a forged address is refused, nothing saved).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from data.metadata import personal_views as data
from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.explorer.state import decode_state, explorer_url, query_link
from services.quality.dashboard_view import checked_view, parse_query, view_query

PAGES = ("explorer", "dashboard")
#: Views one user keeps on one cluster.
MAX_VIEWS = 50
_NAME = re.compile(r"^[\w .:/#()+\-,]{1,80}$")


@dataclass(frozen=True)
class SavedView:
    """One personal view: its name and the address that reopens it."""

    id: int
    name: str
    url: str


def _page(page: Any) -> str:
    if page not in PAGES:
        raise ValidationError("Views are saved from the explorer or the dashboard.",
                              fields={"page": "unknown"})
    return str(page)


def _name(name: Any) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not _NAME.match(text):
        raise ValidationError("Name the view (up to 80 letters, digits, spaces or . : / # ( ) "
                              "+ - ,).", fields={"name": "invalid"})
    return text


def checked_query(runtime: Runtime, cluster_id: int, page: str, search: Any) -> str:
    """The query string that reopens the view ``search`` names, checked as its page checks
    an address (explorer: the decoded state; dashboard: the cluster's own choices)."""
    if page == "explorer":
        link = query_link(search)
        _, _, query = explorer_url(cluster_id, decode_state(link) if link else None
                                   ).partition("?")
        return f"?{query}" if query else ""
    return view_query(checked_view(runtime, cluster_id, parse_query(search)))


def _url(cluster_id: int, page: str, query: str) -> str:
    return f"/clusters/{cluster_id}/{page}{query}"


def save_view(runtime: Runtime, cluster_id: int, *, user_id: int, page: Any, name: Any,
              search: Any) -> SavedView:
    """Save the view the page's address names under ``name`` (the same name replaces)."""
    page, name = _page(page), _name(name)
    query = checked_query(runtime, cluster_id, page, search)
    with runtime.db.session() as session:
        known = {v.name for v in data.listed(session, user_id=user_id, cluster_id=cluster_id,
                                             page=page)}
        if name not in known and data.count(session, user_id=user_id,
                                            cluster_id=cluster_id) >= MAX_VIEWS:
            raise ValidationError(f"You keep {MAX_VIEWS} views of this cluster already: "
                                  "remove one first.", fields={"name": "too many"})
        view = data.save(session, user_id=user_id, cluster_id=cluster_id, page=page, name=name,
                         query=query)
        return SavedView(view.id, view.name, _url(cluster_id, page, view.query))


def list_views(runtime: Runtime, cluster_id: int, *, user_id: int, page: Any
               ) -> list[SavedView]:
    """The user's own views of ``page`` on the cluster, by name."""
    page = _page(page)
    with runtime.db.session() as session:
        return [SavedView(v.id, v.name, _url(cluster_id, page, v.query))
                for v in data.listed(session, user_id=user_id, cluster_id=cluster_id,
                                     page=page)]


def remove_view(runtime: Runtime, cluster_id: int, *, user_id: int, view_id: Any) -> None:
    """Delete one of the user's views (anybody else's is not found)."""
    if isinstance(view_id, bool) or not isinstance(view_id, int) or not 0 < view_id < 2**31:
        raise NotFound("That view is not one of yours.")
    with runtime.db.session() as session:
        if not data.remove(session, view_id=view_id, user_id=user_id, cluster_id=cluster_id):
            raise NotFound("That view is not one of yours.")
