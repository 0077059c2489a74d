"""The profiles the outlier ranking reads after each draw, within a time and memory bound.

Ranking needs every ranked curve's profile (:class:`~services.explorer.curve_queries.Profiles`:
mean, min and max per bin of the explorer's grid). A held process has them in memory at once;
a process too big to hold has them computed by ClickHouse from every sample (one scan of the
filtered curves' samples: 150 M samples at 100,000 curves of 1,500 points, tens of seconds
on two cores). So the ranking reads at most ``MAX_CURVES`` profiles (memory: 12 bytes a
bin, ~150 MB at 256 bins) and reads from ClickHouse for about ``READ_S`` seconds at most
per request (it starts no chunk that would end later, judged by the chunk before), in
blocks of ``BLOCK`` consecutive curves (consecutive samples, so few index granules per
block) visited in an order whose every prefix is spread evenly over the filtered curves in
id (arrival) order. When a bound stops it, what it read is an even sample, and
:class:`Read` says how many of how many and which bound stopped it, for the page to say in
words. A sample is cached like the full profiles, so a redraw of the same filter does not
read again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from data.analytics import curves as curve_data
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from services.explorer import curve_queries as explorer
from services.explorer import density_kernel, population
from services.explorer.curve_queries import PROFILE_BINS, Profiles

#: At most this many curves' profiles are ranked per request (held in the web process).
MAX_CURVES = 50_000
#: Reading from ClickHouse stops before a chunk that would end after this many seconds (as
#: long as the chunk before took; the first chunk is always read).
READ_S = 2.5
#: Consecutive curves read together, and curves per query.
BLOCK, CHUNK = 64, 1_024
#: Why a ranking holds fewer curves than the filter: none, the memory bound, the time bound.
BOUNDS = ("", "curves", "time")


@dataclass(frozen=True)
class Read:
    """What the ranking reads: the profiles, how many curves match the filter, which bound
    stopped the read (``BOUNDS``) and how long reading from ClickHouse took (seconds; 0:
    held in memory)."""

    profiles: Profiles
    n_matching: int
    bound: str = ""
    read_s: float = 0.0
    #: The bounds it was read within.
    max_curves: int = MAX_CURVES
    max_read_s: float = READ_S

    @property
    def n_read(self) -> int:
        """How many curves' profiles were read."""
        return len(self.profiles.curve_ids)

    def words(self) -> str:
        """What was read, in words, for the page ("" when every matching curve was)."""
        if not self.bound:
            return ""
        share = self.n_read / self.n_matching
        sample = (f"an even sample of {self.n_read:,} of the {self.n_matching:,} filtered "
                  f"curves ({share * 100:.0f} %: blocks of {BLOCK} consecutive curves spread over "
                  "all of them)")
        if self.bound == "curves":
            return f"{sample}, as the ranking holds at most {self.max_curves:,} curves in memory"
        whole = self.read_s / share if share else 0.0
        return (f"{sample}: reading every curve's samples from the database would take about "
                f"{whole:,.0f} s here, and the ranking after a draw reads for at most "
                f"{self.max_read_s:g} s")


def spread_order(n_blocks: int) -> np.ndarray:
    """Block numbers ``0 … n_blocks-1`` in an order whose every prefix is spread evenly over
    them (by the base-2 radical inverse of each number: 0, ½, ¼, ¾, …)."""
    index = np.arange(n_blocks, dtype=np.uint64)
    inverse = np.zeros(n_blocks, dtype=np.float64)
    scale, rest = 0.5, index.copy()
    while rest.any():
        inverse += (rest & np.uint64(1)).astype(np.float64) * scale
        rest >>= np.uint64(1)
        scale /= 2
    return np.argsort(inverse, kind="stable")


def spread(ids: np.ndarray) -> np.ndarray:
    """``ids`` (ascending) as blocks of ``BLOCK`` in :func:`spread_order`."""
    if not len(ids):
        return ids
    return np.concatenate([ids[b * BLOCK:(b + 1) * BLOCK]
                           for b in spread_order(-(-len(ids) // BLOCK))])


def chosen(ids: np.ndarray, n_max: int) -> np.ndarray:
    """The first ``n_max`` of ``ids`` (ascending) in block spread order, ascending."""
    if len(ids) <= n_max:
        return ids
    return np.sort(spread(ids)[:n_max])


def ranked_profiles(session: ClusterSession, query: CurveQuery, *,
                    max_curves: int = MAX_CURVES, read_s: float = READ_S,
                    clock: Callable[[], float] = time.monotonic) -> Read:
    """The filtered curves' profiles for ranking, within ``max_curves`` and ``read_s``
    (see the module's docstring)."""
    xr = explorer.full_range(session, query)["x"]
    if population.get(session, query.process) is not None:
        full = explorer.profiles(session, query, x_range=xr)
        keep = np.isin(full.curve_ids, chosen(full.curve_ids, max_curves))
        return Read(profiles=_rows(full, keep), n_matching=len(full.curve_ids),
                    bound="" if keep.all() else "curves", max_curves=max_curves,
                    max_read_s=read_s)
    key = (session.database, query, xr, PROFILE_BINS, "ranked", max_curves, read_s)
    kept = explorer.cached_profiles(session, key)
    if isinstance(kept, Read):
        return kept
    ids = np.sort(np.asarray(curve_data.curve_ids(session, query), dtype=np.int64))
    order = spread(ids)
    tables: list[pa.Table] = []
    began, taken, bound, chunk_s = clock(), 0, "", 0.0
    limit = min(len(order), max_curves)
    while taken < limit:
        now = clock()
        if tables and now - began + chunk_s > read_s:  # the next chunk would end too late
            bound = "time"
            break
        part = order[taken:min(taken + CHUNK, limit)]
        tables.append(curve_data.profile_arrays(
            session, process=query.process, curve_ids=part.tolist(), x_range=xr,
            bins=PROFILE_BINS, back=density_kernel.RETURN_FRACTION))
        taken += len(part)
        chunk_s = clock() - now
    if not bound and taken < len(order):
        bound = "curves"
    found = Read(profiles=_with_all(explorer.from_arrays(tables, x_range=xr,
                                                         bins=PROFILE_BINS),
                                    order[:taken]),
                 n_matching=len(ids), bound=bound, read_s=clock() - began,
                 max_curves=max_curves, max_read_s=read_s)
    explorer.keep_profiles(session, key, found)
    return found


def _rows(found: Profiles, keep: np.ndarray) -> Profiles:
    if keep.all():
        return found
    return Profiles(curve_ids=found.curve_ids[keep], x=found.x, mean=found.mean[keep],
                    low=found.low[keep], high=found.high[keep])


def _with_all(found: Profiles, ids: np.ndarray) -> Profiles:
    """``found`` with a row of NaN for each id of ``ids`` it lacks (a curve without a sample
    in the range is ranked last, as the held path ranks it)."""
    missing = np.setdiff1d(ids, found.curve_ids)
    if not len(missing):
        return found
    ids_all = np.concatenate([found.curve_ids, missing])
    order = np.argsort(ids_all, kind="stable")
    blank = np.full((len(missing), len(found.x)), np.nan, dtype=np.float32)
    return Profiles(curve_ids=ids_all[order], x=found.x,
                    mean=np.concatenate([found.mean, blank])[order],
                    low=np.concatenate([found.low, blank])[order],
                    high=np.concatenate([found.high, blank])[order])
