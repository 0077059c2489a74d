"""Curve explorer tools: outlier ranking, part details, golden curves, evaluation objects
with what-if, exports and the shareable link. Every callback re-checks the role."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.explorer.view import IMAGE_W, STORE, decoded
from callbacks.guard import clicked, guarded, unchanged
from components import explorer as ui
from components import explorer_figure as fig
from components.ids.explorer import Explorer
from components.layout import make_error
from lyceum.errors import ValidationError
from services.explorer import outliers_jobs
from services.explorer import view as explorer_view
from services.explorer.state import (
    REQUIRED_OBJECT_FIELDS,
    EvalObject,
    encode_state,
    parse_object,
)


@callback(Output(Explorer.ranking, "data"), Output(Explorer.ranking_poll, "disabled"),
          Output(Explorer.outliers_info, "children"),
          Input(Explorer.groups, "data"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), State(Explorer.ranking, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, when=clicked, on_error=lambda exc, *_: (
    None, True, make_error(exc.user_message, title="No ranking")))
def rank(groups: Any, cluster: int, encoded: Any, running: Any) -> tuple[Any, ...]:
    """After each draw: start ranking every filtered curve in the rankings pool (off the
    threads that serve pages; the draw before's ranking is cancelled if not yet started)
    and poll for its answer."""
    state = decoded(encoded)
    job = outliers_jobs.start(runtime(), cluster, state, width=IMAGE_W,
                              ranges=drawn_ranges(groups), replaces=_job_id(running))
    drawn = groups if isinstance(groups, dict) else {}
    return ({"job_id": job, "token": drawn.get("token"), "n": drawn.get("n")}, False,
            "Ranking the filtered curves against the golden curve…")


def _job_id(running: Any) -> str | None:
    job = running.get("job_id") if isinstance(running, dict) else None
    return job if isinstance(job, str) else None


def _polling(_n: Any, running: Any, *_rest: Any) -> bool:
    return _job_id(running) is not None


@callback(Output(Explorer.outliers, "data"), Output(Explorer.outliers_info, "children",
                                                    allow_duplicate=True),
          Output(Explorer.top, "data"),
          Output(Explorer.graph, "figure", allow_duplicate=True), Output(Explorer.place, "data"),
          Output(Explorer.ranking_poll, "disabled", allow_duplicate=True),
          Input(Explorer.ranking_poll, "n_intervals"), State(Explorer.ranking, "data"),
          State(Explorer.cluster, "data"), State(Explorer.state, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, when=_polling, on_error=lambda exc, *_: (
    [], make_error(exc.user_message, title="No ranking"), [], no_update, None, True))
def ranked(_n: Any, running: dict[str, Any], cluster: int, encoded: Any) -> tuple[Any, ...]:
    """The ranking's answer once it is in: the table, the words, the golden curve and the
    top outliers drawn, where a new evaluation object goes over that golden band."""
    result = outliers_jobs.answer(runtime(), cluster, running["job_id"])
    if result is None:
        raise PreventUpdate
    state = decoded(encoded)
    patch = fig.lines_patch(outliers=result.top_lines)
    for index, trace in enumerate(fig.golden_traces(result.golden)):
        patch["data"][index] = trace
    drawn = running.get("n")
    info = explorer_view.outlier_note(result, drawn=drawn if isinstance(drawn, int) else None,
                                      objects=bool(state.objects))
    place = {"token": running.get("token"), **result.place} if result.place else None
    return result.rows, info, list(result.top_lines), patch, place, True


def drawn_ranges(drawn: Any) -> tuple[list[float], list[float]] | None:
    """The x and y ranges the last drawing showed (from its groups store), if well formed."""
    ranges = drawn.get("ranges") if isinstance(drawn, dict) else None
    if (isinstance(ranges, list) and len(ranges) == 2
            and all(isinstance(r, list) and len(r) == 2
                    and all(isinstance(v, int | float) and not isinstance(v, bool) for v in r)
                    for r in ranges)):
        return [float(v) for v in ranges[0]], [float(v) for v in ranges[1]]
    return None


@callback(Output(Explorer.selected, "data"), Output(Explorer.part, "children"),
          Output(Explorer.graph, "figure", allow_duplicate=True),
          Input(Explorer.outliers, "active_cell"), Input(Explorer.graph, "clickData"),
          Input(Explorer.groups, "data"),
          State(Explorer.outliers, "derived_viewport_data"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, outputs=3, error_output=1, title="No part",
         when=lambda _cell, _click, groups, *_: groups)
def select(cell: Any, click: Any, _groups: Any, viewport: Any, cluster: int,
           encoded: Any) -> tuple[Any, ...]:
    """A row or a line was clicked (or a link highlights curves): show that curve and its
    part. A link with several (an alert's, a subgroup's) draws them all and shows the first
    one's part; nothing is clicked yet, so a zoom keeps drawing them all."""
    state = decoded(encoded)
    if ctx.triggered_id == Explorer.groups:
        curve_id = state.highlight[0] if state.highlight else None
    else:
        curve_id = _clicked_curve(cell, click, viewport)
    if curve_id is None:
        raise PreventUpdate
    several = ctx.triggered_id == Explorer.groups and len(state.highlight) > 1
    row, feats, lines = explorer_view.part(runtime(), cluster, state, curve_id=curve_id,
                                           width=IMAGE_W, highlights=several)
    return (no_update if several else curve_id), ui.make_part(row, feats), \
        fig.lines_patch(selected=lines)


def _clicked_curve(cell: Any, click: Any, viewport: Any) -> int | None:
    if ctx.triggered_id == Explorer.graph:
        points = (click or {}).get("points") or [{}]
        value = points[0].get("customdata")
    else:
        row = (cell or {}).get("row")
        rows = viewport or []
        value = rows[row].get("curve_id") if isinstance(row, int) and 0 <= row < len(rows) \
            else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


@callback(Output(Explorer.golden_alert, "children"),
          Output(Explorer.golden_select, "options", allow_duplicate=True),
          Output(Explorer.golden_select, "value", allow_duplicate=True),
          Input(Explorer.golden_save, "n_clicks"), State(Explorer.golden_name, "value"),
          State(Explorer.golden_method, "value"), State(Explorer.golden_band, "value"),
          State(Explorer.golden_source, "value"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), State(Explorer.golden_select, "options"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, **STORE, outputs=3, title="Not saved", when=clicked)
def save_golden(_n: Any, name: Any, method: Any, band: Any, source: Any, cluster: int,
                encoded: Any, options: Any) -> tuple[Any, ...]:
    """Build and save a new golden-curve version from the filtered curves (editors)."""
    state = decoded(encoded)
    if isinstance(band, bool) or not isinstance(band, int | float):
        raise ValidationError("Enter the band as a number.")
    saved = explorer_view.save_golden(runtime(), cluster, state, name=str(name or ""),
                                      method=str(method), band=float(band),
                                      source="all" if source == "all" else "ok",
                                      actor=current_actor())
    option = {"label": f"{saved.name} v{saved.version} ({saved.n_curves} curves)",
              "value": saved.id}
    done = dbc.Alert(f"Saved {saved.name} version {saved.version}.", color="success",
                     className="py-2 small mb-0")
    return done, [option, *(options or [])], saved.id


def objects_from_rows(rows: Any) -> list[EvalObject]:
    """Evaluation objects from the editable table (every cell validated)."""
    if not isinstance(rows, list) or len(rows) > 20:
        raise ValidationError("At most 20 evaluation objects.")
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError("An evaluation object is malformed.")
        if any(row.get(k) is None for k in REQUIRED_OBJECT_FIELDS):
            raise ValidationError("Fill in kind, name, x0 and x1 of every object.")
        out.append(parse_object({k: row[k] for k in ui.OBJECT_COLUMNS
                                 if row.get(k) is not None}))
    return out


def _round(value: float) -> float:
    """Four significant digits: a window on 0…60 s or on 0…20,000 mbar reads well."""
    return float(f"{value:.4g}")


def placed(view: Any, drawn: Any, ranked: Any = None) -> dict[str, list[float]] | None:
    """Where a new object goes: the middle of the zoomed view, else over the golden band
    the ranking of this drawing built (``ranked``, once it answered), else the place the
    drawing itself suggested (over a saved golden band, or the middle), else ``None``."""
    if isinstance(view, dict) and view.get("x") and view.get("y"):
        x, y = view["x"], view["y"]
        mid, ymid = (x[0] + x[1]) / 2, (y[0] + y[1]) / 2
        span, yspan = (x[1] - x[0]) / 8, (y[1] - y[0]) / 8
        return {"x": [mid - span, mid + span], "y": [ymid - yspan, ymid + yspan]}
    token = drawn.get("token") if isinstance(drawn, dict) else None
    if isinstance(ranked, dict) and token is not None and ranked.get("token") == token \
            and ranked.get("x") and ranked.get("y"):
        return {"x": ranked["x"], "y": ranked["y"]}
    place = drawn.get("place") if isinstance(drawn, dict) else None
    return place if isinstance(place, dict) and place.get("x") and place.get("y") else None


@callback(Output(Explorer.objects, "data"), Input(Explorer.add_window, "n_clicks"),
          Input(Explorer.add_envelope, "n_clicks"), Input(Explorer.add_threshold, "n_clicks"),
          Input(Explorer.state, "data"), State(Explorer.objects, "data"),
          State(Explorer.view, "data"), State(Explorer.groups, "data"),
          State(Explorer.place, "data"), State(Explorer.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, on_error=unchanged)
def edit_objects(_w: Any, _e: Any, _t: Any, encoded: Any, rows: Any, view: Any,
                 drawn: Any, ranked: Any, cluster: int) -> Any:
    """Add an object in the middle of the view (before any zoom: over the golden band at
    the middle of the drawn ranges), or show the applied ones of a new state."""
    state = decoded(encoded)
    if ctx.triggered_id == Explorer.state:
        applied = [{k: getattr(o, k) for k in ui.OBJECT_COLUMNS} for o in state.objects]
        if applied == (rows or []):
            raise PreventUpdate  # unchanged: no what-if round trip, no redraw
        return applied
    kind = {Explorer.add_window: "window", Explorer.add_envelope: "envelope",
            Explorer.add_threshold: "threshold"}[ctx.triggered_id]
    place = placed(view, drawn, ranked)
    if place is None:
        raise PreventUpdate  # nothing drawn yet: no view to place it in
    (x0, x1), (y0, y1) = place["x"], place["y"]
    new = {"kind": kind, "name": f"{kind[0].upper()}{len(rows or []) + 1}",
           "x0": _round(x0), "x1": _round(x1), "y0": _round(y0), "y1": _round(y1),
           "entry": "left", "exit": "right", "direction": "up", "margin": 0.0}
    return [*(rows or []), new]


@callback(Output(Explorer.whatif, "children"),
          Output(Explorer.graph, "figure", allow_duplicate=True),
          Input(Explorer.objects, "data"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, outputs=2, title="Cannot evaluate")
def what_if(rows: Any, cluster: int, encoded: Any) -> tuple[Any, Any]:
    """Any edit of the objects: how many filtered parts would flip, and which."""
    state = decoded(encoded)
    draft = objects_from_rows(rows)
    result = explorer_view.what_if(runtime(), cluster, state, draft=draft)
    patch = fig.Patch()
    patch["layout"]["shapes"] = fig.object_shapes(draft, None)
    return ui.make_whatif(n_curves=result.n_curves, before=result.n_nok_before,
                          after=result.n_nok_after, to_nok=result.ok_to_nok,
                          to_ok=result.nok_to_ok), patch


@callback(Output(Explorer.state, "data", allow_duplicate=True),
          Output(Explorer.whatif, "children", allow_duplicate=True),
          Input(Explorer.apply_objects, "n_clicks"), State(Explorer.objects, "data"),
          State(Explorer.cluster, "data"), State(Explorer.state, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, outputs=2, error_output=1, title="Not applied", when=clicked)
def apply_objects(_n: Any, rows: Any, cluster: int, encoded: Any) -> tuple[Any, Any]:
    """Make the edited objects the applied ones (they judge the outlier table)."""
    state = decoded(encoded)
    return encode_state(state.with_(objects=tuple(objects_from_rows(rows)))), no_update


@callback(Output(Explorer.download, "data"), Output(Explorer.error, "children",
                                                    allow_duplicate=True),
          Input(Explorer.export_csv, "n_clicks"), Input(Explorer.export_parquet, "n_clicks"),
          Input(Explorer.export_outliers, "n_clicks"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), State(Explorer.top, "data"),
          State(Explorer.selected, "data"), State(Explorer.outliers, "data"),
          prevent_initial_call=True)
@guarded(Role.ANALYST, **STORE, outputs=2, error_output=1, title="Not exported")
def export(_c: Any, _p: Any, _o: Any, cluster: int, encoded: Any, top: Any, selected: Any,
           table: Any) -> tuple[Any, Any]:
    """Download the selected curves (CSV/Parquet) or the outlier table (analysts)."""
    state = decoded(encoded)
    if ctx.triggered_id == Explorer.export_outliers:
        return dcc.send_string(explorer_view.csv_text(table or []), "outliers.csv"), None
    ids = [int(c) for c in (top or []) if isinstance(c, int)]
    if isinstance(selected, int) and selected not in ids:
        ids.append(selected)
    fmt = "parquet" if ctx.triggered_id == Explorer.export_parquet else "csv"
    data = explorer_view.export_curves(runtime(), cluster, state, curve_ids=ids, fmt=fmt)
    if isinstance(data, bytes):
        return dcc.send_bytes(data, "curves.parquet"), None
    return dcc.send_string(data, "curves.csv"), None
