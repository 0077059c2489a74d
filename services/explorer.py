"""The curve explorer's view: filters checked against known values, the population as a
density image for the visible range, and a few highlighted curves as min/max-preserving lines.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from plotly_resampler.aggregation import MinMaxLTTB

from data import curves as curve_data
from data.curves import CurveQuery
from lyceum.errors import NotFound, ValidationError
from services import explorer_population as population
from services.cluster_session import ClusterSession, for_cluster
from services.explorer_state import MAX_HIGHLIGHTS, ExplorerState
from services.runtime import Runtime

#: Density image size bounds (pixels).
MAX_WIDTH, MAX_HEIGHT = 1600, 800
PROFILE_BINS = 256
LINE_POINTS_PER_PIXEL = 1


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


_OPTIONS: dict[tuple[str, str | None], tuple[float, Options]] = {}
OPTIONS_TTL_S = 30.0


def options(runtime: Runtime, cluster_id: int, *, process: str | None) -> Options:
    """The processes and the values each filter may take (``process=None``: the first);
    remembered for ``OPTIONS_TTL_S`` per cluster database (the role is checked by callers)."""
    session = for_cluster(runtime, cluster_id)
    key = (session.database, process)
    hit = _OPTIONS.get(key)
    if hit and time.monotonic() - hit[0] < OPTIONS_TTL_S:
        return hit[1]
    found = _load_options(session, process)
    if len(_OPTIONS) > 256:
        _OPTIONS.clear()
    _OPTIONS[key] = (time.monotonic(), found)
    return found


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
    query = CurveQuery(process=opts.process, lines=state.lines, stations=state.stations,
                       products=state.products, batches=state.batches, results=state.results,
                       start=state.start, end=state.end)
    return for_cluster(runtime, cluster_id), query, opts


def _pad(lo: float, hi: float) -> tuple[float, float]:
    span = hi - lo if hi > lo else 1.0
    return (lo - 0.02 * span, hi + 0.02 * span)


_FACTS: dict[tuple[Any, ...], tuple[float, Any]] = {}


def _remember(key: tuple[Any, ...], compute: Any) -> Any:
    hit = _FACTS.get(key)
    if hit and time.monotonic() - hit[0] < OPTIONS_TTL_S:
        return hit[1]
    value = compute()
    if len(_FACTS) > 512:
        _FACTS.clear()
    _FACTS[key] = (time.monotonic(), value)
    return value


def full_range(session: ClusterSession, query: CurveQuery) -> dict[str, Any]:
    """Count and padded x/y ranges of the matching curves (remembered briefly)."""
    def compute() -> dict[str, Any]:
        info = curve_data.summary(session, query)
        return {"count": info["count"], "x": _pad(*info["x"]), "y": _pad(*info["y"])}
    found: dict[str, Any] = _remember(("range", session.database, query), compute)
    return found


def density(session: ClusterSession, query: CurveQuery, *, color_by: str,
            x_range: tuple[float, float] | None, y_range: tuple[float, float] | None,
            width: int, height: int, use_memory: bool = True) -> Density:
    """The population as per-group images of the visible range at screen resolution:
    from the in-memory population when it is loaded and fine enough, else from ClickHouse."""
    width, height = int(np.clip(width, 20, MAX_WIDTH)), int(np.clip(height, 20, MAX_HEIGHT))
    info = full_range(session, query)
    xr, yr = x_range or info["x"], y_range or info["y"]
    groups: list[str] = _remember(("groups", session.database, query, color_by),
                                  lambda: curve_data.group_values(session, query,
                                                                  color_by=color_by))
    images = [np.zeros((height, width), dtype=np.float32) for _ in groups]
    if not info["count"] or not groups:
        return Density(x_range=xr, y_range=yr, groups=groups, images=images, n_curves=0)
    pop = population.ready(session, query, x_range=info["x"], y_range=info["y"]) \
        if use_memory else None
    if pop is not None and population.covers(pop, xr, yr):
        found = population.density(pop, color_by=color_by, x_range=xr, y_range=yr,
                                   width=width, height=height)
        by_name = dict(zip(pop.group_names[color_by], found, strict=True))
        images = [by_name.get(g, images[i]) for i, g in enumerate(groups)]
    else:
        _from_clickhouse(session, query, images, groups=groups, color_by=color_by,
                         x_range=xr, y_range=yr)
    return Density(x_range=xr, y_range=yr, groups=groups, images=images,
                   n_curves=info["count"])


def _from_clickhouse(session: ClusterSession, query: CurveQuery, images: list[np.ndarray], *,
                     groups: list[str], color_by: str, x_range: tuple[float, float],
                     y_range: tuple[float, float]) -> None:
    height, width = images[0].shape
    frame = curve_data.density(session, query, x_range=x_range, y_range=y_range, width=width,
                               height=height, color_by=color_by, groups=groups)
    g = frame["g"].to_numpy().astype(np.int64) - 1
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
    points = curve_data.curve_points(session, process=query.process, curve_ids=curve_ids)
    if x_range is not None:
        lo, hi = x_range
        span = hi - lo
        points = points.filter(pl.col("x").is_between(lo - 0.01 * span, hi + 0.01 * span))
    n_out = max(int(width) * LINE_POINTS_PER_PIXEL, 100)
    aggregator = MinMaxLTTB()
    out: dict[int, tuple[Any, Any]] = {}
    for (cid,), part in points.group_by(["curve_id"], maintain_order=True):
        x, y = part["x"].to_numpy(), part["y"].to_numpy()
        if len(x) > n_out:
            idx = aggregator.arg_downsample(np.arange(len(x)), y, n_out=n_out)
            x, y = x[idx], y[idx]
        out[int(cid)] = (x, y)
    return out


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


_CACHE: OrderedDict[tuple[Any, ...], Profiles] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 3


def profiles(session: ClusterSession, query: CurveQuery, *,
             x_range: tuple[float, float] | None = None, bins: int = PROFILE_BINS) -> Profiles:
    """The matching curves on a common x grid (cached per cluster database and query)."""
    xr = x_range or full_range(session, query)["x"]
    key = (session.database, query, xr, bins)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    chunks = curve_data.id_chunks(curve_data.curve_ids(session, query), parts=8)
    frames = [curve_data.profiles(session, query, x_range=xr, bins=bins, id_range=c)
              for c in chunks]
    frame = pl.concat(frames) if frames else curve_data.profiles(session, query, x_range=xr,
                                                                 bins=bins)
    found = _pivot(frame, x_range=xr, bins=bins)
    with _LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def _pivot(frame: pl.DataFrame, *, x_range: tuple[float, float], bins: int) -> Profiles:
    ids, row = np.unique(frame["curve_id"].to_numpy(), return_inverse=True)
    col = frame["b"].to_numpy().astype(np.int64)
    mats = []
    for name in ("a", "lo", "hi"):
        mat = np.full((len(ids), bins), np.nan, dtype=np.float32)
        mat[row, col] = frame[name].to_numpy()
        mats.append(mat)
    step = (x_range[1] - x_range[0]) / bins
    x = x_range[0] + step * (np.arange(bins) + 0.5)
    return Profiles(curve_ids=ids.astype(np.int64), x=x, mean=mats[0], low=mats[1],
                    high=mats[2])


def clear_cache() -> None:
    """Forget every cached profile (tests, data reloads)."""
    with _LOCK:
        _CACHE.clear()
        _OPTIONS.clear()
        _FACTS.clear()
    population.clear()
