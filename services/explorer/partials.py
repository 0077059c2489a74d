"""Stored partial density images: the explorer's whole views at a plant's volume.

Density images add up over curves, so each process gets a fixed *grid* (its x and y range
with :data:`HEADROOM`, :data:`YBINS` rows, and :data:`LEVELS` of x bins: a pyramid) and, per
stored group (day × line × station × product × result) and level, the DenseLines weight of
its curves in every grid cell, drawn by the same kernel as the in-memory view
(:func:`services.explorer.density_kernel.rasterise`). A view whose filter is a union of
stored groups is then one ``GROUP BY xb, yb`` sum in ClickHouse (whole months from their
rollup ``density_months``, the other days from the day partials), resampled to the screen.

:func:`catch_up` is the one function that builds them: for the curves newer than the grid's
watermark (an import, the ingest API, the demo feed, a console ``INSERT`` all end there), or
for all curves on a new grid when a curve falls outside the grid (widened, never clipped) or
curves the partials hold were deleted or replaced. Curve ids are not insertion order (an
import numbers its curves above the demo feed's, a client chooses its own), so each grid
records the ids it holds (``density_members``): a curve that arrives with an id below the
watermark is added, not a reason to rebuild. The deployment's duties run it
(:mod:`services.explorer.partials_follower`), so partials are built once and shared by every
web process.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import time
from typing import Any

import numpy as np
import pyarrow as pa

from data.analytics import density_partials as stored
from data.analytics.curves import CurveQuery
from data.analytics.density_partials import Grid
from services.explorer import density_kernel as kernel

log = logging.getLogger(__name__)

#: x bins of each pyramid level over the grid's x range (level 0: whole views; level 1:
#: zooms to about a quarter of the range at 800 px), and the rows of every level.
LEVELS: tuple[int, ...] = (1024, 4096)
YBINS = 512
#: Levels stored per day (whole views of any day range); the finer levels are stored per
#: month only (zooms over whole months; a zoom over other days is drawn from the coarsest
#: level, said to be coarser and refined): level 1 per day was ~4/5 of the partials' bytes.
DAY_LEVELS = 1
#: The grid reaches this share of the data's span beyond it on each side.
HEADROOM = 0.05
#: Curves rasterised per chunk, and stored groups per kernel pass (its buffers are
#: threads × groups × x bins × (rows + 1) × 8 bytes: 270 MB at level 1 on two threads).
CHUNK_CURVES = 8_000
GROUPS_PER_PASS = 8
#: Samples read per chunk at most, and at most half the session's ``max_result_rows`` (a
#: chunk's samples are one query's result; 8,000 curves of 1,500 points are 12 M rows,
#: above a cluster's default cap of 10 M).
CHUNK_SAMPLES = 4_000_000
#: A view adds at most this many curves newer than the watermark from samples; more, and
#: the explorer draws from today's paths until the partials caught up.
TAIL_MAX = 3_000
#: Colours the stored groups can give (``batch`` is not a stored column).
STORED_COLORS = ("result", "line", "station", "product")
#: Curves whose sample count is checked for completeness (the newest ids of a catch-up).
CHECK_NEWEST = 20_000
Progress = Callable[[int, int], None]
#: A pixel edge this close to a cell edge is on it (rounding of the view's range).
EDGE_EPS = 1e-6

@dataclass
class BuildLocks:
    """One lock per (database, process): one partials build at a time in the runtime that
    owns this (``session.caches.of(BuildLocks)``)."""

    locks: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def of(self, database: str, process: str) -> threading.Lock:
        """The lock of ``process`` in ``database``, made on first use."""
        with self.guard:
            return self.locks.setdefault((database, process), threading.Lock())

    def clear(self) -> None:
        """Nothing to forget: a lock holds no data, and one held by a build must stay."""


def _lock(session: Any, process: str) -> threading.Lock:
    locks: BuildLocks = session.caches.of(BuildLocks)
    return locks.of(session.database, process)


@dataclass(frozen=True)
class Built:
    """What one :func:`catch_up` did."""

    grid: int
    curves: int
    cells: int
    rebuilt: bool
    reason: str = ""


def ready_grid(session: Any, process: str) -> Grid | None:
    """The newest finished grid of ``process`` (``None``: none built yet)."""
    return next((g for g in stored.grids(session, process=process) if g.ready), None)


def plan_grid(process: str, *, grid: int, x: tuple[float, float],
              y: tuple[float, float]) -> Grid:
    """A grid over the data's ``x`` and ``y`` range with :data:`HEADROOM` on each side."""
    def padded(lo: float, hi: float) -> tuple[float, float]:
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        return lo - HEADROOM * span, hi + HEADROOM * span
    (x0, x1), (y0, y1) = padded(*x), padded(*y)
    return Grid(process=process, grid=grid, x0=x0, x1=x1, y0=y0, y1=y1, xbins=LEVELS,
                ybins=YBINS, months=True, day_levels=DAY_LEVELS)


def _inside(grid: Grid, meta: pa.Table) -> bool:
    if not meta.num_rows:
        return True
    lo = [float(pa.compute.min(meta[c]).as_py()) for c in ("x_min", "y_min")]
    hi = [float(pa.compute.max(meta[c]).as_py()) for c in ("x_max", "y_max")]
    return grid.x0 <= lo[0] and hi[0] <= grid.x1 and grid.y0 <= lo[1] and hi[1] <= grid.y1


def _complete(session: Any, process: str, meta: pa.Table, *,
              newer_than: int | None = None) -> pa.Table:
    """``meta`` (in id order) without the curves still being inserted (fewer samples than
    points). Curves with ids above ``newer_than`` (``None``: all) are cut at the first such
    one with every newer one (the watermark must not pass a curve the partials do not
    hold), and only the newest :data:`CHECK_NEWEST` of them are checked: older ones are
    whole. The others (late curves, recorded one by one) are each checked and left out
    alone."""
    if not meta.num_rows:
        return meta
    ids = meta["curve_id"].to_numpy()
    watermark = -1 if newer_than is None else newer_than
    n_late = int(np.searchsorted(ids, watermark, side="right")) if watermark >= 0 else 0
    keep = np.ones(meta.num_rows, dtype=np.bool_)
    want = meta["n_points"].to_numpy()
    if n_late:
        found = stored.samples_count_of(session, process=process, ids=ids[:n_late])
        have = dict(zip(found["curve_id"].to_pylist(), found["n"].to_pylist(), strict=True))
        keep[:n_late] = [have.get(int(i), 0) == int(w) for i, w in
                         zip(ids[:n_late], want[:n_late], strict=True)]
    if n_late < meta.num_rows:
        first = max(meta.num_rows - CHECK_NEWEST, n_late)
        found = stored.samples_count(session, process=process, ids=(int(ids[first]),
                                                                    int(ids[-1])))
        have = dict(zip(found["curve_id"].to_pylist(), found["n"].to_pylist(), strict=True))
        short = [i for i in range(first, meta.num_rows)
                 if have.get(int(ids[i]), 0) != int(want[i])]
        if short:
            keep[short[0]:] = False
    return meta if keep.all() else meta.filter(pa.array(keep))


def catch_up(session: Any, process: str, *, progress: Progress | None = None,
             rebuild: bool = False) -> Built:
    """Bring ``process``'s partials up to its curves (see the module docstring); one build
    at a time per process in this web process (the duties run it in one per deployment).
    ``rebuild``: build a new grid from every curve (the backfill operation)."""
    with _lock(session, process):
        return _catch_up(session, process, progress=progress, rebuild=rebuild)


def _catch_up(session: Any, process: str, *, progress: Progress | None,
              rebuild: bool) -> Built:
    grids = stored.grids(session, process=process)
    for unfinished in [g for g in grids if not g.ready]:  # a build that did not end
        stored.drop_grid(session, process=process, grid=unfinished.grid)
    current = next((g for g in grids if g.ready), None)
    if current is not None and not current.months:  # built before the month rollup
        stored.fill_months(session, process=process, grid=current.grid,
                           levels=current.day_levels)
        current = replace(current, months=True)
        stored.save_grid(session, current)
    if current is not None and current.day_levels > DAY_LEVELS:  # finer levels: months only
        stored.trim_days(session, process=process, grid=current.grid, levels=DAY_LEVELS)
        current = replace(current, day_levels=DAY_LEVELS)
        stored.save_grid(session, current)
    reason = "rebuild asked" if rebuild else ""
    late = None
    if current is not None and not reason:
        current, late, reason = _verify(session, current)
    meta = stored.new_curves(session, process=process,
                             after_id=0 if current is None or reason else current.built_upto)
    if late is not None and late.num_rows:
        meta = pa.concat_tables([late, meta]).sort_by("curve_id")
    if current is not None and not reason and not _inside(current, meta):
        reason = "new curves fall outside its grid"
    if current is None or reason:
        meta = stored.new_curves(session, process=process, after_id=0) if current else meta
        meta = _complete(session, process, meta)
        if not meta.num_rows:
            return Built(grid=0, curves=0, cells=0, rebuilt=False)
        x, y = _range(meta)  # every curve: a widened grid never clips the old ones
        target = plan_grid(process, grid=max((g.grid for g in grids), default=0) + 1,
                           x=x, y=y)
        stored.save_grid(session, target)
    else:
        meta = _complete(session, process, meta, newer_than=current.built_upto)
        if not meta.num_rows:
            return Built(grid=current.grid, curves=0, cells=0, rebuilt=False)
        target = current
    target, cells = _build(session, target, meta, progress=progress)
    done = replace(target, ready=True)
    stored.save_grid(session, done)
    if done.grid != (current.grid if current else done.grid):
        for old in grids:
            if old.grid != done.grid and old.ready:
                stored.drop_grid(session, process=process, grid=old.grid)
    if reason:
        log.info("density partials of %s.%s rebuilt on grid %d: %s", session.database,
                 process, done.grid, reason)
    return Built(grid=done.grid, curves=meta.num_rows, cells=cells,
                 rebuilt=done.grid != (current.grid if current else -1), reason=reason)


def _verify(session: Any, grid: Grid) -> tuple[Grid, pa.Table | None, str]:
    """Check what ``grid``'s partials hold against the stored curves: complete a batch cut
    short, then find the curves with ids below the watermark that it does not hold yet
    (``late``: they arrived after higher ids were built). Returns the grid, the late curves
    and the reason to rebuild (curves it holds are gone, or its record is incomplete)."""
    held = stored.member_ids(session, process=grid.process, grid=grid.grid)
    pending = stored.batch_members(session, process=grid.process, grid=grid.grid,
                                   batch=grid.pending_token) if grid.pending_token \
        else np.zeros(0, dtype=np.uint64)
    if held.count != grid.curves + len(pending):
        return grid, None, "the curves it holds are not all recorded"
    if grid.pending_token:
        grid, reason = _finish_cut_batch(session, grid, pending)
        if reason:
            return grid, None, reason
    if stored.stored_ids(session, process=grid.process, upto_id=grid.built_upto) == held:
        return grid, None, ""
    if stored.gone_members(session, process=grid.process, grid=grid.grid):
        return grid, None, "curves it holds were deleted or replaced"
    late = stored.late_curves(session, process=grid.process, grid=grid.grid,
                              upto_id=grid.built_upto)
    return grid, late, ""


def _finish_cut_batch(session: Any, grid: Grid, ids: np.ndarray) -> tuple[Grid, str]:
    """Repeat the batch a catch-up was inserting into ``grid`` when it was cut short (a
    worker stopped, the engine failed): the same curves (``ids``, as its members were
    recorded before its cells) under the same token, so the blocks the tables already hold
    are dropped and the rest added. Returns the grid with the batch counted, or the reason
    to rebuild if the batch's curves are no longer the same."""
    if not len(ids):  # cut before its members: none of its cells were written
        done = replace(grid, pending_upto=0, pending_curves=0, pending_token="")
        stored.save_grid(session, done)
        return done, ""
    meta = stored.curves_of(session, process=grid.process, ids=ids)
    if meta.num_rows != grid.pending_curves or meta.num_rows != len(ids) or _complete(
            session, grid.process, meta).num_rows != meta.num_rows:
        return grid, "an update cut short cannot be repeated with the same curves"
    _build_chunk(session, grid, meta, token=f"{grid.pending_token}:0")  # as it was cut
    done = replace(grid, built_upto=max(grid.built_upto, grid.pending_upto),
                   curves=grid.curves + meta.num_rows, pending_upto=0, pending_curves=0,
                   pending_token="")
    stored.save_grid(session, done)
    log.info("density partials of %s.%s: completed an update cut short (%d curves)",
             session.database, grid.process, meta.num_rows)
    return done, ""


def _range(meta: pa.Table) -> tuple[tuple[float, float], tuple[float, float]]:
    pc = pa.compute
    return ((float(pc.min(meta["x_min"]).as_py()), float(pc.max(meta["x_max"]).as_py())),
            (float(pc.min(meta["y_min"]).as_py()), float(pc.max(meta["y_max"]).as_py())))


def _build(session: Any, grid: Grid, meta: pa.Table, *,
           progress: Progress | None) -> tuple[Grid, int]:
    """Rasterise ``meta``'s curves (in id order) into ``grid``, one batch of
    :data:`CHUNK_CURVES` at a time: each batch is recorded as pending (its last id, its
    count, a fresh token), then its curves as the grid's members (one block), then its
    cells, and counted in the watermark after, so a build cut short loses no finished
    batch and never counts one twice. Returns the grid as recorded after the last batch
    and the cells written."""
    written, total = 0, meta.num_rows
    cap = int(session.limits.get("max_result_rows") or 2 * CHUNK_SAMPLES)
    for start, length in _chunks(meta["n_points"].to_numpy(),
                                 samples=min(CHUNK_SAMPLES, cap // 2)):
        chunk = meta.slice(start, length)
        upto = max(int(pa.compute.max(chunk["curve_id"]).as_py()), grid.built_upto)
        grid = replace(grid, pending_upto=upto, pending_curves=chunk.num_rows,
                       pending_token=secrets.token_hex(16))
        stored.save_grid(session, grid)
        stored.insert_members(session, process=grid.process, grid=grid.grid,
                              ids=chunk["curve_id"].to_numpy(), batch=grid.pending_token)
        written += _build_chunk(session, grid, chunk, token=f"{grid.pending_token}:0")
        grid = replace(grid, built_upto=upto, curves=grid.curves + chunk.num_rows,
                       pending_upto=0, pending_curves=0, pending_token="")
        stored.save_grid(session, grid)
        if progress is not None:
            progress(start + length, total)
    return grid, written


def _chunks(points: np.ndarray, *, samples: int) -> list[tuple[int, int]]:
    """(start, length) of consecutive chunks of curves with ``points`` samples each: at
    most :data:`CHUNK_CURVES` curves and ``samples`` samples (or one curve)."""
    out, start, total = [], 0, len(points)
    ends = np.cumsum(points.astype(np.int64))
    while start < total:
        before = int(ends[start - 1]) if start else 0
        fits = int(np.searchsorted(ends, before + samples, side="right")) - start
        length = max(1, min(fits, CHUNK_CURVES, total - start))
        out.append((start, length))
        start += length
    return out


def _build_chunk(session: Any, grid: Grid, chunk: pa.Table, *, token: str) -> int:
    """One id range of curves: every stored group's cells at every level (its inserts
    named from ``token``)."""
    keys = list(zip(*(chunk[c].to_pylist() for c in ("day", "line", "station", "product",
                                                      "result")), strict=True))
    groups = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(groups)}
    code = np.array([index[k] for k in keys], dtype=np.int64)
    ids = chunk["curve_id"].to_numpy()
    samples = stored.samples_of(session, process=grid.process, ids=ids)
    drawn = _arrays(ids, samples, chunk)
    written = 0
    for level, xbins in enumerate(grid.xbins):
        view = np.array([grid.x0, xbins / (grid.x1 - grid.x0), grid.y0,
                         grid.ybins / (grid.y1 - grid.y0)])
        g, yb, xb, w = _rasterise_groups(drawn, code, len(groups), view=view, width=xbins,
                                         height=grid.ybins)
        written += stored.insert_cells(session, process=grid.process, grid=grid.grid,
                                       level=level, groups=groups, group=g, xb=xb, yb=yb, w=w,
                                       token=token, months=level >= grid.day_levels)
    return written


@dataclass(frozen=True)
class _Drawn:
    x: np.ndarray
    y: np.ndarray
    starts: np.ndarray
    sorted_x: np.ndarray
    bounds: np.ndarray


def _arrays(ids: np.ndarray, samples: pa.Table, meta: pa.Table) -> _Drawn:
    """Kernel inputs for curves ``ids`` (ascending) from their samples (in curve order)."""
    held = ids.astype(np.int64)
    sid = samples["curve_id"].to_numpy().astype(np.int64)
    pos = np.minimum(np.searchsorted(held, sid), max(len(held) - 1, 0))
    known = held[pos] == sid if len(held) else np.zeros(len(sid), dtype=np.bool_)
    pos = pos[known]
    counts = np.bincount(pos, minlength=len(ids))[:len(ids)]
    x = samples["x"].to_numpy().astype(np.float32)[known]
    y = samples["y"].to_numpy().astype(np.float32)[known]
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    falls = np.concatenate([[0], np.cumsum(np.diff(x) < 0)]).astype(np.int64)
    if len(x):
        first = np.minimum(starts[:-1], len(falls) - 1)
        last = np.minimum(np.maximum(starts[1:] - 1, starts[:-1]), len(falls) - 1)
        sorted_x = falls[last] - falls[first] == 0
    else:
        sorted_x = np.ones(len(ids), dtype=np.bool_)
    bounds = np.stack([meta[c].to_numpy().astype(np.float32)
                       for c in ("x_min", "x_max", "y_min", "y_max")], axis=1) \
        if len(ids) else np.zeros((0, 4), dtype=np.float32)
    return _Drawn(x=x, y=y, starts=starts, sorted_x=sorted_x, bounds=bounds)


def _rasterise_groups(drawn: _Drawn, code: np.ndarray, n_groups: int, *, view: np.ndarray,
                      width: int, height: int) -> tuple[np.ndarray, ...]:
    """Non-zero cells (group, row, col, weight) of every group's image, a few groups per
    kernel pass."""
    out: list[list[np.ndarray]] = [[], [], [], []]
    for first in range(0, n_groups, GROUPS_PER_PASS):
        n = min(GROUPS_PER_PASS, n_groups - first)
        sub = np.where((code >= first) & (code < first + n), code - first, -1).astype(np.int16)
        samples = int(np.diff(drawn.starts)[sub >= 0].sum())
        images, _ = kernel.rasterise(drawn.x, drawn.y, drawn.starts, sub, drawn.sorted_x,
                                     drawn.bounds, view, n, int(width), int(height),
                                     kernel.threads_for(samples, n * width * height))
        g, row, col = np.nonzero(images)
        out[0].append(g + first)
        out[1].append(row)
        out[2].append(col)
        out[3].append(images[g, row, col])
    return tuple(np.concatenate(parts) if parts else np.zeros(0) for parts in out)


# ----------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Stored:
    """A view drawn from stored partials: per-group images at screen size, the grid cells
    the view spans (columns, rows) and whether that is coarser than the screen."""

    images: list[np.ndarray]
    cells: tuple[int, int]
    coarse: bool
    level: int


def answers(query: CurveQuery, *, color_by: str) -> bool:
    """Whether ``query`` is a union of stored groups coloured by a stored column (whole
    days, no batch condition)."""
    if query.batches or color_by not in STORED_COLORS:
        return False
    if query.start is not None and query.start.time() != time.min:
        return False
    return query.end is None or query.end.time() >= time(23, 59, 59, 999000)


def density(session: Any, query: CurveQuery, *, color_by: str, groups: list[str],
            other: int, x_range: tuple[float, float], y_range: tuple[float, float],
            width: int, height: int) -> Stored | None:
    """The view from stored partials (``None``: not answerable so, use today's paths).
    ``other``: the image index of values outside ``groups`` (``-1``: dropped)."""
    if not answers(query, color_by=color_by):
        return None
    grid = ready_grid(session, query.process)
    if grid is None:
        return None
    tail = stored.tail_curves(session, query, after_id=grid.built_upto, limit=TAIL_MAX)
    if tail.num_rows > TAIL_MAX:
        return None
    level = _level(grid, x_range, width)
    if level >= grid.day_levels and stored.reads_days(query, months=grid.months):
        level = grid.day_levels - 1  # the finer levels are stored for whole months only
    dx = (grid.x1 - grid.x0) / grid.xbins[level]
    dy = (grid.y1 - grid.y0) / grid.ybins
    cols = _window(x_range, grid.x0, dx, grid.xbins[level])
    rows = _window(y_range, grid.y0, dy, grid.ybins)
    shape = (len(groups), rows[1] - rows[0], cols[1] - cols[0])
    dense = np.zeros(shape, dtype=np.float32)
    if shape[1] > 0 and shape[2] > 0:
        _add_cells(dense, stored.cells(session, query, grid=grid.grid, level=level,
                                       color_by=color_by, groups=groups, cols=cols, rows=rows,
                                       months=grid.months),
                   other=other, origin=(cols[0], rows[0]))
        if tail.num_rows:
            _add_tail(session, dense, tail, query, grid, color_by=color_by, groups=groups,
                      other=other, view=(grid.x0 + cols[0] * dx, 1 / dx,
                                         grid.y0 + rows[0] * dy, 1 / dy))
    span_x = (x_range[1] - x_range[0]) / dx
    span_y = (y_range[1] - y_range[0]) / dy
    images = [_resample(d, x_range=x_range, y_range=y_range, grid=grid, level=level,
                        cols=cols, rows=rows, width=width, height=height) for d in dense]
    return Stored(images=images, cells=(int(round(span_x)), int(round(span_y))),
                  coarse=span_x < width or span_y < height, level=level)


def _level(grid: Grid, x_range: tuple[float, float], width: int) -> int:
    """The coarsest level with at least one column per pixel (else the finest)."""
    share = (x_range[1] - x_range[0]) / (grid.x1 - grid.x0)
    for level, xbins in enumerate(grid.xbins):
        if xbins * share >= width:
            return level
    return len(grid.xbins) - 1


def _window(span: tuple[float, float], origin: float, step: float, bins: int) -> tuple[int, int]:
    lo = max(int(math.floor((span[0] - origin) / step)), 0)
    hi = min(int(math.ceil((span[1] - origin) / step)), bins)
    return lo, max(hi, lo)


def _add_cells(dense: np.ndarray, table: pa.Table, *, other: int,
               origin: tuple[int, int]) -> None:
    g = table["g"].to_numpy().astype(np.int64) - 1
    g = np.where(g < 0, other, g)
    keep = g >= 0
    col = table["xb"].to_numpy().astype(np.int64)[keep] - origin[0]
    row = table["yb"].to_numpy().astype(np.int64)[keep] - origin[1]
    flat = (g[keep] * dense.shape[1] + row) * dense.shape[2] + col  # np.add.at is ~10x slower
    weights = table["w"].to_numpy().astype(np.float64)[keep]
    dense += np.bincount(flat, weights=weights, minlength=dense.size).reshape(dense.shape)


def _add_tail(session: Any, dense: np.ndarray, tail: pa.Table, query: CurveQuery,
              grid: Grid, *, color_by: str, groups: list[str], other: int,
              view: tuple[float, float, float, float]) -> None:
    """Draw the curves newer than the watermark into the window (same kernel, same cells)."""
    slot = {name: i for i, name in enumerate(groups)}
    ids = tail["curve_id"].to_numpy()
    code = np.array([slot.get(v, other) for v in tail[color_by].to_pylist()], dtype=np.int16)
    samples = stored.tail_samples(session, query, after_id=grid.built_upto,
                                  upto_id=int(ids[-1]))
    drawn = _arrays(ids, samples, tail)
    images, _ = kernel.rasterise(drawn.x, drawn.y, drawn.starts, code, drawn.sorted_x,
                                 drawn.bounds, np.array(view, dtype=np.float64), len(groups),
                                 dense.shape[2], dense.shape[1], 1)
    dense += images


def _resample(cells: np.ndarray, *, x_range: tuple[float, float],
              y_range: tuple[float, float], grid: Grid, level: int, cols: tuple[int, int],
              rows: tuple[int, int], width: int, height: int) -> np.ndarray:
    """The window's cells on ``height`` × ``width`` pixels: each pixel is the mean of the
    cells it overlaps (so a finer grid is averaged and a coarser one repeated; a non-zero
    cell never disappears)."""
    dx = (grid.x1 - grid.x0) / grid.xbins[level]
    dy = (grid.y1 - grid.y0) / grid.ybins
    xs = (x_range[0] + (x_range[1] - x_range[0]) * np.arange(width + 1) / width - grid.x0) / dx
    ys = (y_range[0] + (y_range[1] - y_range[0]) * np.arange(height + 1) / height - grid.y0) / dy
    out = _mean_over(cells, xs - cols[0], axis=1)
    return _mean_over(out, ys - rows[0], axis=0).astype(np.float32)


def _mean_over(values: np.ndarray, edges: np.ndarray, *, axis: int) -> np.ndarray:
    """Means of ``values`` along ``axis`` over the cell spans ``[edges[i], edges[i+1])``."""
    n = values.shape[axis]
    lo = np.clip(np.floor(edges[:-1] + EDGE_EPS).astype(np.int64), 0, n)
    hi = np.clip(np.maximum(np.ceil(edges[1:] - EDGE_EPS).astype(np.int64), lo + 1), 0, n)
    lo = np.minimum(lo, hi)
    pad = [(0, 0)] * values.ndim
    pad[axis] = (1, 0)
    total = np.pad(np.cumsum(values, axis=axis, dtype=np.float64), pad)
    size = np.maximum(hi - lo, 1)
    shape = [1] * values.ndim
    shape[axis] = len(lo)
    sums = np.take(total, hi, axis=axis) - np.take(total, lo, axis=axis)
    return np.where((hi > lo).reshape(shape), sums / size.reshape(shape), 0.0)
