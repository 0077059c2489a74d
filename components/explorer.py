"""Component factories of the curve explorer page (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from components.explorer_export import make_whole_set_export
from components.ids.explorer import Explorer
from services.explorer.population import MAX_GROUPS, OTHER
from services.explorer.state import OBJECT_KINDS, SIDES

GRAPH_HEIGHT = 520
#: A date applies this long after its last change (no Enter needed).
DATE_DEBOUNCE_MS = 700
OBJECT_COLUMNS = ("kind", "name", "x0", "x1", "y0", "y1", "entry", "exit", "direction",
                  "margin")
OUTLIER_COLUMNS = (("rank", "#"), ("curve_id", "Curve"), ("serial", "Serial"),
                   ("reason", "Why"), ("score", "Score"), ("station", "Station"),
                   ("ts", "Time"), ("result", "Result"), ("max_abs_dev", "Max |dev|"),
                   ("area_outside", "Area outside"), ("verdict", "Objects"))


#: A long filter list holds only some of its values until one types (the server searches
#: them all), so "select all" selects what is shown (other labels keep Dash's defaults).
SEARCHED_LABELS = {"select_all": "Select shown", "search": "Type to search all values",
                   "no_options_found": "No value matches"}


def _select(component_id: str, label: str, *, multi: bool = True, clearable: bool = True,
            searched: bool = False) -> dbc.Col:
    extra: dict[str, Any] = {"labels": SEARCHED_LABELS} if searched else {}
    return dbc.Col([dbc.Label(label, html_for=component_id, className="small mb-1"),
                    dcc.Dropdown(id=component_id, multi=multi, clearable=clearable,
                                 placeholder="All", className="explorer-select", **extra)],
                   md=4, lg=2, className="mb-2")


def make_filters() -> dbc.Card:
    """The filter bar: process, line, station, product, batch, result, dates, colour."""
    return dbc.Card(dbc.CardBody(dbc.Row([
        _select(Explorer.process, "Process", multi=False, clearable=False),
        _select(Explorer.lines, "Line", searched=True),
        _select(Explorer.stations, "Station", searched=True),
        _select(Explorer.products, "Product", searched=True),
        _select(Explorer.batches, "Batch", searched=True),
        _select(Explorer.results, "Result"),
        # A relative range replaces the dates (and a date typed replaces the range); dates
        # apply 0.7 s after the last change (a pick, a typed digit, leaving the field).
        dbc.Col([dbc.Label("Time range", html_for=Explorer.range, className="small mb-1"),
                 dbc.Select(id=Explorer.range, options=[{"label": "Dates below",
                                                         "value": "dates"}],
                            value="dates", className="form-select-sm")],
                md=4, lg=2, className="mb-2"),
        dbc.Col([dbc.Label("From", html_for=Explorer.start, className="small mb-1"),
                 dbc.Input(id=Explorer.start, type="date", debounce=DATE_DEBOUNCE_MS)],
                md=4, lg=2, className="mb-2"),
        dbc.Col([dbc.Label("To", html_for=Explorer.end, className="small mb-1"),
                 dbc.Input(id=Explorer.end, type="date", debounce=DATE_DEBOUNCE_MS)],
                md=4, lg=2, className="mb-2"),
        _select(Explorer.color_by, "Colour by", multi=False, clearable=False),
    ], className="g-2")), className="shadow-sm mb-3")


def make_chart() -> dbc.Card:
    """The overlay chart with its summary line."""
    config: dcc.Graph.Config = {
        "displaylogo": False, "scrollZoom": True, "edits": {"shapePosition": True},
        "toImageButtonOptions": {"format": "png", "filename": "curve-explorer", "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    return dbc.Card(dbc.CardBody([
        html.Div(id=Explorer.summary, className="small text-body-secondary mb-1"),
        dcc.Checklist(id=Explorer.shown, options=[], value=[], inline=True,
                      className="small explorer-groups mb-1",
                      inputClassName="me-1", labelClassName="me-3"),
        dcc.Loading(dcc.Graph(id=Explorer.graph, config=config,
                              style={"height": f"{GRAPH_HEIGHT}px"},
                              figure={"data": [], "layout": {"height": GRAPH_HEIGHT}}),
                    delay_show=400, type="circle"),
    ]), className="shadow-sm mb-3")


def group_label(group: str) -> str:
    """The name a colour group is shown under."""
    return "all others" if group == OTHER else group or "(none)"


def make_group_options(groups: Sequence[str]) -> list[dict[str, str]]:
    """Checklist options, one per colour group, with plain-text labels.

    The labels stay text: Dash 4's renderer loses track of components nested in a
    checklist's ``options`` when a callback replaces them (a new colouring), and the page
    then crashes and reloads. Each option's colour swatch is drawn by the stylesheet from
    :func:`group_swatches`.
    """
    return [{"label": group_label(group), "value": group} for group in groups]


def group_swatches(colors: Sequence[str]) -> dict[str, str]:
    """The checklist's ``style``: one CSS variable per option, ``--explorer-group-<i>``, the
    colour ``assets/explorer.css`` paints before the i-th option's name."""
    if len(colors) > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} colour groups, got {len(colors)}")
    return {f"--explorer-group-{i}": color for i, color in enumerate(colors)}


#: How often the page asks for the outlier ranking under way (ms).
RANKING_POLL_MS = 250


def make_outlier_table() -> html.Div:
    """The ranked outlier table (paged, one row selectable), with the job of the ranking
    under way and the poll for its answer."""
    return html.Div([
        dcc.Store(id=Explorer.ranking),
        dcc.Interval(id=Explorer.ranking_poll, interval=RANKING_POLL_MS, disabled=True),
        html.Div(id=Explorer.outliers_info, className="small text-body-secondary mb-2"),
        dash_table.DataTable(
            id=Explorer.outliers, columns=[{"name": n, "id": c} for c, n in OUTLIER_COLUMNS],
            data=[], page_size=12, sort_action="native", row_selectable=False,
            cell_selectable=True, style_table={"overflowX": "auto"},
            style_cell={"fontSize": "0.8rem", "padding": "4px 6px", "textAlign": "left"},
            style_header={"fontWeight": "600"},
            style_cell_conditional=[{"if": {"column_id": "reason"}, "whiteSpace": "normal",
                                     "minWidth": "12rem", "maxWidth": "18rem"}],
            style_data_conditional=[{"if": {"filter_query": "{result} = NOK"},
                                     "color": "#c62828"}]),
    ])


def make_golden_panel() -> html.Div:
    """Choose a saved golden curve, or build one from the filtered known-good curves (the
    build form stacks: it sits in the narrow side column at every width)."""
    return html.Div([
        dbc.Label("Golden curve", html_for=Explorer.golden_select, className="small mb-1"),
        dcc.Dropdown(id=Explorer.golden_select, placeholder="Built from the filtered OK curves",
                     className="mb-3"),
        html.Div("Build a new version from the filtered curves:", className="small mb-2"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=Explorer.golden_source, clearable=False, value="ok",
                                 options=[{"label": "OK curves only", "value": "ok"},
                                          {"label": "All filtered curves", "value": "all"}]),
                    width=12),
            dbc.Col(dcc.Dropdown(id=Explorer.golden_method, clearable=False,
                                 value="median-percentile",
                                 options=[{"label": "Median, percentile band",
                                           "value": "median-percentile"},
                                          {"label": "Mean ± kσ", "value": "mean-sigma"}]),
                    width=12),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(dbc.InputGroup([dbc.InputGroupText("Band"),
                                    dbc.Input(id=Explorer.golden_band, type="number",
                                              value=5, min=0.1, max=49, step=0.1)]),
                    width=5),
            dbc.Col(dbc.Input(id=Explorer.golden_name, placeholder="Name, e.g. PH-200 nominal",
                              maxLength=80), width=7),
            dbc.Col(dbc.Button("Save version", id=Explorer.golden_save, color="primary",
                               className="w-100"), width=12),
        ], className="g-2"),
        html.Div(id=Explorer.golden_alert, className="mt-2"),
    ])


def make_objects_panel() -> html.Div:
    """Editable evaluation objects with a live what-if summary."""
    dropdowns = {"kind": {"options": [{"label": k, "value": k} for k in OBJECT_KINDS]},
                 "entry": {"options": [{"label": s, "value": s} for s in SIDES]},
                 "exit": {"options": [{"label": s, "value": s} for s in SIDES]},
                 "direction": {"options": [{"label": d, "value": d} for d in ("up", "down")]}}
    columns = [{"name": c, "id": c, "editable": True,
                **({"presentation": "dropdown"} if c in dropdowns else {}),
                **({"type": "numeric"} if c in ("x0", "x1", "y0", "y1", "margin") else {})}
               for c in OBJECT_COLUMNS]
    return html.Div([
        html.P("Drag or resize an object on the chart, or edit a value, to see which parts "
               "would flip; Apply makes it the reference.",
               className="small text-body-secondary mb-2"),
        dash_table.DataTable(id=Explorer.objects, columns=columns, data=[], editable=True,
                             row_deletable=True, dropdown=dropdowns,
                             style_cell={"fontSize": "0.8rem", "padding": "3px 5px"},
                             style_table={"overflowX": "auto"}),
        html.Div([
            dbc.Button("+ Window", id=Explorer.add_window, size="sm", color="secondary",
                       outline=True, className="me-2"),
            dbc.Button("+ Envelope", id=Explorer.add_envelope, size="sm", color="secondary",
                       outline=True, className="me-2"),
            dbc.Button("+ Threshold", id=Explorer.add_threshold, size="sm", color="secondary",
                       outline=True, className="me-2"),
            dbc.Button("Apply", id=Explorer.apply_objects, size="sm", color="primary"),
        ], className="my-2"),
        html.Div(id=Explorer.whatif),
    ])


def make_export_panel() -> html.Div:
    """Downloads and the shareable link."""
    return html.Div([
        html.P("The selected curves are the highlighted outliers plus the clicked curve.",
               className="small text-body-secondary"),
        dbc.Button([html.I(className="bi bi-filetype-csv me-1"), "Curves CSV"],
                   id=Explorer.export_csv, size="sm", color="primary", outline=True,
                   className="me-2"),
        dbc.Button([html.I(className="bi bi-file-earmark-binary me-1"), "Curves Parquet"],
                   id=Explorer.export_parquet, size="sm", color="primary", outline=True,
                   className="me-2"),
        dbc.Button([html.I(className="bi bi-table me-1"), "Outlier table CSV"],
                   id=Explorer.export_outliers, size="sm", color="primary", outline=True),
        make_whole_set_export(),
        html.P("Chart PNG: the camera icon above the chart.",
               className="small text-body-secondary mt-2"),
        dbc.InputGroup([dbc.Button("Share link", id=Explorer.share_button, color="primary"),
                        dbc.Input(id=Explorer.share, readonly=True,
                                  placeholder="Filters, zoom and objects of this view"),
                        dbc.InputGroupText(dcc.Clipboard(target_id=Explorer.share,
                                                         id=Explorer.share_copy,
                                                         title="Copy the link"))],
                       size="sm", className="mt-2"),
        dcc.Download(id=Explorer.download),
    ])


def make_part(row: dict[str, Any], features: Sequence[tuple[str, float, str]]) -> dbc.Card:
    """The clicked curve's part: serial, station, time, result and features."""
    items = [("Serial", row["serial"]), ("Curve", row["curve_id"]), ("Line", row["line"]),
             ("Station", row["station"]), ("Product", row["product"]),
             ("Batch", row["batch"]), ("Time", str(row["ts"])[:19]),
             ("Result", row["result"] + (f" — {row['defect_mode']}" if row["defect_mode"]
                                         else ""))]
    items += [(name, f"{value:.3f} {unit}".strip()) for name, value, unit in features]
    return dbc.Card(dbc.CardBody([
        html.H2("Part", className="h6 text-uppercase text-body-secondary"),
        html.Dl([child for label, value in items
                 for child in (html.Dt(label, className="col-5 small"),
                               html.Dd(str(value), className="col-7 small mb-1"))],
                className="row mb-0"),
    ]), className="shadow-sm", id="explorer-part-card")


def make_whatif(*, n_curves: int, before: int, after: int,
                to_nok: list[tuple[int, str]], to_ok: list[tuple[int, str]]) -> html.Div:
    """The what-if summary: counts and the curves that flip."""
    def listing(items: list[tuple[int, str]]) -> html.Ul:
        return html.Ul([html.Li(f"curve {cid} ({why})") for cid, why in items[:50]]
                       + ([html.Li(f"… and {len(items) - 50} more")] if len(items) > 50 else []),
                       className="small mb-1 explorer-flips")
    return html.Div([
        html.Div([html.Strong(f"{before} → {after} NOK"), f" of {n_curves:,} filtered curves"],
                 className="mb-1"),
        html.Div([dbc.Badge(f"{len(to_nok)} OK → NOK", color="danger", className="me-2"),
                  dbc.Badge(f"{len(to_ok)} NOK → OK", color="success")], className="mb-2"),
        listing(to_nok) if to_nok else None,
        listing(to_ok) if to_ok else None,
    ], id="explorer-whatif-result")
