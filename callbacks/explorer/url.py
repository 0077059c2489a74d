"""The explorer's whole view in the page's address (as Grafana keeps its dashboards):
every change of filters, time range, zoom, clicked curve or evaluation objects writes
``?s=`` into the address (a new history entry), and Back/Forward reopen the view the
address names. The first view a page shows replaces its address instead (a bare address
gains its ``s``, a refused link is replaced by the view shown), so Back leaves the page.

The address is client data like any other: it is decoded and validated on the server, with
the role checked, before anything is drawn (``callbacks.explorer.view.load``).
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate
from flask import request

from auth.roles import Role
from callbacks.address import write_address
from callbacks.explorer.tools import objects_from_rows
from callbacks.explorer.view import STORE, decoded
from callbacks.guard import clicked, guarded, unchanged
from components.address import wanted_address
from components.ids.explorer import Explorer
from lyceum.errors import ValidationError
from services.explorer.state import (
    decode_state,
    encode_state,
    explorer_url,
    query_link,
    with_view,
)


def shown_state(encoded: Any, view: Any, selected: Any, rows: Any) -> str:
    """The encoded state the page shows: the applied state with its zoom, clicked curve and
    the drawn objects (drafts that do not validate yet leave the applied ones)."""
    state = decoded(encoded)
    try:
        objects = tuple(objects_from_rows(rows)) if isinstance(rows, list) else None
    except ValidationError:
        objects = None
    pick = selected if isinstance(selected, int) and not isinstance(selected, bool) else None
    return encode_state(with_view(state, view, selected=pick, objects=objects))


@callback(Output(Explorer.address, "data"), Output(Explorer.shown_state, "data"),
          Input(Explorer.state, "data"), Input(Explorer.view, "data"),
          Input(Explorer.selected, "data"), Input(Explorer.objects, "data"),
          State(Explorer.url, "search"), State(Explorer.shown_state, "data"),
          State(Explorer.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, outputs=2, on_error=unchanged,
         when=lambda encoded, *_: encoded)
def to_address(encoded: Any, view: Any, selected: Any, rows: Any, search: Any,
               previous: Any, cluster: int) -> tuple[Any, Any]:
    """The view changed: the address to show (``replace``: the page's first view)."""
    shown = shown_state(encoded, view, selected, rows)
    if shown == query_link(search):
        return no_update, shown
    return wanted_address(explorer_url(cluster), f"?s={shown}", replace=previous is None,
                          base=search), shown


write_address(Explorer.url, Explorer.address)


@callback(Output(Explorer.cluster, "data", allow_duplicate=True),
          Input(Explorer.url, "search"), State(Explorer.shown_state, "data"),
          State(Explorer.url, "pathname"), State(Explorer.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, on_error=unchanged, when=lambda _search, shown, *_: shown)
def from_address(search: Any, shown: Any, pathname: Any, cluster: int) -> Any:
    """Back/Forward changed the address: reopen the view it names, the way a link opens
    (before the page's first view, the page is still opening its own address). An address
    of another page is the person leaving (the page's Location reports it once before the
    page goes): ignored."""
    linked = query_link(search)
    if linked == shown or pathname != explorer_url(cluster):
        raise PreventUpdate
    return {"cluster": str(cluster), "s": linked}


@callback(Output(Explorer.share, "value"), Input(Explorer.share_button, "n_clicks"),
          State(Explorer.state, "data"), State(Explorer.view, "data"),
          State(Explorer.selected, "data"), State(Explorer.objects, "data"),
          State(Explorer.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, when=clicked, on_error=lambda exc, *_: exc.user_message)
def share(_n: Any, encoded: Any, view: Any, selected: Any, rows: Any, cluster: int) -> Any:
    """The absolute link (this server's scheme and host, as the request names them) that
    reopens the view as shown: filters, time range, zoom, clicked curve, objects."""
    shown = shown_state(encoded, view, selected, rows)
    return request.host_url.rstrip("/") + explorer_url(cluster, decode_state(shown))
