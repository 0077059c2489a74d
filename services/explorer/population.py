"""Every curve of one process held in memory for the explorer, shared by all its sessions.

Samples are stored curve after curve (``x``/``y`` float32, curve ``c`` owns
``starts[c]:starts[c + 1]``) with each curve's metadata as small integer codes. A filter is
then a per-curve mask, a colour a per-curve group code, and a view one pass of the compiled
rasteriser over the shown curves (``services.explorer.density_kernel``): no ClickHouse query on a
zoom, a pan or a filter change once the process is loaded.

Freshness: new curves (the demo feed) are added in the background every ``REFRESH_S``
(those with ids below the newest held one in their place); the whole process is reloaded
every ``RELOAD_S`` (expired or deleted rows). When an import or ingest finishes,
:func:`mark_behind` makes the held processes of its cluster be served from ClickHouse
(which has the new curves) until the top-up is in. A process with more samples than
``MAX_SAMPLES`` stays in ClickHouse.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from data.analytics import curves as curve_data
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from services.explorer import density_kernel as kernel

log = logging.getLogger(__name__)

MAX_SAMPLES = 40_000_000  # all cached processes together (8 bytes per sample)
REFRESH_S = 10.0
RELOAD_S = 900.0
CHUNKS = 8
COLUMNS = ("result", "line", "station", "product", "batch")
#: Colour groups drawn apart (the palette's size); beyond that the most frequent
#: ``MAX_GROUPS - 1`` keep their colour and every other curve is drawn in ``OTHER``.
MAX_GROUPS = 10
OTHER = "(others)"


@dataclass
class Population:
    """One process's curves: samples in curve order, metadata per curve (ids ascending)."""

    database: str
    process: str
    curve_ids: np.ndarray
    starts: np.ndarray
    x: np.ndarray
    y: np.ndarray
    sorted_x: np.ndarray
    ts_ms: np.ndarray
    bounds: np.ndarray
    codes: dict[str, np.ndarray]
    names: dict[str, list[str]]
    max_id: int
    loaded_at: float = field(default_factory=time.monotonic)
    checked_at: float = field(default_factory=time.monotonic)
    version: int = 0

    @property
    def n_samples(self) -> int:
        """How many samples are held."""
        return int(self.x.shape[0])

    def index_of(self, curve_ids: list[int]) -> np.ndarray:
        """Positions of ``curve_ids`` (``-1``: not held)."""
        return positions(self.curve_ids, np.asarray(curve_ids, dtype=np.int64))


def positions(held: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Where each of ``ids`` is in the ascending ``held`` (``-1``: absent)."""
    if not len(held):
        return np.full(len(ids), -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(held, ids), len(held) - 1)
    return np.where(held[pos] == ids, pos, -1)


@dataclass
class Held:
    """The populations one runtime holds (``session.caches.of(Held)``), by (database,
    process): at most ``MAX_SAMPLES`` samples in all, least recently used dropped first."""

    populations: OrderedDict[tuple[str, str], Population] = field(default_factory=OrderedDict)
    #: Keys being loaded or topped up in the background right now.
    busy: set[tuple[str, str]] = field(default_factory=set)
    #: Keys found too big to hold, and when (asked again after ``RELOAD_S``).
    too_big: dict[tuple[str, str], float] = field(default_factory=dict)
    #: One lock per key: one load or top-up at a time per process.
    key_locks: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)
    #: Keys whose held curves are older than the cluster's data (an import finished), with
    #: how many times that was said: not served until topped up.
    behind: dict[tuple[str, str], int] = field(default_factory=dict)
    #: The sample budget (``LYCEUM_EXPLORER_HELD_SAMPLES``; see :func:`set_budget`).
    max_samples: int = field(default_factory=lambda: MAX_SAMPLES)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        """Forget every held population (and which were too big)."""
        with self.lock:
            self.populations.clear()
            self.too_big.clear()


def _held(session: ClusterSession) -> Held:
    return session.caches.of(Held)


# ----------------------------------------------------------------------------- loading

def _fetch(session: ClusterSession, process: str, *, after_id: int) -> tuple[pl.DataFrame, ...]:
    """Metadata of the process's curves with ``curve_id > after_id`` and their samples."""
    meta = curve_data.population_meta(session, process=process, after_id=after_id)
    ids = meta["curve_id"].to_list()
    parts = [curve_data.population_samples(session, process=process, id_range=chunk)
             for chunk in curve_data.id_chunks(ids, parts=CHUNKS)]
    samples = pl.concat(parts) if parts else pl.DataFrame(
        schema={"curve_id": pl.UInt64, "x": pl.Float32, "y": pl.Float32})
    return meta, samples


def _build(meta: pl.DataFrame, samples: pl.DataFrame, *, complete_only: bool, each: int = 0
           ) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(metadata kept, starts, x, y, sorted_x) with samples grouped per kept curve.
    ``complete_only``: a curve with fewer samples than points is still being inserted:
    among the first ``each`` curves (late ones) it alone is left for next time, after them
    it and every later id (the newest held id must not pass it)."""
    ids = meta["curve_id"].to_numpy().astype(np.int64)
    pos = positions(ids, samples["curve_id"].to_numpy().astype(np.int64))
    known = pos >= 0
    counts = np.bincount(pos[known], minlength=len(ids))
    keep = np.ones(len(ids), dtype=bool)
    if complete_only:
        short = counts != meta["n_points"].to_numpy()
        keep[:each] = ~short[:each]
        incomplete = np.flatnonzero(short[each:]) + each
        if len(incomplete):  # still being inserted: take it (and later ids) next time
            keep[incomplete[0]:] = False
    sample_keep = known & keep[np.maximum(pos, 0)] if len(ids) else known
    x = samples["x"].to_numpy().astype(np.float32)[sample_keep]
    y = samples["y"].to_numpy().astype(np.float32)[sample_keep]
    starts = np.concatenate([[0], np.cumsum(counts[keep])]).astype(np.int64)
    falls = np.concatenate([[0], np.cumsum(np.diff(x) < 0)]).astype(np.int64)
    first = np.minimum(starts[:-1], len(falls) - 1)
    last = np.minimum(np.maximum(starts[1:] - 1, starts[:-1]), len(falls) - 1)
    sorted_x = falls[last] - falls[first] == 0  # no fall inside the curve
    return meta.filter(pl.Series(keep)), starts, x, y, sorted_x


def _codes(meta: pl.DataFrame, names: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Codes of each column's values in ``names`` (new values are appended to it)."""
    out = {}
    for column in COLUMNS:
        values = meta[column].cast(pl.String).to_list()
        index = {v: i for i, v in enumerate(names[column])}
        for v in values:
            if v not in index:
                index[v] = len(names[column])
                names[column].append(v)
        out[column] = np.array([index[v] for v in values], dtype=np.int16)
    return out


def _bounds(meta: pl.DataFrame, starts: np.ndarray, x: np.ndarray,
            y: np.ndarray) -> np.ndarray:
    """Per curve: x min, x max, y min, y max of its samples (the stored ones where it has
    none)."""
    stored = meta.select("x_min", "x_max", "y_min", "y_max").to_numpy().astype(np.float32) \
        if meta.height else np.zeros((0, 4), dtype=np.float32)
    has = np.flatnonzero(starts[1:] > starts[:-1])
    if len(has):
        first = starts[:-1][has]
        stored[has] = np.stack([np.minimum.reduceat(x, first), np.maximum.reduceat(x, first),
                                np.minimum.reduceat(y, first), np.maximum.reduceat(y, first)],
                               axis=1)
    return stored


def _last_id(meta: pl.DataFrame) -> int:
    ids = meta["curve_id"].to_numpy()
    return int(ids.max()) if len(ids) else 0


def load(session: ClusterSession, process: str) -> Population:
    """Read every curve of ``process`` (synchronously) and cache it."""
    meta, samples = _fetch(session, process, after_id=-1)
    kept, starts, x, y, sorted_x = _build(meta, samples, complete_only=False)
    names: dict[str, list[str]] = {c: [] for c in COLUMNS}
    pop = Population(
        database=session.database, process=process,
        curve_ids=kept["curve_id"].to_numpy().astype(np.int64), starts=starts, x=x, y=y,
        sorted_x=sorted_x, ts_ms=kept["ts_ms"].to_numpy().astype(np.int64),
        bounds=_bounds(kept, starts, x, y), codes=_codes(kept, names), names=names,
        max_id=_last_id(meta))
    _store(_held(session), pop)
    return pop


def append_new(session: ClusterSession, pop: Population) -> Population:
    """``pop`` with the curves inserted since it was read (a new object; ``pop`` unchanged),
    or the process read again when curves it holds are gone. Ids are not insertion order
    (an import numbers its curves above the demo feed's), so curves that arrived with ids
    below the newest held one are found and put in their place too."""
    late = np.zeros(0, dtype=np.int64)
    if curve_data.count_upto(session, process=pop.process, last_id=pop.max_id) \
            != len(pop.curve_ids):
        stored = curve_data.ids_upto(session, process=pop.process, last_id=pop.max_id)
        if len(np.setdiff1d(pop.curve_ids, stored, assume_unique=True)):
            return load(session, pop.process)  # rows expired or deleted, or a new database
        late = np.setdiff1d(stored, pop.curve_ids, assume_unique=True)
    meta, samples = _fetch(session, pop.process, after_id=pop.max_id)
    if len(late):
        ids = [int(i) for i in late]
        meta = pl.concat([curve_data.population_meta_of(session, process=pop.process,
                                                        ids=ids), meta])
        samples = pl.concat([curve_data.population_samples_of(session, process=pop.process,
                                                              ids=ids), samples])
    kept, starts, x, y, sorted_x = _build(meta, samples, complete_only=True, each=len(late))
    if not kept.height:
        pop.checked_at = time.monotonic()
        return pop
    names = {c: list(v) for c, v in pop.names.items()}
    codes = _codes(kept, names)
    ids_kept = kept["curve_id"].to_numpy().astype(np.int64)
    at = np.searchsorted(pop.curve_ids, ids_kept)  # where each goes (the end, unless late)
    lengths = np.diff(starts)
    sample_at = np.repeat(pop.starts[at], lengths)
    new = Population(
        database=pop.database, process=pop.process,
        curve_ids=np.insert(pop.curve_ids, at, ids_kept),
        starts=np.concatenate([[0], np.cumsum(np.insert(np.diff(pop.starts), at, lengths))]
                              ).astype(np.int64),
        x=np.insert(pop.x, sample_at, x), y=np.insert(pop.y, sample_at, y),
        sorted_x=np.insert(pop.sorted_x, at, sorted_x),
        ts_ms=np.insert(pop.ts_ms, at, kept["ts_ms"].to_numpy().astype(np.int64)),
        bounds=np.insert(pop.bounds, at, _bounds(kept, starts, x, y), axis=0),
        codes={c: np.insert(pop.codes[c], at, codes[c]) for c in COLUMNS}, names=names,
        max_id=max(pop.max_id, _last_id(kept)), loaded_at=pop.loaded_at,
        version=pop.version + 1)
    _store(_held(session), new)
    return new


def _store(held: Held, pop: Population) -> None:
    key = (pop.database, pop.process)
    with held.lock:
        cache = held.populations
        cache[key] = pop
        cache.move_to_end(key)
        while len(cache) > 1 and sum(p.n_samples for p in cache.values()) > held.max_samples:
            cache.popitem(last=False)


def set_budget(caches: Any, samples: int) -> None:
    """Hold at most ``samples`` samples in this runtime's caches (bigger processes are drawn
    from the stored partials or ClickHouse)."""
    held = caches.of(Held)
    with held.lock:
        held.max_samples = int(samples)


def mark_behind(session: ClusterSession) -> None:
    """The cluster's data changed (an import or ingest finished): every held process of its
    database is served from ClickHouse until it is topped up (started at its next use)."""
    held = _held(session)
    with held.lock:
        for key in [k for k in held.populations if k[0] == session.database]:
            held.behind[key] = held.behind.get(key, 0) + 1


def is_marked_behind(session: ClusterSession, process: str) -> bool:
    """True while ``process`` is held but older than the cluster's data (being topped up)."""
    key = (session.database, process)
    held = _held(session)
    with held.lock:
        return key in held.behind


def get(session: ClusterSession, process: str, *, wait: bool = False) -> Population | None:
    """The held population of ``process`` (``None`` while it loads in the background, while
    it is behind the cluster's data, or when it is too big to hold); starts a background
    top-up when it is due. ``wait``: load it now if it is not held (start-up warm-up,
    tests) or top it up now if it is behind."""
    key = (session.database, process)
    held = _held(session)
    with held.lock:
        pop = held.populations.get(key)
        if pop is not None:
            held.populations.move_to_end(key)
        if key in held.too_big and time.monotonic() - held.too_big[key] < RELOAD_S:
            return None
        behind = pop is not None and key in held.behind
        due = pop is None or behind or time.monotonic() - pop.checked_at > REFRESH_S
        start = due and key not in held.busy and not (wait and (pop is None or behind))
        if start:
            held.busy.add(key)
    if (pop is None or behind) and wait:
        return _refresh(session, process)
    if start:
        threading.Thread(target=_background, args=(session, process),
                         name="explorer-population", daemon=True).start()
    return None if behind else pop


def _fits(session: ClusterSession, process: str) -> bool:
    n = curve_data.sample_count(session, process=process)
    held = _held(session)
    if n > held.max_samples:
        with held.lock:
            held.too_big[(session.database, process)] = time.monotonic()
        return False
    return True


def _refresh(session: ClusterSession, process: str) -> Population | None:
    """Load, top up or reload the population (one at a time per process)."""
    key = (session.database, process)
    held = _held(session)
    with held.lock:
        lock = held.key_locks.setdefault(key, threading.Lock())
    with lock:
        with held.lock:
            pop = held.populations.get(key)
            said = held.behind.get(key)
        if pop is not None and time.monotonic() - pop.loaded_at <= RELOAD_S:
            if said is None and time.monotonic() - pop.checked_at <= REFRESH_S:
                return pop
            found: Population | None = append_new(session, pop)
        else:
            found = load(session, process) if _fits(session, process) else None
        with held.lock:
            if said is not None and held.behind.get(key) == said:
                del held.behind[key]  # caught up (unless the data changed again meanwhile)
        return found


def _background(session: ClusterSession, process: str) -> None:
    key = (session.database, process)
    try:
        _refresh(session, process)
    except Exception:  # noqa: BLE001 - the ClickHouse path keeps serving; logged
        log.exception("explorer population load failed (%s, %s)", *key)
    finally:
        held = _held(session)
        with held.lock:
            held.busy.discard(key)


# ----------------------------------------------------------------------------- queries

def mask(pop: Population, query: CurveQuery) -> np.ndarray:
    """Which held curves match ``query`` (values unknown to the process match nothing)."""
    keep = np.ones(len(pop.curve_ids), dtype=bool)
    for key, column in (("lines", "line"), ("stations", "station"), ("products", "product"),
                        ("batches", "batch"), ("results", "result")):
        wanted = getattr(query, key)
        if wanted:
            codes = [i for i, v in enumerate(pop.names[column]) if v in set(wanted)]
            keep &= np.isin(pop.codes[column], codes)
    if query.start is not None:
        keep &= pop.ts_ms >= _ms(query.start)
    if query.end is not None:
        keep &= pop.ts_ms <= _ms(query.end)
    return keep


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def summary(pop: Population, keep: np.ndarray) -> dict[str, Any]:
    """Count and x/y ranges of the kept curves (like ``data.analytics.curves.summary``)."""
    if not keep.any():
        return {"count": 0, "x": (0.0, 0.0), "y": (0.0, 0.0)}
    b = pop.bounds[keep]
    return {"count": int(keep.sum()), "x": (float(b[:, 0].min()), float(b[:, 1].max())),
            "y": (float(b[:, 2].min()), float(b[:, 3].max()))}


def top_groups(counts: Mapping[str, int]) -> list[str]:
    """The colour groups for values with these curve counts: every value when they fit
    the palette, else the ``MAX_GROUPS - 1`` most frequent and ``OTHER`` (no curve is left
    out of the image)."""
    present = [v for v, n in counts.items() if n > 0]
    if len(present) <= MAX_GROUPS:
        return sorted(present)
    top = sorted(present, key=lambda v: (-counts[v], v))[:MAX_GROUPS - 1]
    return [*sorted(top), OTHER]


def groups(pop: Population, keep: np.ndarray, *, color_by: str) -> list[str]:
    """The colour column's groups among the kept curves (see :func:`top_groups`)."""
    names = pop.names[color_by]
    counts = np.bincount(pop.codes[color_by][keep], minlength=len(names))
    return top_groups(dict(zip(names, counts.tolist(), strict=False)))


def density(pop: Population, keep: np.ndarray, *, color_by: str, groups: list[str],
            x_range: tuple[float, float], y_range: tuple[float, float], width: int,
            height: int) -> tuple[list[np.ndarray], int]:
    """Per group in ``groups``, the kept curves drawn as lines (DenseLines weights), and how
    many curves cross the view."""
    slot = {name: i for i, name in enumerate(groups)}
    rest = slot.get(OTHER, -1)
    to_group = np.array([slot.get(n, rest) for n in pop.names[color_by]] or [-1],
                        dtype=np.int16)
    group = np.where(keep, to_group[pop.codes[color_by]], -1).astype(np.int16)
    (x0, x1), (y0, y1) = x_range, y_range
    view = np.array([x0, width / (x1 - x0), y0, height / (y1 - y0)], dtype=np.float64)
    n_groups = max(len(groups), 1)
    samples = int(np.diff(pop.starts)[group >= 0].sum())
    images, n_in_view = kernel.rasterise(pop.x, pop.y, pop.starts, group, pop.sorted_x,
                                         pop.bounds, view, n_groups, int(width), int(height),
                                         kernel.threads_for(samples, n_groups * width * height))
    return [images[i] for i in range(len(groups))], int(n_in_view)


def points(pop: Population, curve_ids: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each held curve's samples (curves not held are left out)."""
    out = {}
    for cid, i in zip(curve_ids, pop.index_of(curve_ids).tolist(), strict=True):
        if i >= 0:
            s, e = int(pop.starts[i]), int(pop.starts[i + 1])
            out[int(cid)] = (pop.x[s:e], pop.y[s:e])
    return out


def profiles(pop: Population, keep: np.ndarray, *, x_range: tuple[float, float],
             bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(curve ids, mean, low, high) of the kept curves on a ``bins`` grid over ``x_range``."""
    index = np.flatnonzero(keep).astype(np.int64)
    mean, low, high = kernel.profiles(pop.x, pop.y, pop.starts, index, float(x_range[0]),
                                      float(x_range[1]), int(bins))
    return pop.curve_ids[index], mean, low, high
