"""What each explorer action needs, in one call per action (the callbacks' and API's door)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

import numpy as np
import polars as pl

from data.analytics import curves as curve_data
from lyceum.errors import NotFound, ValidationError
from services.clusters.catalog import feature_words
from services.core.runtime import Runtime
from services.explorer import curve_queries as explorer
from services.explorer import evaluation, golden, outlier_profiles, outliers
from services.explorer.curve_queries import Density, Options
from services.explorer.golden import Golden
from services.explorer.state import (
    RESULTS,
    EvalObject,
    ExplorerState,
    decode_state,
    validate_state,
)

TOP_OUTLIERS = 20
Lines = dict[int, tuple[Any, Any]]
#: A filter list offers at most this many values besides the chosen ones; typing searches
#: the rest on the server. A dropdown indexes every option it is given for its search box:
#: the demo's 971 batches cost ~50 ms of every page open.
LISTED_MAX = 50
SEARCHABLE = ("lines", "stations", "products", "batches")
SEARCH_MAX_CHARS = 100


@dataclass(frozen=True)
class Opened:
    """A decoded, checked state with the choices its filters offer."""

    state: ExplorerState
    options: Options
    goldens: list[dict[str, Any]]


def open_view(runtime: Runtime, cluster_id: int, encoded: str) -> Opened:
    """The state from a link (``""``: defaults), checked against this cluster's values."""
    state = decode_state(encoded) if encoded else ExplorerState()
    _session, _query, opts = explorer.resolve(runtime, cluster_id, state)
    state = state.with_(process=opts.process)
    if state.golden_id is not None:
        golden.get(runtime, cluster_id, state.golden_id)  # another cluster's id: not found
    return Opened(state=state, options=opts,
                  goldens=golden.list_for(runtime, cluster_id, process=opts.process))


def listed(known: Sequence[str], *, selected: Sequence[Any] = (), search: str = "") -> list[str]:
    """What a filter list offers: the chosen values that are known, then the known values
    containing ``search`` (any case), at most ``LISTED_MAX`` of those."""
    chosen = set(selected)
    kept = [v for v in known if v in chosen]
    found = [v for v in matching(known, search) if v not in chosen]
    return kept + found[:LISTED_MAX]


def matching(values: Sequence[str], search: str) -> list[str]:
    """The values containing ``search`` (any case, surrounding spaces ignored)."""
    needle = search.strip().casefold()
    return [v for v in values if needle in v.casefold()]


def search_values(runtime: Runtime, cluster_id: int, state: ExplorerState, key: str, *,
                  search: Any, selected: Any) -> list[str] | None:
    """The values of filter ``key`` to offer while ``search`` is typed (``None``: the list
    already offers every value). The text is only compared with the known values."""
    if key not in SEARCHABLE:
        raise ValidationError("Unknown filter.")
    known = explorer.options(runtime, cluster_id, process=state.process).values[key]
    if len(known) <= LISTED_MAX:
        return None
    text = search[:SEARCH_MAX_CHARS] if isinstance(search, str) else ""
    chosen = [v for v in selected if isinstance(v, str)] if isinstance(selected, list) else []
    return listed(known, selected=chosen, search=text)


def filter_values(runtime: Runtime, cluster_id: int, *, process: Any,
                  search: Any = "") -> dict[str, Any]:
    """Every value each filter of ``process`` may take (``None``: the first process),
    narrowed to those containing ``search`` (any case; only compared, never queried)."""
    if process is not None and (not isinstance(process, str) or len(process) > 80):
        raise ValidationError("Give the process as a name, one of the cluster's processes.")
    if not isinstance(search, str) or len(search) > SEARCH_MAX_CHARS:
        raise ValidationError(f"search: at most {SEARCH_MAX_CHARS} characters.")
    opts = explorer.options(runtime, cluster_id, process=process or None)
    values = {k: matching(opts.values[k], search) for k in SEARCHABLE}
    return {"process": opts.process, "processes": opts.processes, **values,
            "results": list(RESULTS)}


def _day(value: Any, *, end: bool, previous: datetime | None = None) -> datetime | None:
    """The date field as a bound (start or end of that day); ``previous`` is kept when the
    field still shows its day (a link or a saved view may hold an exact time)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError("Dates must look like 2026-11-25.") from None
    if previous is not None and previous.date() == day:
        return previous
    return datetime.combine(day, time.max if end else time.min)


def filter_state(runtime: Runtime, cluster_id: int, previous: ExplorerState, *,
                 values: dict[str, Any]) -> Opened:
    """A new state from the filter controls (zoom and highlights reset on a new process)."""
    changes = {key: tuple(values.get(key) or ()) for key in
               ("lines", "stations", "products", "batches", "results")}
    process = values.get("process") or previous.process
    same = process == previous.process
    if not same:
        changes = dict.fromkeys(changes, ())
    state = validate_state(ExplorerState(
        process=process, **changes,
        start=_day(values.get("start"), end=False, previous=previous.start),
        end=_day(values.get("end"), end=True, previous=previous.end),
        relative=values.get("relative") or None,
        color_by=values.get("color_by") or "result",
        golden_id=values.get("golden_id") if same else None,
        hidden=tuple(values.get("hidden") or ())
        if same and values.get("color_by") == previous.color_by else (),
        x_range=previous.x_range if same else None, y_range=previous.y_range if same else None,
        highlight=previous.highlight if same else (), objects=previous.objects if same else ()))
    return open_view_state(runtime, cluster_id, state)


def open_view_state(runtime: Runtime, cluster_id: int, state: ExplorerState) -> Opened:
    """Like :func:`open_view` for a state object."""
    _session, _query, opts = explorer.resolve(runtime, cluster_id, state)
    if state.golden_id is not None:
        golden.get(runtime, cluster_id, state.golden_id)
    return Opened(state=state.with_(process=opts.process), options=opts,
                  goldens=golden.list_for(runtime, cluster_id, process=opts.process))


@dataclass(frozen=True)
class Drawing:
    """The first draw: the density of the whole view plus saved golden and selection."""

    density: Density
    golden: Golden | None
    selected: Lines
    axes: tuple[str, str, str, str]
    #: The cluster's data version this drawing shows (see :mod:`services.explorer.freshness`).
    version: int = 0
    #: Where a new evaluation object goes ({"x": [x0, x1], "y": [y0, y1]}): over the saved
    #: golden band in the middle of the view, else the middle of the view (see
    #: :func:`services.explorer.evaluation.placement`); :func:`analyse` refines it over the
    #: automatic golden curve it builds anyway, so the draw does not build one.
    place: dict[str, list[float]] | None = None


#: Highlighted curves (a link's: an alert's, a subgroup's) drawn as lines before a curve
#: is clicked; more stay highlighted in the state (and in the page's address), undrawn.
DRAWN_HIGHLIGHTS = 20
#: What a curve id the filters do not match (or no curve of the cluster) is answered.
NOT_FILTERED = "That curve is not among the filtered curves of this cluster."


def shown_selection(session: Any, query: Any, selected: list[int],
                    highlighted: Sequence[int]) -> list[int]:
    """The curves drawn as "Selected": the clicked one (a forged id is refused); before any
    click, the state's highlighted ones (a link's: an alert's or a subgroup's curves) that
    the filters match, at most :data:`DRAWN_HIGHLIGHTS`. A click replaces them, as it
    replaces the highlight in the page's address (``services.explorer.state.with_view``)."""
    if selected:
        return _owned(session, query, selected)
    return explorer.owned_subset(session, query, list(highlighted)[:DRAWN_HIGHLIGHTS])


def draw(runtime: Runtime, cluster_id: int, state: ExplorerState, *, width: int,
         height: int, selected: list[int]) -> Drawing:
    """Density for the state's range (or everything), the saved golden curve if chosen,
    and as lines the clicked curve and the state's highlighted ones."""
    session, query, opts = explorer.resolve(runtime, cluster_id, state)
    version = explorer.follow_data(runtime, cluster_id, session)
    dens = explorer.density(session, query, color_by=state.color_by, x_range=state.x_range,
                            y_range=state.y_range, width=width, height=height,
                            use_stored=runtime.settings.explorer_partials)
    saved = golden.get(runtime, cluster_id, state.golden_id) if state.golden_id else None
    ids = shown_selection(session, query, selected, state.highlight)
    lines = explorer.lines(session, query, curve_ids=ids, x_range=state.x_range,
                           width=width) if ids else {}
    return Drawing(density=dens, golden=saved, selected=lines, axes=opts.axes,
                   version=version,
                   place=evaluation.placement(saved, dens.x_range, dens.y_range))


def _owned(session: Any, query: Any, curve_ids: list[int]) -> list[int]:
    """``curve_ids`` that match the filters (a forged id is refused)."""
    if not explorer.owned(session, query, curve_ids):
        raise NotFound(NOT_FILTERED)
    return list(curve_ids)


def zoom(runtime: Runtime, cluster_id: int, state: ExplorerState, *, width: int, height: int,
         outliers: list[int], selected: list[int]) -> tuple[Density, Lines, Lines]:
    """The re-aggregated density and re-reduced lines for the state's (zoomed) range: the
    outliers', and the clicked and highlighted curves' (:func:`shown_selection`)."""
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    dens = explorer.density(session, query, color_by=state.color_by, x_range=state.x_range,
                            y_range=state.y_range, width=width, height=height,
                            use_stored=runtime.settings.explorer_partials)
    shown = shown_selection(session, query, selected, state.highlight)
    ids = _owned(session, query, list(dict.fromkeys([*outliers, *shown])))
    lines = explorer.lines(session, query, curve_ids=ids, x_range=dens.x_range, width=width)
    return (dens, {c: lines[c] for c in outliers if c in lines},
            {c: lines[c] for c in shown if c in lines})


def refine(runtime: Runtime, cluster_id: int, state: ExplorerState, *, width: int,
           height: int) -> Density:
    """The view at screen resolution without the stored partials (the finer answer to a
    view they drew coarser than the screen)."""
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    return explorer.density(session, query, color_by=state.color_by, x_range=state.x_range,
                            y_range=state.y_range, width=width, height=height,
                            use_stored=False)


@dataclass(frozen=True)
class Analysis:
    """Golden curve used, ranked outliers (table rows) and the top ones as lines."""

    golden: Golden
    rows: list[dict[str, Any]]
    top_lines: Lines
    n_nok_objects: int = 0
    notes: list[str] = field(default_factory=list)
    #: Curves ranked (every filtered curve unless a bound of the ranking stopped it: then
    #: ``bounded`` says which share and why) and the table's cap.
    n_ranked: int = 0
    limit: int = 500
    #: The filtered curves (``None``: as many as were ranked).
    n_matching: int | None = None
    bounded: str = ""
    #: Whether an unsaved golden curve was built from the OK curves among the filtered ones
    #: (else from all of them: none is OK, e.g. with the result filter on NOK).
    from_ok: bool = True
    #: Where a new evaluation object goes over this golden curve's band, in the drawn
    #: ``ranges`` given to :func:`analyse` (``None`` without them).
    place: dict[str, list[float]] | None = None


def _golden_for(runtime: Runtime, cluster_id: int, state: ExplorerState,
                profiles: explorer.Profiles, session: Any, query: Any) -> Golden:
    if state.golden_id is not None:
        return golden.get(runtime, cluster_id, state.golden_id)
    return golden.build(profiles, curve_ids=_ok_ids(session, query) or None)


def _ok_ids(session: Any, query: Any) -> list[int]:
    """Ids of the filtered curves judged OK."""
    if query.results and "OK" not in query.results:
        return []
    return curve_data.curve_ids(session, replace(query, results=("OK",)))


def analyse(runtime: Runtime, cluster_id: int, state: ExplorerState, *,
            width: int, limit: int = 500,
            ranges: tuple[Sequence[float], Sequence[float]] | None = None) -> Analysis:
    """Rank the filtered curves against the golden curve (the usual variation: the OK
    curves among them, or all when none is OK) and judge them with the objects; with the
    drawn x and y ``ranges``, also where a new object goes over that golden band. Every
    filtered curve is ranked unless the ranking's time or memory bound stops its read
    (:mod:`services.explorer.outlier_profiles`): then an even sample of them."""
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    read = outlier_profiles.ranked_profiles(session, query)
    profiles = read.profiles
    if not len(profiles.curve_ids):
        raise NotFound("No curves match these filters.")
    ok_ids = _ok_ids(session, query)
    gold = golden.get(runtime, cluster_id, state.golden_id) if state.golden_id is not None \
        else golden.build(profiles, curve_ids=ok_ids or None)
    ranking = outliers.rank(profiles, gold, reference=np.isin(profiles.curve_ids, ok_ids),
                            explain=limit)
    verdict = dict(zip(profiles.curve_ids.tolist(),
                       evaluation.judge(profiles, state.objects, golden=gold), strict=True))
    top = [int(c) for c in ranking.curve_ids[:limit]]
    rows = _ranked_rows(session, query, ranking, top, evaluation.score(profiles, gold),
                        verdict={c: verdict.get(c) or ("OK" if state.objects else "")
                                 for c in top})
    unusual = [c for c, odd in zip(top, ranking.unusual.tolist(), strict=False) if odd]
    lines = explorer.lines(session, query, curve_ids=unusual[:TOP_OUTLIERS],
                           x_range=state.x_range, width=width) if unusual else {}
    n_nok = sum(1 for v in verdict.values() if v)
    place = evaluation.placement(gold, *ranges) if ranges is not None else None
    return Analysis(golden=gold, rows=rows, top_lines=lines, n_nok_objects=n_nok,
                    n_ranked=len(profiles.curve_ids), limit=limit, place=place,
                    n_matching=read.n_matching, bounded=read.words(), from_ok=bool(ok_ids))


def _orange(drawn: int) -> str:
    """Which curves the chart draws in orange: the first ones outside the usual variation."""
    if not drawn:
        return "None is outside the usual variation, so none is drawn in orange."
    first = "The one" if drawn == 1 else f"The first {drawn}"
    return (f"{first} outside the usual variation {'is' if drawn == 1 else 'are'} drawn in "
            f"orange (at most {TOP_OUTLIERS}, so the chart stays readable).")


def outlier_note(result: Analysis, *, drawn: int | None, objects: bool) -> str:
    """What the outlier table holds, every count naming its set and agreeing with the
    chart's (``drawn``: the filtered curves the chart was drawn from)."""
    g = result.golden
    label = (f"saved golden curve {g.name} v{g.version}, built from {g.n_curves:,} curves"
             if g.id else f"golden curve built from the {g.n_curves:,} OK curves among them"
             if result.from_ok else
             f"golden curve built from all {g.n_curves:,} of them (none is OK, so “usual” "
             "means usual among these curves, not among good parts)")
    listed = len(result.rows)
    table = (f"the table lists all {listed:,}, most deviating first" if listed == result.n_ranked
             else f"the table lists the {listed:,} most deviating (it holds at most "
                  f"{result.limit:,} rows; export the whole set from the Export tab)")
    which = (f"Ranked {result.bounded}; these curves" if result.bounded
             else f"All {result.n_ranked:,} filtered curves")
    text = (f"{which} ranked against the {label}, each "
            f"aligned in x first, and against the usual curves most like it; {table}; "
            f"“Why” names its largest deviation. {_orange(len(result.top_lines))} "
            "Click a row for its part.")
    matching = result.n_ranked if result.n_matching is None else result.n_matching
    if drawn is not None and drawn != matching:
        text += (f" The chart was drawn from {drawn:,} filtered curves; "
                 f"{abs(matching - drawn):,} "
                 f"{'arrived' if matching > drawn else 'left the filters'} since, and "
                 "it redraws when it sees the new data.")
    if objects:
        text += (f" Evaluation objects: {result.n_nok_objects:,} of "
                 f"{'the ranked curves' if result.bounded else 'them'} NOK.")
    return text


def _ranked_rows(session: Any, query: Any, ranking: outliers.Ranking, top: list[int],
                 band: evaluation.Scores, *, verdict: dict[int, str]) -> list[dict[str, Any]]:
    """The outlier table: the ``top`` curves in rank order with their part columns, score,
    reason, band deviations and the objects' verdict."""
    meta = {int(r["curve_id"]): r for r in
            curve_data.curve_rows(session, query, limit=len(top), curve_ids=top)}
    dev = dict(zip(band.curve_ids.tolist(), zip(band.max_abs_dev.tolist(),
                                               band.area_outside.tolist(), strict=True),
                   strict=True))
    return [{"rank": i + 1, "curve_id": cid, "serial": meta[cid]["serial"],
             "station": meta[cid]["station"], "ts": str(meta[cid]["ts"])[:19],
             "result": meta[cid]["result"],
             "score": round(float(score), 1) if np.isfinite(score) else None,
             "reason": reason, "max_abs_dev": round(dev[cid][0], 3),
             "area_outside": round(dev[cid][1], 3), "verdict": verdict[cid]}
            for i, (cid, score, reason) in enumerate(zip(top, ranking.score[:len(top)],
                                                         ranking.reasons, strict=True))
            if cid in meta]


def part(runtime: Runtime, cluster_id: int, state: ExplorerState, *, curve_id: int,
         width: int, highlights: bool = False
         ) -> tuple[dict[str, Any], list[tuple[str, float, str]], Lines]:
    """One filtered curve's part row, features (named in words) and its line; with
    ``highlights``, the lines of the state's highlighted curves the filters match instead
    (:func:`shown_selection`: a link's, whose first curve this is)."""
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    # the row is read through the filters: none means the curve is not among them (forged)
    rows = curve_data.curve_rows(session, query, limit=1, curve_ids=[curve_id])
    if not rows:
        raise NotFound(NOT_FILTERED)
    row = rows[0]
    feats = [(feature_words(name), value, unit) for name, value, unit in
             curve_data.features(session, process=query.process, curve_id=curve_id)]
    ids = shown_selection(session, query, [], state.highlight) if highlights else [curve_id]
    lines = explorer.lines(session, query, curve_ids=ids, x_range=state.x_range, width=width)
    return row, feats, lines


def save_golden(runtime: Runtime, cluster_id: int, state: ExplorerState, *, name: str,
                method: str, band: float, source: str, actor: Any) -> Golden:
    """Build a golden curve from the filtered (OK, or all) curves and save a new version."""
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    profiles = explorer.profiles(session, query)
    ids = _ok_ids(session, query) if source == "ok" else None
    built = golden.build(profiles, method=method, band=band, curve_ids=ids)
    filters = {k: v for k, v in _jsonable(state).items()
               if k in ("lines", "stations", "products", "batches", "results", "start", "end")}
    return golden.save(runtime, cluster_id, built, process=query.process, name=name,
                       built_from={"filters": filters, "source": source, "method": method},
                       actor=actor)


def _jsonable(state: ExplorerState) -> dict[str, Any]:
    return {"lines": list(state.lines), "stations": list(state.stations),
            "products": list(state.products), "batches": list(state.batches),
            "results": list(state.results),
            "start": state.start.isoformat() if state.start else None,
            "end": state.end.isoformat() if state.end else None}


def what_if(runtime: Runtime, cluster_id: int, state: ExplorerState, *,
            draft: list[EvalObject]) -> evaluation.WhatIf:
    """How the draft objects change the verdicts compared with the applied ones."""
    draft_state = state.with_(objects=tuple(draft))
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    if not state.objects and not draft_state.objects:  # nothing to judge: no curve scan
        count = explorer.full_range(session, query)["count"]
        return evaluation.WhatIf(n_curves=count, n_nok_before=0, n_nok_after=0, ok_to_nok=[],
                                 nok_to_ok=[])
    profiles = explorer.profiles(session, query)
    needs_golden = any(o.kind == "envelope" for o in (*state.objects, *draft_state.objects))
    gold = _golden_for(runtime, cluster_id, state, profiles, session, query) \
        if needs_golden else None
    return evaluation.what_if(profiles, state.objects, draft_state.objects, golden=gold)


# ----------------------------------------------------------------------------- export

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV with formula-looking text neutralised."""
    frame = pl.DataFrame([{k: safe_cell(v) for k, v in r.items()} for r in rows])
    return frame.write_csv()


def export_curves(runtime: Runtime, cluster_id: int, state: ExplorerState, *,
                  curve_ids: list[int], fmt: str) -> bytes | str:
    """The selected curves' samples with their part columns, as CSV text or Parquet bytes."""
    if not curve_ids:
        raise ValidationError("Nothing selected: highlight outliers or click a curve first.")
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    ids = _owned(session, query, curve_ids[:500])
    meta = pl.DataFrame(curve_data.curve_rows(session, query, limit=len(ids), curve_ids=ids))
    meta = meta.select("curve_id", "serial", "line", "station", "product", "batch", "result")
    points = curve_data.curve_points(session, process=query.process, curve_ids=ids)
    frame = meta.with_columns(pl.col("curve_id").cast(pl.UInt64)).join(
        points, on="curve_id").sort("curve_id", "idx")
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    return csv_text(frame.to_dicts())


def summary_text(density: Density) -> str:
    """A line under the chart: how many curves the image holds."""
    if density.stored_cells is not None:
        cols, rows = density.stored_cells
        shown = (f"{density.n_curves:,} filtered curves drawn as lines from stored partial "
                 "images")
        if density.coarse:
            shown += (f" (coarser than the screen: {cols:,} × {rows:,} stored cells for "
                      f"{density.images[0].shape[1]:,} × {density.images[0].shape[0]:,} "
                      "pixels; refining…)" if density.images else "")
    elif density.n_in_view is not None:
        shown = (f"{density.n_curves:,} filtered curves drawn as lines"
                 f"{' from their samples in this range' if density.from_window else ''}, "
                 f"{density.n_in_view:,} of them in this view")
    else:
        total = float(np.sum([img.sum() for img in density.images])) if density.images else 0.0
        shown = (f"{density.n_curves:,} filtered curves drawn as sampled points ({total:,.0f} "
                 "curve-equivalents in this view; lines once they are in memory)")
    return (f"{shown}, "
            f"x {density.x_range[0]:.3g}…{density.x_range[1]:.3g}, "
            f"y {density.y_range[0]:.3g}…{density.y_range[1]:.3g}")


def list_curves(runtime: Runtime, cluster_id: int, *, filters: dict[str, Any], limit: int,
                offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of matching curves (metadata, newest first) and the total count."""
    lists: dict[str, Any] = {k: tuple(filters.get(k) or ()) for k in
                             ("lines", "stations", "products", "batches", "results")}
    state = validate_state(ExplorerState(process=filters.get("process"), **lists,
                                         start=filters.get("start"), end=filters.get("end")))
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    total = curve_data.summary(session, query)["count"]
    rows = curve_data.curve_rows(session, query, limit=limit, offset=offset)
    for row in rows:
        row["ts"] = row["ts"].isoformat() if hasattr(row["ts"], "isoformat") else str(row["ts"])
    return rows, total
