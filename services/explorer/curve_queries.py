"""The curve explorer's view: filters checked against known values, the population as a
density image for the visible range, and a few highlighted curves as min/max-preserving lines.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from plotly_resampler.aggregation import MinMaxLTTB

from data.analytics import curves as curve_data
from data.analytics.curves import CurveQuery
from data.metadata import cluster_meta
from lyceum.errors import AppError, NotFound, ValidationError
from services.clusters import catalog as catalogs
from services.clusters.query_session import ClusterSession, for_cluster
from services.core.cache import ProcessCaches
from services.core.runtime import Runtime
from services.explorer import density_kernel as kernel
from services.explorer import outlier_kernel, partials, population, time_ranges
from services.explorer.state import MAX_HIGHLIGHTS, ExplorerState

#: Density image size bounds (pixels).
MAX_WIDTH, MAX_HEIGHT = 1600, 800
PROFILE_BINS = 256
#: A ClickHouse read of every filtered curve's profile runs as this many queries (the
#: engine runs one query at a time: other requests get their turn between them).
PROFILE_PARTS = 8
LINE_POINTS_PER_PIXEL = 0.5  # min and max kept per 2-pixel bucket


@dataclass(frozen=True)
class Options:
    """What the filters may choose from for one process."""

    processes: list[str]
    process: str
    values: dict[str, list[str]]
    axes: tuple[str, str, str, str]


@dataclass(frozen=True)
class Density:
    """Per-group images (``groups[i]`` → ``images[i]``, rows = y, cols = x)."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    groups: list[str]
    images: list[np.ndarray]
    n_curves: int
    n_in_view: int | None = None
    #: Drawn from stored partials: the grid cells (columns, rows) the view spans.
    stored_cells: tuple[int, int] | None = None
    #: Those cells are fewer than the screen's pixels (a finer answer is on its way).
    coarse: bool = False
    #: Drawn as lines from the samples in the view's x window, read for it (not held).
    from_window: bool = False


OPTIONS_TTL_S = 30.0
OPTIONS_KEPT, FACTS_KEPT = 256, 512  # beyond this many entries a map starts afresh
VIEWS_KEPT = 8  # whole views drawn from memory, least recently stored dropped first
#: A zoom of a process not held in memory is drawn as lines from the samples in its x window
#: when about this many lie there (20 bytes each in flight); beyond, as sampled points.
WINDOW_SAMPLES = 10_000_000
PROFILES_KEPT = 3  # profile grids, least recently used dropped first


@dataclass
class ExplorerCaches:
    """The explorer's in-process caches of one runtime (``caches.of(ExplorerCaches)``)."""

    #: (database, process) → (when, filter options), for ``OPTIONS_TTL_S``.
    options: dict[tuple[str, str | None], tuple[float, Options]] = field(default_factory=dict)
    #: Ranges and colour groups read from ClickHouse → (when, value), for ``OPTIONS_TTL_S``.
    facts: dict[tuple[Any, ...], tuple[float, Any]] = field(default_factory=dict)
    #: The data version (``services.clusters.catalog``) each database was last seen at.
    versions: dict[str, int] = field(default_factory=dict)
    #: Whole views → (population loaded_at, curves covered, images, curves in view).
    views: OrderedDict[tuple[Any, ...], tuple[float, int, list[np.ndarray], int]] = field(
        default_factory=OrderedDict)
    #: Profile grids (:class:`Profiles`, or the ranking's bounded reads of them).
    profiles: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        """Forget every cached option, fact, view and profile."""
        with self.lock:
            self.options.clear()
            self.facts.clear()
            self.versions.clear()
            self.views.clear()
            self.profiles.clear()


def _caches(caches: ProcessCaches) -> ExplorerCaches:
    return caches.of(ExplorerCaches)


def options(runtime: Runtime, cluster_id: int, *, process: str | None) -> Options:
    """The processes and the values each filter may take (``process=None``: the first);
    remembered for ``OPTIONS_TTL_S`` per cluster database (the role is checked by callers)."""
    session = for_cluster(runtime, cluster_id)
    follow_data(runtime, cluster_id, session)
    kept = _caches(runtime.caches).options
    key = (session.database, process)
    hit = kept.get(key)
    if hit and time.monotonic() - hit[0] < OPTIONS_TTL_S:
        return hit[1]
    found = _load_options(session, process)
    if len(kept) > OPTIONS_KEPT:
        kept.clear()
    kept[key] = (time.monotonic(), found)
    return found


def follow_data(runtime: Runtime, cluster_id: int, session: ClusterSession) -> int:
    """Catch up with the cluster's data version: after an import or ingest, forget the
    options and ClickHouse facts of its database and mark its held processes behind, so
    the next view shows the new curves. Returns the version."""
    version = catalogs.data_version(runtime, cluster_id)
    kept = _caches(runtime.caches)
    with kept.lock:
        seen = kept.versions.get(session.database)
        kept.versions[session.database] = version
        if seen is None or seen == version:
            return version
        for key in [k for k in list(kept.options) if k[0] == session.database]:
            kept.options.pop(key, None)
        for key in [k for k in list(kept.facts) if len(k) > 1 and k[1] == session.database]:
            kept.facts.pop(key, None)
    population.mark_behind(session)
    return version


def _load_options(session: ClusterSession, process: str | None) -> Options:
    names = curve_data.processes(session)
    if not names:
        raise NotFound("This cluster has no curves yet.")
    chosen = process or names[0]
    if chosen not in names:
        raise ValidationError("Unknown process: choose one from the list.",
                              fields={"process": "unknown"})
    values = curve_data.known_values(session, process=chosen)
    axes = values.pop("axes")
    return Options(processes=names, process=chosen, values=values,
                   axes=(axes[0], axes[1], axes[2], axes[3]))


def resolve(runtime: Runtime, cluster_id: int,
            state: ExplorerState) -> tuple[ClusterSession, CurveQuery, Options]:
    """The query for ``state``: every filter value must be one the cluster knows."""
    opts = options(runtime, cluster_id, process=state.process)
    for key, known in opts.values.items():
        unknown = set(getattr(state, key)) - set(known)
        if unknown:
            raise ValidationError(f"Unknown {key[:-1] if key != 'batches' else 'batch'}: "
                                  "choose values from the list.", fields={key: "unknown"})
    start, end = state.start, state.end
    if state.relative:
        start, end = time_ranges.bounds(state.relative, starts=runtime.settings.shift_starts)
    query = CurveQuery(process=opts.process, lines=state.lines, stations=state.stations,
                       products=state.products, batches=state.batches, results=state.results,
                       start=start, end=end)
    return for_cluster(runtime, cluster_id), query, opts


def _pad(lo: float, hi: float) -> tuple[float, float]:
    span = hi - lo if hi > lo else 1.0
    return (lo - 0.02 * span, hi + 0.02 * span)


def _remember(session: ClusterSession, key: tuple[Any, ...], compute: Any) -> Any:
    facts = _caches(session.caches).facts
    hit = facts.get(key)
    if hit and time.monotonic() - hit[0] < OPTIONS_TTL_S:
        return hit[1]
    value = compute()
    if len(facts) > FACTS_KEPT:
        facts.clear()
    facts[key] = (time.monotonic(), value)
    return value


def full_range(session: ClusterSession, query: CurveQuery) -> dict[str, Any]:
    """Count and padded x/y ranges of the matching curves (from the held population, else
    from ClickHouse, remembered briefly)."""
    pop = population.get(session, query.process)
    if pop is not None:
        info = population.summary(pop, population.mask(pop, query))
        return {"count": info["count"], "x": _pad(*info["x"]), "y": _pad(*info["y"])}

    found: dict[str, Any] = _remember(session, ("range", session.database, query),
                                      lambda: _engine_range(session, query))
    return found


def density(session: ClusterSession, query: CurveQuery, *, color_by: str,
            x_range: tuple[float, float] | None, y_range: tuple[float, float] | None,
            width: int, height: int, use_memory: bool = True,
            use_stored: bool = True) -> Density:
    """The population as per-group images of the visible range at screen resolution: the
    held curves drawn as lines when the process is in memory, else the stored partial
    images when the filter is a union of stored groups (:mod:`services.explorer.partials`),
    else sample bins from ClickHouse (while it loads, or when it is too big to hold).
    ``use_stored=False``: skip the partials (the finer answer to a coarse one, or a
    deployment that keeps none current: ``Settings.explorer_partials`` off)."""
    width, height = int(np.clip(width, 20, MAX_WIDTH)), int(np.clip(height, 20, MAX_HEIGHT))
    pop = population.get(session, query.process) if use_memory else None
    if pop is not None:
        return _from_memory(_caches(session.caches), pop, query, color_by=color_by,
                            x_range=x_range, y_range=y_range, width=width, height=height)
    info = full_range(session, query) if use_memory else _engine_range(session, query)
    xr, yr = x_range or info["x"], y_range or info["y"]
    groups: list[str] = _remember(session, ("groups", session.database, query, color_by),
                                  lambda: population.top_groups(curve_data.group_counts(
                                      session, query, color_by=color_by)))
    if use_stored and info["count"] and groups:
        found = partials.density(session, query, color_by=color_by, groups=groups,
                                 other=groups.index(population.OTHER)
                                 if population.OTHER in groups else -1,
                                 x_range=xr, y_range=yr, width=width, height=height)
        if found is not None:
            return Density(x_range=xr, y_range=yr, groups=groups, images=found.images,
                           n_curves=info["count"], stored_cells=found.cells,
                           coarse=found.coarse)
    if info["count"] and groups and x_range is not None:
        lines = _window_lines(session, query, groups=groups, color_by=color_by, x_range=xr,
                              y_range=yr, width=width, height=height)
        if lines is not None:
            return Density(x_range=xr, y_range=yr, groups=groups, images=lines[0],
                           n_curves=info["count"], n_in_view=lines[1], from_window=True)
    images = [np.zeros((height, width), dtype=np.float32) for _ in groups]
    if info["count"] and groups:
        _from_clickhouse(session, query, images, groups=groups, color_by=color_by,
                         x_range=xr, y_range=yr)
    return Density(x_range=xr, y_range=yr, groups=groups, images=images,
                   n_curves=info["count"] if groups else 0)


def _engine_range(session: ClusterSession, query: CurveQuery) -> dict[str, Any]:
    info = curve_data.summary(session, query)
    return {"count": info["count"], "x": _pad(*info["x"]), "y": _pad(*info["y"])}


def _from_memory(kept: ExplorerCaches, pop: population.Population, query: CurveQuery, *,
                 color_by: str,
                 x_range: tuple[float, float] | None, y_range: tuple[float, float] | None,
                 width: int, height: int) -> Density:
    """Draw from the held population. Whole views are kept and topped up with the curves
    appended since (each curve adds its own lines, so the sum is exact)."""
    keep = population.mask(pop, query)
    info = population.summary(pop, keep)
    xr, yr = x_range or _pad(*info["x"]), y_range or _pad(*info["y"])
    groups = population.groups(pop, keep, color_by=color_by) if info["count"] else []
    if not groups:
        return Density(x_range=xr, y_range=yr, groups=[], images=[], n_curves=0, n_in_view=0)
    whole = x_range is None and y_range is None
    key = (pop.database, pop.process, query, color_by, tuple(groups), xr, yr, width, height)
    with kept.lock:
        hit = kept.views.get(key) if whole else None
    if hit is not None and hit[0] == pop.loaded_at and hit[1] <= len(pop.curve_ids):
        covered, images, n_in_view = hit[1], hit[2], hit[3]
        if covered < len(pop.curve_ids):
            fresh = keep.copy()
            fresh[:covered] = False
            more, n_more = population.density(pop, fresh, color_by=color_by, groups=groups,
                                              x_range=xr, y_range=yr, width=width,
                                              height=height)
            images = [a + b for a, b in zip(images, more, strict=True)]
            n_in_view += n_more
    else:
        images, n_in_view = population.density(pop, keep, color_by=color_by, groups=groups,
                                               x_range=xr, y_range=yr, width=width,
                                               height=height)
    if whole:
        with kept.lock:
            kept.views[key] = (pop.loaded_at, len(pop.curve_ids), images, n_in_view)
            kept.views.move_to_end(key)
            while len(kept.views) > VIEWS_KEPT:
                kept.views.popitem(last=False)
    return Density(x_range=xr, y_range=yr, groups=groups, images=images,
                   n_curves=info["count"], n_in_view=n_in_view)


def _window_lines(session: ClusterSession, query: CurveQuery, *, groups: list[str],
                  color_by: str, x_range: tuple[float, float], y_range: tuple[float, float],
                  width: int, height: int) -> tuple[list[np.ndarray], int] | None:
    """A zoom drawn as lines (the in-memory kernel) from the filtered curves' samples in its
    x window, read with a margin of twice the widest mean sample spacing so that segments
    crossing the window's edges are drawn; and how many curves it holds. ``None``: more
    than :data:`WINDOW_SAMPLES` samples lie there (drawn as sampled points instead).

    A curve that leaves the window and comes back (a return stroke) is drawn as its runs of
    consecutive samples, each counted as a curve in the columns it crosses; the curves in
    view are counted once each (a run whose samples' bounds meet the view)."""
    found = curve_data.window(session, query, x_range=x_range)
    if not found.curves or found.samples > WINDOW_SAMPLES:
        return None
    margin = 2.0 * found.spacing
    wide = (x_range[0] - margin, x_range[1] + margin)
    samples = curve_data.window_samples(session, query, x_range=wide)
    meta = curve_data.window_curves(session, query, x_range=wide, color_by=color_by,
                                    groups=groups)
    if not samples.num_rows or not meta.num_rows:
        return [np.zeros((height, width), dtype=np.float32) for _ in groups], 0
    cid = samples["curve_id"].to_numpy().astype(np.int64)
    idx = samples["idx"].to_numpy().astype(np.int64)
    x = samples["x"].to_numpy().astype(np.float32)
    y = samples["y"].to_numpy().astype(np.float32)
    run = np.ones(len(cid), dtype=np.bool_)
    run[1:] = (cid[1:] != cid[:-1]) | (idx[1:] != idx[:-1] + 1)
    first = np.flatnonzero(run)
    starts = np.append(first, len(cid)).astype(np.int64)
    ids = meta["curve_id"].to_numpy().astype(np.int64)
    at = population.positions(ids, cid[first])
    slot = meta["g"].to_numpy().astype(np.int64) - 1  # -1: a value outside ``groups``
    other = groups.index(population.OTHER) if population.OTHER in groups else -1
    code = np.where(at >= 0, slot[np.maximum(at, 0)], -2)
    code = np.where(code == -1, other, code).astype(np.int16)
    code[code < -1] = -1
    falls = np.concatenate([[0], np.cumsum(np.diff(x) < 0)]).astype(np.int64)
    sorted_x = falls[starts[1:] - 1] - falls[first] == 0
    bounds = np.stack([np.minimum.reduceat(x, first), np.maximum.reduceat(x, first),
                       np.minimum.reduceat(y, first), np.maximum.reduceat(y, first)], axis=1)
    (x0, x1), (y0, y1) = x_range, y_range
    view = np.array([x0, width / (x1 - x0), y0, height / (y1 - y0)], dtype=np.float64)
    images, _ = kernel.rasterise(x, y, starts, code, sorted_x, bounds, view, len(groups),
                                 int(width), int(height),
                                 kernel.threads_for(len(x), len(groups) * width * height))
    crossing = ((code >= 0) & (bounds[:, 1] >= x0) & (bounds[:, 0] <= x1)
                & (bounds[:, 3] >= y0) & (bounds[:, 2] <= y1))
    return [images[i] for i in range(len(groups))], int(len(np.unique(cid[first][crossing])))


def _from_clickhouse(session: ClusterSession, query: CurveQuery, images: list[np.ndarray], *,
                     groups: list[str], color_by: str, x_range: tuple[float, float],
                     y_range: tuple[float, float]) -> None:
    height, width = images[0].shape
    frame = curve_data.density(session, query, x_range=x_range, y_range=y_range, width=width,
                               height=height, color_by=color_by, groups=groups)
    g = frame["g"].to_numpy().astype(np.int64) - 1  # -1: a value outside ``groups``
    if population.OTHER in groups:
        g[g < 0] = groups.index(population.OTHER)
    k = frame["k"].to_numpy().astype(np.int64)
    w = frame["w"].to_numpy().astype(np.float32)
    col, row = np.minimum(k // height, width - 1), np.minimum(k % height, height - 1)
    for i, image in enumerate(images):
        sel = g == i
        np.add.at(image, (row[sel], col[sel]), w[sel])


def lines(session: ClusterSession, query: CurveQuery, *, curve_ids: list[int],
          x_range: tuple[float, float] | None, width: int) -> dict[int, tuple[Any, Any]]:
    """Each highlighted curve's (x, y) in the visible x range, reduced per curve with
    plotly-resampler's MinMaxLTTB to about two points per pixel (extremes kept)."""
    if len(curve_ids) > MAX_HIGHLIGHTS:
        raise ValidationError(f"At most {MAX_HIGHLIGHTS} highlighted curves.")
    found = _points(session, query, curve_ids)
    n_out = max(int(width * LINE_POINTS_PER_PIXEL), 100)
    aggregator = MinMaxLTTB()
    out: dict[int, tuple[Any, Any]] = {}
    for cid, (x, y) in found.items():
        if x_range is not None:
            lo, hi = x_range
            span = hi - lo
            inside = (x >= lo - 0.01 * span) & (x <= hi + 0.01 * span)
            x, y = x[inside], y[inside]
        if len(x) > n_out:
            idx = aggregator.arg_downsample(np.arange(len(x)), y, n_out=n_out)
            x, y = x[idx], y[idx]
        out[cid] = (x, y)
    return out


def _points(session: ClusterSession, query: CurveQuery,
            curve_ids: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each curve's samples, from the held population where possible."""
    pop = population.get(session, query.process)
    found = population.points(pop, curve_ids) if pop is not None else {}
    missing = [c for c in curve_ids if c not in found]
    if missing:
        frame = curve_data.curve_points(session, process=query.process, curve_ids=missing)
        for (cid,), part in frame.group_by(["curve_id"], maintain_order=True):
            found[int(cid)] = (part["x"].to_numpy(), part["y"].to_numpy())
    return {c: found[c] for c in curve_ids if c in found}


def owned_subset(session: ClusterSession, query: CurveQuery,
                 curve_ids: list[int]) -> list[int]:
    """The ids (in their order) that are curves ``query`` matches; others are left out
    (a highlight the filters no longer match, or one that was never this cluster's)."""
    if not curve_ids:
        return []
    pop = population.get(session, query.process)
    if pop is not None:
        index = pop.index_of(curve_ids)
        if (index >= 0).all():
            kept = population.mask(pop, query)[index]
            return [c for c, keep in zip(curve_ids, kept.tolist(), strict=True) if keep]
    rows = curve_data.curve_rows(session, query, limit=len(curve_ids), curve_ids=curve_ids)
    found = {int(r["curve_id"]) for r in rows}
    return [c for c in curve_ids if c in found]


def owned(session: ClusterSession, query: CurveQuery, curve_ids: list[int]) -> bool:
    """Whether every id is one of the curves ``query`` matches."""
    return len(owned_subset(session, query, curve_ids)) == len(curve_ids)


# ----------------------------------------------------------------------------- profiles

@dataclass(frozen=True)
class Profiles:
    """Every matching curve on a common grid: ``mean/low/high[curve, bin]`` (NaN: no data)."""

    curve_ids: np.ndarray
    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def dx(self) -> float:
        """Grid step."""
        return float(self.x[1] - self.x[0]) if len(self.x) > 1 else 1.0


def profiles(session: ClusterSession, query: CurveQuery, *,
             x_range: tuple[float, float] | None = None, bins: int = PROFILE_BINS) -> Profiles:
    """The matching curves on a common x grid (cached per cluster database and query)."""
    xr = x_range or full_range(session, query)["x"]
    pop = population.get(session, query.process)
    held = (pop.loaded_at, pop.version) if pop is not None else None
    key = (session.database, query, xr, bins, held)
    kept = _caches(session.caches)
    found = cached_profiles(session, key)
    if isinstance(found, Profiles):
        return found
    if pop is not None:
        ids, mean, low, high = population.profiles(pop, population.mask(pop, query),
                                                   x_range=xr, bins=bins)
        return _keep(kept, key, Profiles(curve_ids=ids, x=_grid(xr, bins), mean=mean, low=low,
                                   high=high))
    matching = sorted(curve_data.curve_ids(session, query))
    step = max(1, -(-len(matching) // PROFILE_PARTS))
    back = kernel.RETURN_FRACTION  # the forward stroke, as the in-memory kernel takes it
    tables = [curve_data.profile_arrays(session, process=query.process,
                                        curve_ids=matching[i:i + step], x_range=xr,
                                        bins=bins, back=back)
              for i in range(0, len(matching), step)]
    return _keep(kept, key, from_arrays(tables, x_range=xr, bins=bins))


def _grid(x_range: tuple[float, float], bins: int) -> np.ndarray:
    """The centres of ``bins`` equal bins over ``x_range``."""
    step = (x_range[1] - x_range[0]) / bins
    return x_range[0] + step * (np.arange(bins) + 0.5)


def cached_profiles(session: ClusterSession, key: tuple[Any, ...]) -> Any:
    """The profile grid kept under ``key`` (``None``: none), now the most recently used."""
    kept = _caches(session.caches)
    with kept.lock:
        if key in kept.profiles:
            kept.profiles.move_to_end(key)
            return kept.profiles[key]
    return None


def keep_profiles(session: ClusterSession, key: tuple[Any, ...], found: Any) -> None:
    """Keep a profile grid under ``key`` (the least recently used beyond
    ``PROFILES_KEPT`` are dropped)."""
    _keep(_caches(session.caches), key, found)


def _keep(kept: ExplorerCaches, key: tuple[Any, ...], found: Any) -> Any:
    with kept.lock:
        kept.profiles[key] = found
        while len(kept.profiles) > PROFILES_KEPT:
            kept.profiles.popitem(last=False)
    return found


def from_arrays(tables: list[pa.Table], *, x_range: tuple[float, float],
                bins: int) -> Profiles:
    """Profiles from :func:`data.analytics.curves.profile_arrays` answers (a row of bin
    arrays a curve; curves in id order across the tables)."""
    if not tables:
        empty = np.empty((0, bins), dtype=np.float32)
        return Profiles(curve_ids=np.empty(0, dtype=np.int64), x=_grid(x_range, bins),
                        mean=empty, low=empty.copy(), high=empty.copy())
    table = pa.concat_tables(tables)
    ids = table.column("curve_id").to_numpy().astype(np.int64)
    order = np.argsort(ids, kind="stable")
    bins_of = table.column("b").combine_chunks()
    lengths = np.diff(bins_of.offsets.to_numpy())
    row = np.repeat(np.argsort(order, kind="stable"), lengths)
    col = bins_of.flatten().to_numpy().astype(np.int64)
    mats = []
    for name in ("a", "lo", "hi"):
        mat = np.full((len(ids), bins), np.nan, dtype=np.float32)
        mat[row, col] = table.column(name).combine_chunks().flatten().to_numpy()
        mats.append(mat)
    return Profiles(curve_ids=ids[order], x=_grid(x_range, bins), mean=mats[0], low=mats[1],
                    high=mats[2])


# ----------------------------------------------------------------------------- start-up

VIEW_WIDTH, VIEW_HEIGHT = 800, 470  # at least the plot area (≤ 790 × 465 CSS px)


def warm(runtime: Runtime, *, max_clusters: int = 3) -> int:
    """Compile the kernels, then hold the first process of up to ``max_clusters`` running
    clusters and draw its whole view, so that opening the explorer is fast (start-up, in
    the background). Returns how many processes were loaded."""
    population.set_budget(runtime.caches, runtime.settings.explorer_held_samples)
    kernel.warm_up()
    outlier_kernel.warm_up()
    with runtime.db.session() as db:
        clusters = [c.id for c in cluster_meta.clusters_with_status(db, "running")]
    loaded = 0
    for cluster_id in sorted(clusters)[:max_clusters]:
        try:
            session = for_cluster(runtime, cluster_id)
            names = curve_data.processes(session)
            if not names or population.get(session, names[0], wait=True) is None:
                continue
            density(session, CurveQuery(process=names[0]), color_by="result", x_range=None,
                    y_range=None, width=VIEW_WIDTH, height=VIEW_HEIGHT,
                    use_stored=runtime.settings.explorer_partials)
            loaded += 1
        except AppError:
            continue
    return loaded
