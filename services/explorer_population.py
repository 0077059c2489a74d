"""The filtered population held in memory for fast zooms: every sample's x and y quantised to
16 bits over the population's range, sorted by x, with its curve's row.

A view's density is then a slice (``searchsorted`` on x) and one ``np.bincount``: its cost
grows with the samples in view. One population per cluster+filters is cached (shared by every
session that looks at the same filters); zooms finer than the quantisation fall back to the
ClickHouse query in ``data.curves.density``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from data import curves as curve_data
from data.curves import CurveQuery
from services.cluster_session import ClusterSession

LEVELS = 65_535
MIN_QUANTA = 400  # a view narrower than this many quanta goes to ClickHouse
_CACHE: OrderedDict[tuple[Any, ...], Population] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 2
CHUNKS = 12


@dataclass(frozen=True)
class Population:
    """Quantised samples sorted by x; ``row`` indexes ``curve_ids``/``weight``/``groups``."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    xq: np.ndarray
    yq: np.ndarray
    row: np.ndarray
    curve_ids: np.ndarray
    weight: np.ndarray
    group_of: dict[str, np.ndarray]
    group_names: dict[str, list[str]]
    views: dict[tuple[Any, ...], list[np.ndarray]] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return int(self.xq.nbytes + self.yq.nbytes + self.row.nbytes)

    def quanta(self, lo: float, hi: float, *, axis: str) -> tuple[float, float]:
        """A value range in quantisation steps."""
        a, b = self.x_range if axis == "x" else self.y_range
        scale = LEVELS / (b - a)
        return (lo - a) * scale, (hi - a) * scale


_LOADING: set[tuple[Any, ...]] = set()


def load(session: ClusterSession, query: CurveQuery, *, x_range: tuple[float, float],
         y_range: tuple[float, float]) -> Population:
    """The population of ``query`` (cached per cluster database and filters)."""
    key = (session.database, query)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    found = _fetch(session, query, x_range=x_range, y_range=y_range)
    with _LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def ready(session: ClusterSession, query: CurveQuery, *, x_range: tuple[float, float],
          y_range: tuple[float, float]) -> Population | None:
    """The cached population, or ``None`` after starting to load it in the background."""
    key = (session.database, query)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        if key in _LOADING:
            return None
        _LOADING.add(key)

    def work() -> None:
        try:
            load(session, query, x_range=x_range, y_range=y_range)
        except Exception:  # noqa: BLE001 - the ClickHouse path keeps serving; logged below
            import logging

            logging.getLogger(__name__).exception("explorer population load failed")
        finally:
            with _LOCK:
                _LOADING.discard(key)

    threading.Thread(target=work, name="explorer-population", daemon=True).start()
    return None


def _fetch(session: ClusterSession, query: CurveQuery, *, x_range: tuple[float, float],
           y_range: tuple[float, float]) -> Population:
    meta = curve_data.curve_groups(session, query)
    ids = meta["curve_id"].to_numpy().astype(np.int64)
    order = np.argsort(ids)
    ids = ids[order]
    parts = [curve_data.quantised_samples(session, query, x_range=x_range, y_range=y_range,
                                          levels=LEVELS, id_range=chunk)
             for chunk in curve_data.id_chunks(ids.tolist(), parts=CHUNKS)]
    table = pl.concat(parts) if parts else pl.DataFrame(
        schema={"curve_id": pl.UInt64, "xq": pl.UInt16, "yq": pl.UInt16})
    xq = table["xq"].to_numpy().astype(np.uint16)
    by_x = np.argsort(xq, kind="stable")  # radix sort for 16-bit keys
    row = np.searchsorted(ids, table["curve_id"].to_numpy()[by_x].astype(np.int64))
    row_type = np.uint16 if len(ids) < 65_536 else np.uint32
    n_points = meta["n_points"].to_numpy()[order].astype(np.float64)
    group_of, names = {}, {}
    for column in curve_data.GROUP_COLUMNS:
        values = meta[column].cast(str).to_numpy()[order]
        uniques, codes = np.unique(values, return_inverse=True)
        group_of[column], names[column] = codes.astype(np.uint8), [str(u) for u in uniques]
    return Population(
        x_range=x_range, y_range=y_range,
        xq=xq[by_x], yq=table["yq"].to_numpy().astype(np.uint16)[by_x],
        row=row.astype(row_type), curve_ids=ids,
        weight=(1.0 / np.maximum(n_points, 1)).astype(np.float32),
        group_of=group_of, group_names=names)


def covers(pop: Population, x_range: tuple[float, float], y_range: tuple[float, float]) -> bool:
    """Whether the quantised population can draw this view faithfully."""
    qx = pop.quanta(*x_range, axis="x")
    qy = pop.quanta(*y_range, axis="y")
    return qx[1] - qx[0] >= MIN_QUANTA and qy[1] - qy[0] >= MIN_QUANTA


def density(pop: Population, *, color_by: str, x_range: tuple[float, float],
            y_range: tuple[float, float], width: int, height: int) -> list[np.ndarray]:
    """Per group (``pop.group_names[color_by]``), the summed curve weights per pixel
    (rows = y from the bottom, cols = x). The whole-population view is kept."""
    key = (color_by, x_range, y_range, width, height)
    if key in pop.views:
        return pop.views[key]
    images = _bin(pop, color_by=color_by, x_range=x_range, y_range=y_range, width=width,
                  height=height)
    if x_range == pop.x_range and y_range == pop.y_range and len(pop.views) < 8:
        pop.views[key] = images
    return images


def _bin(pop: Population, *, color_by: str, x_range: tuple[float, float],
         y_range: tuple[float, float], width: int, height: int) -> list[np.ndarray]:
    qx0, qx1 = pop.quanta(*x_range, axis="x")
    qy0, qy1 = pop.quanta(*y_range, axis="y")
    lo = int(np.searchsorted(pop.xq, max(qx0, 0), side="left"))
    hi = int(np.searchsorted(pop.xq, min(qx1, LEVELS), side="right"))
    xs, ys, rows = pop.xq[lo:hi], pop.yq[lo:hi], pop.row[lo:hi]
    keep = (ys >= qy0) & (ys <= qy1)
    xs, ys, rows = xs[keep], ys[keep], rows[keep]
    col = np.minimum(((xs - np.float32(qx0)) * np.float32(width / (qx1 - qx0)))
                     .astype(np.int32), width - 1)
    line = np.minimum(((ys - np.float32(qy0)) * np.float32(height / (qy1 - qy0)))
                      .astype(np.int32), height - 1)
    groups = pop.group_of[color_by][rows].astype(np.int32)
    n_groups = len(pop.group_names[color_by])
    flat = np.bincount((groups * height + line) * width + col, weights=pop.weight[rows],
                       minlength=n_groups * height * width)
    images = flat.reshape(n_groups, height, width).astype(np.float32)
    return list(images)


def clear() -> None:
    """Forget cached populations."""
    with _LOCK:
        _CACHE.clear()
