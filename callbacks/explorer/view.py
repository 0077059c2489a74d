"""Curve explorer callbacks: open a link, filters → state, draw, and re-aggregate on zoom.

The cluster id and the state come from the browser: every callback re-checks the role on
the server and decodes/validates the state before any query.
"""

from __future__ import annotations

import hashlib
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, parse_cluster_id, require_role
from callbacks.common import runtime
from components import explorer as ui
from components import explorer_figure as fig
from components.explorer_image import DataUrls
from components.ids.explorer import Explorer, ExplorerFresh
from components.layout import make_error
from lyceum.errors import AppError
from services.explorer import time_ranges
from services.explorer import view as explorer_view
from services.explorer.curve_queries import VIEW_HEIGHT, VIEW_WIDTH
from services.explorer.state import (
    RESULTS,
    ExplorerState,
    decode_state,
    encode_state,
    with_view,
)

IMAGE_W, IMAGE_H = VIEW_WIDTH, VIEW_HEIGHT
FILTERS = (*explorer_view.SEARCHABLE, "results")
#: The lists the page fills: the process, the filters, the colouring, the saved goldens.
LISTS = ("process", *FILTERS, "color_by", "golden_select")
#: Dict-shaped outputs (``{"<list>_options": …}``, ``{"<list>_value": …}``).
_OPTION_OUTPUTS = {f"{k}_options": Output(getattr(Explorer, k), "options", allow_duplicate=True)
                   for k in LISTS}
_VALUE_OUTPUTS = {f"{k}_value": Output(getattr(Explorer, k), "value", allow_duplicate=True)
                  for k in LISTS}
_VALUE_INPUTS = [Input(getattr(Explorer, k), "value") for k in ("process", *FILTERS)]


def store_cluster(cluster: Any) -> Any:
    """The cluster id in the page's store (``{"cluster": id, "s": link}``), as sent."""
    return cluster.get("cluster") if isinstance(cluster, dict) else cluster


#: ``@guarded(role, **STORE)``: the cluster id is in the store passed as ``cluster``.
STORE: dict[str, Any] = {"cluster": "cluster", "locate": store_cluster}


def decoded(encoded: Any) -> ExplorerState:
    """The state from client data (decoded and validated; nothing encoded: the default)."""
    return decode_state(encoded) if isinstance(encoded, str) and encoded else ExplorerState()


def checked(cluster: Any, encoded: Any, role: Role = Role.VIEWER) -> tuple[int, ExplorerState]:
    """The cluster id (role checked) and the decoded state from client data (for the
    callbacks that also read the store's link; the others use ``@guarded(...,
    locate=store_cluster)``)."""
    raw = store_cluster(cluster)
    require_role(raw, role)
    state = decoded(encoded)
    return parse_cluster_id(raw), state


def _options(opened: explorer_view.Opened, *, lists: bool = True) -> dict[str, Any]:
    """Options of the process, filter and colour lists and of the saved golden curves;
    ``lists=False``: the lists unchanged (they depend on the process only)."""
    def opts(values: list[str]) -> list[dict[str, str]]:
        return [{"label": v, "value": v} for v in values]
    goldens = [{"label": f"{g['name']} v{g['version']} ({g['n_curves']} curves)",
                "value": g["id"]} for g in opened.goldens]
    found: dict[str, Any] = dict.fromkeys([*_OPTION_OUTPUTS, "range_options"], no_update)
    if lists:
        found |= {"process_options": opts(opened.options.processes),
                  **{f"{k}_options": opts(explorer_view.listed(
                      opened.options.values[k], selected=getattr(opened.state, k)))
                     for k in explorer_view.SEARCHABLE},
                  "results_options": opts(list(RESULTS)),
                  "range_options": time_ranges.options(runtime().settings.shift_starts),
                  "color_by_options": opts(["result", "line", "station", "product", "batch"])}
    return found | {"golden_select_options": goldens}


#: What a draw fills, by name (``_drawn`` returns the values in this order).
_DRAW_OUTPUTS = {"figure": Output(Explorer.graph, "figure", allow_duplicate=True),
                 "groups": Output(Explorer.groups, "data", allow_duplicate=True),
                 "summary": Output(Explorer.summary, "children", allow_duplicate=True),
                 "shown_options": Output(Explorer.shown, "options", allow_duplicate=True),
                 "shown": Output(Explorer.shown, "value", allow_duplicate=True),
                 "swatches": Output(Explorer.shown, "style", allow_duplicate=True),
                 "refine": Output(Explorer.refine, "data", allow_duplicate=True)}
_RANGE_OUTPUTS = {
    "start": Output(Explorer.start, "value", allow_duplicate=True),
    "end": Output(Explorer.end, "value", allow_duplicate=True),
    "range": Output(Explorer.range, "value", allow_duplicate=True),
    "range_options": Output(Explorer.range, "options", allow_duplicate=True)}
_LOAD_OUTPUTS = {**_OPTION_OUTPUTS, **_VALUE_OUTPUTS, **_RANGE_OUTPUTS,
                 "state": Output(Explorer.state, "data", allow_duplicate=True),
                 "view": Output(Explorer.view, "data", allow_duplicate=True),
                 "error": Output(Explorer.error, "children", allow_duplicate=True),
                 "body": Output(Explorer.body, "style", allow_duplicate=True),
                 **_DRAW_OUTPUTS}
#: The explorer's body is hidden when the view cannot open (no empty axes under the error).
HIDDEN = {"display": "none"}


@callback(output=_LOAD_OUTPUTS, inputs=[Input(Explorer.cluster, "data")],
          prevent_initial_call="initial_duplicate")
def load(cluster: Any) -> dict[str, Any]:
    """Open the link (the page's address, a saved view, Back/Forward): check the role,
    decode the state, fill the filters and draw (one round trip; the draw callback then
    sees the figure is current and skips). A refused link opens the default view under the
    message."""
    try:
        cid, _ = checked(cluster, None)
        link = cluster.get("s") if isinstance(cluster, dict) else None
        opened = explorer_view.open_view(runtime(), cid, link if isinstance(link, str) else "")
        encoded = encode_state(opened.state)
        drawn = _drawn(cid, opened.state, encoded, selected=None)
    except AppError as exc:
        return _refused(cluster, exc)
    return {**_filled(opened, encoded, drawn), "error": None}


def _filled(opened: explorer_view.Opened, encoded: str, drawn: tuple[Any, ...]
            ) -> dict[str, Any]:
    """Every control, the stores and the figure set to ``opened``'s state."""
    s = opened.state
    values = [s.process, *[list(getattr(s, k)) for k in FILTERS], s.color_by, s.golden_id]
    return {**_options(opened), **dict(zip(_VALUE_OUTPUTS, values, strict=True)),
            "start": s.start.date().isoformat() if s.start else None,
            "end": s.end.date().isoformat() if s.end else None,
            "range": s.relative or time_ranges.DATES, "body": None,
            "state": encoded, "view": {"x": s.x_range, "y": s.y_range},
            **dict(zip(_DRAW_OUTPUTS, drawn, strict=True))}


def _refused(cluster: Any, exc: AppError) -> dict[str, Any]:
    """A link that cannot be opened (forged, oversized, another cluster's golden curve…):
    its message above the default view; a refused role: the message only."""
    error = make_error(exc.user_message, title="Cannot open")
    nothing = {**dict.fromkeys(_LOAD_OUTPUTS, no_update), "state": None, "error": error,
               "body": HIDDEN}
    link = cluster.get("s") if isinstance(cluster, dict) else None
    if not link:
        return nothing
    try:
        cid, _ = checked(cluster, None)
        opened = explorer_view.open_view(runtime(), cid, "")
        encoded = encode_state(opened.state)
        drawn = _drawn(cid, opened.state, encoded, selected=None)
    except AppError:
        return nothing
    return {**_filled(opened, encoded, drawn), "error": error}


_FILTER_OUTPUTS = {**_OPTION_OUTPUTS, **_RANGE_OUTPUTS,
                   "state": Output(Explorer.state, "data", allow_duplicate=True),
                   "view": Output(Explorer.view, "data", allow_duplicate=True),
                   "error": Output(Explorer.error, "children", allow_duplicate=True),
                   **_DRAW_OUTPUTS}


@callback(output=_FILTER_OUTPUTS, inputs=[
    *_VALUE_INPUTS, Input(Explorer.start, "value"), Input(Explorer.end, "value"),
    Input(Explorer.range, "value"),
    Input(Explorer.color_by, "value"), Input(Explorer.golden_select, "value"),
    Input(Explorer.shown, "value"), State(Explorer.shown, "options"),
    State(Explorer.cluster, "data"), State(Explorer.state, "data"),
    State(Explorer.selected, "data"), State(Explorer.view, "data")], prevent_initial_call=True)
def filters(process: Any, lines: Any, stations: Any, products: Any, batches: Any,
            results: Any, start: Any, end: Any, relative: Any, color_by: Any, golden_id: Any,
            shown: Any, shown_options: Any, cluster: Any, encoded: Any,
            selected: Any, view: Any) -> dict[str, Any]:
    """A filter changed: validate it against the cluster's values, store the new state and
    draw it (one round trip; the draw callback then sees the figure is current and skips).
    The zoom on screen is kept while the process stays; another process opens whole."""
    if not encoded:
        raise PreventUpdate
    try:
        cid, previous = checked(cluster, encoded)
        start, end, relative = _when(start, end, relative)
        values = {"process": process, "lines": lines, "stations": stations,
                  "products": products, "batches": batches, "results": results,
                  "start": start, "end": end, "relative": relative, "color_by": color_by,
                  "golden_id": golden_id, "hidden": _hidden(shown, shown_options)}
        opened = explorer_view.filter_state(runtime(), cid, previous, values=values)
        new = encode_state(opened.state)
        if new == encoded:
            raise PreventUpdate
        same = opened.state.process == previous.process
        shown = with_view(opened.state, view) if same else opened.state
        drawn = _drawn(cid, shown, new, selected=selected)
    except AppError as exc:
        return {**dict.fromkeys(_FILTER_OUTPUTS, no_update),
                "error": make_error(exc.user_message, title="Not applied")}
    options = _options(opened, lists=opened.state.process != previous.process)
    shown_range = {"start": start, "end": end, "range": relative or time_ranges.DATES,
                   "range_options": no_update}
    return {**options, **shown_range, "state": new, "error": None,
            "view": no_update if same else {"x": shown.x_range, "y": shown.y_range},
            **dict(zip(_DRAW_OUTPUTS, drawn, strict=True))}


def _when(start: Any, end: Any, relative: Any) -> tuple[Any, Any, str | None]:
    """(start, end, relative): a date just typed replaces a relative range, a relative
    range just chosen clears the dates."""
    relative = relative if relative in time_ranges.LABELS else None
    if ctx.triggered_id in (Explorer.start, Explorer.end) and (start or end):
        return start, end, None
    if relative:
        return None, None, relative
    return start, end, None


def _searchable(key: str) -> None:
    """Typing in filter ``key``'s box asks the server for the matching values (long lists
    are sent in part; see ``explorer_view.LISTED_MAX``)."""
    component = getattr(Explorer, key)

    @callback(Output(component, "options", allow_duplicate=True),
              Input(component, "search_value"), State(component, "value"),
              State(Explorer.cluster, "data"), State(Explorer.state, "data"),
              prevent_initial_call=True)
    def search(text: Any, selected: Any, cluster: Any, encoded: Any) -> Any:
        if not encoded:
            raise PreventUpdate
        try:
            cid, state = checked(cluster, encoded)
            found = explorer_view.search_values(runtime(), cid, state, key, search=text,
                                                selected=selected)
        except AppError:
            raise PreventUpdate from None
        if found is None:
            raise PreventUpdate
        return [{"label": v, "value": v} for v in found]


for _key in explorer_view.SEARCHABLE:
    _searchable(_key)


def _hidden(shown: Any, options: Any) -> list[str]:
    """Groups offered but not ticked (only names the server offered count)."""
    offered = [o.get("value") for o in options or [] if isinstance(o, dict)]
    ticked = set(shown) if isinstance(shown, list) else set(offered)
    return [g for g in offered if isinstance(g, str) and g not in ticked]


@callback(Output(Explorer.graph, "figure"), Output(Explorer.groups, "data"),
          Output(Explorer.summary, "children"), Output(Explorer.shown, "options"),
          Output(Explorer.shown, "value"), Output(Explorer.shown, "style"),
          Output(Explorer.refine, "data", allow_duplicate=True),
          Output(Explorer.error, "children", allow_duplicate=True),
          Input(Explorer.state, "data"), Input(ExplorerFresh.redraw, "data"),
          State(Explorer.cluster, "data"),
          State(Explorer.selected, "data"), State(Explorer.groups, "data"),
          State(Explorer.view, "data"), prevent_initial_call=True)
def draw(encoded: Any, _fresh: Any, cluster: Any, selected: Any, drawn: Any, view: Any
         ) -> tuple[Any, ...]:
    """Draw the whole figure for the state: density images, saved golden, selection (also
    when new data arrived: ``callbacks.explorer.fresh``; then in the zoom on screen, which
    the person keeps)."""
    current = isinstance(drawn, dict) and drawn.get("token") == state_token(encoded or "")
    fresh = ctx.triggered_id == ExplorerFresh.redraw
    if not encoded or (current and not fresh):
        raise PreventUpdate  # already drawn for this state (by ``load`` or a filter)
    try:
        cid, state = checked(cluster, encoded)
        if fresh:
            state = with_view(state, view)
        return (*_drawn(cid, state, encoded, selected=selected), None)
    except AppError as exc:
        return (no_update, no_update, None, no_update, no_update, no_update, None,
                make_error(exc.user_message))


def state_token(encoded: str) -> str:
    """A short digest of an encoded state (which state the figure shows)."""
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def _drawn(cid: int, state: ExplorerState, encoded: str, *, selected: Any) -> tuple[Any, ...]:
    """(figure, groups store, summary, group options, shown groups, group colours, refine
    request) for ``state``."""
    ids = [selected] if isinstance(selected, int) and not isinstance(selected, bool) else []
    drawing = explorer_view.draw(runtime(), cid, state, width=IMAGE_W, height=IMAGE_H,
                                 selected=ids)
    dens = drawing.density
    figure = fig.make_figure(dens, color_by=state.color_by, golden=drawing.golden,
                             outliers={}, selected=drawing.selected, objects=state.objects,
                             axes=drawing.axes, urls=runtime().caches.of(DataUrls),
                             hidden=state.hidden)
    colors = fig.group_colors(dens.groups, color_by=state.color_by)
    shown = [g for g in dens.groups if g not in state.hidden]
    return (figure, {"groups": dens.groups, "token": state_token(encoded), "v": drawing.version,
                     "place": drawing.place, "n": dens.n_curves,
                     "ranges": [list(dens.x_range), list(dens.y_range)]},
            explorer_view.summary_text(dens), ui.make_group_options(dens.groups), shown,
            ui.group_swatches(colors), refine_request(dens, state, encoded))


def refine_request(dens: Any, state: ExplorerState, encoded: str) -> dict[str, Any] | None:
    """What the refine callback (``callbacks.explorer.refine``) is asked for when the image
    came from stored partials coarser than the screen (``None``: nothing to refine)."""
    if not dens.coarse:
        return None
    return {"token": state_token(encoded), "x": list(state.x_range) if state.x_range else None,
            "y": list(state.y_range) if state.y_range else None}


def _axis(relayout: dict[str, Any], axis: str, previous: Any) -> tuple[float, float] | None:
    if relayout.get(f"{axis}.autorange"):
        return None
    pair = relayout.get(f"{axis}.range")
    if pair is None and f"{axis}.range[0]" in relayout:
        pair = (relayout[f"{axis}.range[0]"], relayout.get(f"{axis}.range[1]"))
    if pair is None:
        return tuple(previous) if isinstance(previous, list | tuple) else None
    return float(pair[0]), float(pair[1])


def zoom_ranges(relayout: dict[str, Any], view: Any = None) -> tuple[Any, Any] | None:
    """(x_range, y_range) from plotly's relayoutData (``None`` per axis: autorange), or
    ``None`` when the event is not a zoom/pan."""
    keys = [k for k in relayout if k.startswith(("xaxis.", "yaxis."))]
    if not keys:
        return None
    view = view if isinstance(view, dict) else {}
    try:
        return _axis(relayout, "xaxis", view.get("x")), _axis(relayout, "yaxis", view.get("y"))
    except (TypeError, ValueError, IndexError):
        return None


# In the browser: pass on only the events that move an axis. Plotly also reports a resize
# (``{"autosize": true}``, 0.1 s after the plot's box changed) as a relayout; sent to the
# server, it would make Dash drop the answer to a zoom still on its way.
clientside_callback(
    """function (relayout) {
        const keys = Object.keys(relayout || {});
        return keys.some(k => /^[xy]axis\\./.test(k)) ? relayout
            : window.dash_clientside.no_update;
    }""",
    Output(Explorer.axis_moves, "data"), Input(Explorer.graph, "relayoutData"),
    prevent_initial_call=True)


@callback(Output(Explorer.graph, "figure", allow_duplicate=True),
          Output(Explorer.view, "data"), Output(Explorer.summary, "children",
                                                allow_duplicate=True),
          Output(Explorer.refine, "data", allow_duplicate=True),
          Input(Explorer.axis_moves, "data"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), State(Explorer.groups, "data"),
          State(Explorer.top, "data"), State(Explorer.selected, "data"),
          State(Explorer.view, "data"), prevent_initial_call=True)
def relayout(relayout_data: Any, cluster: Any, encoded: Any, groups: Any, top: Any,
             selected: Any, view: Any) -> tuple[Any, ...]:
    """Zoom/pan: re-aggregate the visible range and patch only the changed traces."""
    ranges = zoom_ranges(relayout_data, view) if isinstance(relayout_data, dict) else None
    if ranges is None or not encoded or not groups:
        raise PreventUpdate
    try:
        cid, state = checked(cluster, encoded)
        state = state.with_(x_range=ranges[0], y_range=ranges[1])
        top_ids = [int(c) for c in (top or [])][:50]
        sel = [selected] if isinstance(selected, int) else []
        dens, out_lines, sel_lines = explorer_view.zoom(
            runtime(), cid, state, width=IMAGE_W, height=IMAGE_H, outliers=top_ids,
            selected=sel)
    except (AppError, ValueError):
        raise PreventUpdate from None
    patch = fig.zoom_patch(dens, color_by=state.color_by, hidden=state.hidden,
                           outliers=out_lines, selected=sel_lines,
                           urls=runtime().caches.of(DataUrls))
    return (patch, {"x": ranges[0], "y": ranges[1]}, explorer_view.summary_text(dens),
            refine_request(dens, state, encoded))
