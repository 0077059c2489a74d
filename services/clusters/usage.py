"""Storage use of a cluster per tier, sampled over time, and the tier moves seen between samples.

A tier move is observed, not predicted: every sample lists the active parts of the cluster's
database with their disk, keyed by ``table/partition_minblock_maxblock`` (a key that survives
a TTL move and a rewrite of the same blocks); a key found on another tier than at the previous
sample of this process is a part that moved. The previous mapping lives in memory
(:class:`PartTracker`), so the first sample after a start only sets the baseline.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from data.analytics import cluster_stats as stats
from data.analytics.clickhouse import TIERS, ClickHouse
from data.metadata import cluster_meta as meta
from data.metadata.models import ClusterUsageMetric, DatabaseCluster, utcnow
from lyceum.errors import AppError, ValidationError
from services.core.periodic import OnePerProcess
from services.core.runtime import Runtime

log = logging.getLogger(__name__)

MAX_TREND_DAYS = 365
DEFAULT_INTERVAL_S = 300.0


@dataclass(frozen=True)
class TierUsage:
    """A cluster's active data on one tier."""

    tier: str
    rows: int = 0
    bytes_on_disk: int = 0
    bytes_uncompressed: int = 0
    parts: int = 0

    @property
    def compression_ratio(self) -> float:
        """Uncompressed bytes per byte on disk (0 when the tier is empty)."""
        return self.bytes_uncompressed / self.bytes_on_disk if self.bytes_on_disk else 0.0


@dataclass(frozen=True)
class UsagePoint:
    """One stored sample of one tier, for the usage chart."""

    sampled_at: datetime
    tier: str
    rows: int
    bytes_on_disk: int
    bytes_uncompressed: int
    parts: int


@dataclass(frozen=True)
class TierMove:
    """Parts seen on ``target`` that were on ``source`` at the previous sample."""

    source: str
    target: str
    parts: int
    bytes_moved: int
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """E.g. ``"12 parts (3.4 MiB) moved hot → warm"``."""
        noun = "part" if self.parts == 1 else "parts"
        return (f"{self.parts} {noun} ({format_bytes(self.bytes_moved)}) moved "
                f"{self.source} → {self.target}")

    def detail(self) -> dict[str, Any]:
        """The event detail stored with a ``tier_move`` event."""
        return {"from": self.source, "to": self.target, "parts": self.parts,
                "bytes": self.bytes_moved, "tables": dict(self.tables)}


def format_bytes(size: float) -> str:
    """``3565158`` → ``"3.4 MiB"`` (binary units)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class PartTracker:
    """The last part → tier mapping seen per cluster, in this process (thread-safe)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, str], dict[str, str]] = {}
        self._lock = threading.Lock()

    def observe(self, cluster_id: int, database: str,
                parts: list[tuple[str, str, str, int]]) -> list[TierMove]:
        """Remember ``(key, table, tier, bytes)`` per part; return the moves since last time."""
        current = {key: tier for key, _table, tier, _size in parts}
        with self._lock:
            previous = self._seen.get((cluster_id, database))
            self._seen[(cluster_id, database)] = current
        if previous is None:
            return []
        counts: Counter[tuple[str, str]] = Counter()
        sizes: Counter[tuple[str, str]] = Counter()
        tables: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for key, table, tier, size in parts:
            before = previous.get(key)
            if before is not None and before != tier:
                counts[(before, tier)] += 1
                sizes[(before, tier)] += size
                tables[(before, tier)][table] += 1
        order = {tier: i for i, tier in enumerate(TIERS)}
        return [TierMove(source, target, counts[(source, target)], sizes[(source, target)],
                         dict(tables[(source, target)]))
                for source, target in sorted(counts, key=lambda p: (order.get(p[0], 9),
                                                                    order.get(p[1], 9)))]

    def retain(self, cluster_ids: set[int]) -> None:
        """Forget every cluster not in ``cluster_ids``."""
        with self._lock:
            for key in [key for key in self._seen if key[0] not in cluster_ids]:
                del self._seen[key]


#: The tracker of this process, shared by :func:`record_usage` and the sampler.
PROCESS_TRACKER = PartTracker()


def _tier_usage(ch: ClickHouse, database: str, tiers: dict[str, str]) -> list[TierUsage]:
    totals = {tier: [0, 0, 0, 0] for tier in TIERS}
    for row in stats.usage_by_disk(ch, database):
        found = totals.get(tiers.get(row.disk, row.disk))
        if found is not None:
            for i, value in enumerate((row.rows, row.bytes_on_disk, row.bytes_uncompressed,
                                       row.parts)):
                found[i] += value
    return [TierUsage(tier, *totals[tier]) for tier in TIERS]


def usage_by_tier(runtime: Runtime, cluster: DatabaseCluster) -> list[TierUsage]:
    """Rows, bytes, compression and parts of the cluster's active data on each of the four
    tiers (hot, warm, cold, archive; zeros where a tier is empty)."""
    return _tier_usage(runtime.ch, cluster.database_name, stats.disk_tiers(runtime.ch))


def _sample_cluster(runtime: Runtime, cluster_id: int, database: str, *, at: datetime,
                    tiers: dict[str, str], tracker: PartTracker) -> int:
    usage = _tier_usage(runtime.ch, database, tiers)
    parts = [(p.key, p.table, tiers.get(p.disk, p.disk), p.bytes_on_disk)
             for p in stats.part_locations(runtime.ch, database)]
    moves = tracker.observe(cluster_id, database, parts)
    with runtime.db.session() as session:
        written = meta.add_usage_samples(session, [
            ClusterUsageMetric(cluster_id=cluster_id, sampled_at=at, tier=u.tier, rows=u.rows,
                               bytes_on_disk=u.bytes_on_disk,
                               bytes_uncompressed=u.bytes_uncompressed, parts=u.parts)
            for u in usage])
        for move in moves:
            meta.add_event(session, cluster_id=cluster_id, kind="tier_move",
                           message=move.message, detail=move.detail(), at=at)
    return written


def record_usage(runtime: Runtime, *, now: datetime | None = None,
                 tracker: PartTracker | None = None) -> int:
    """Store one usage sample per tier for every running cluster and a ``tier_move`` event
    per (from, to) pair of tiers that parts moved between; return the samples written.

    A cluster whose sample fails is logged and skipped; the others are still sampled.
    """
    at = now or utcnow()
    watcher = tracker or PROCESS_TRACKER
    with runtime.db.session() as session:
        clusters = [(c.id, c.database_name)
                    for c in meta.clusters_with_status(session, "running")]
    watcher.retain({cluster_id for cluster_id, _ in clusters})
    if not clusters:
        return 0
    tiers = stats.disk_tiers(runtime.ch)
    written = 0
    for cluster_id, database in clusters:
        try:
            written += _sample_cluster(runtime, cluster_id, database, at=at, tiers=tiers,
                                       tracker=watcher)
        except AppError as exc:
            log.warning("usage sample of %s failed: %s", database, exc)
    return written


def usage_trend(runtime: Runtime, cluster_id: int, *, days: int = 30) -> list[UsagePoint]:
    """The cluster's stored samples of the last ``days`` days, oldest first."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TREND_DAYS:
        raise ValidationError(f"Show 1 to {MAX_TREND_DAYS} days of usage.",
                              fields={"days": "out of range"})
    with runtime.db.session() as session:
        meta.require_cluster(session, cluster_id)
        samples = meta.usage_since(session, cluster_id=cluster_id,
                                   since=utcnow() - timedelta(days=days))
        return [UsagePoint(s.sampled_at, s.tier, s.rows, s.bytes_on_disk, s.bytes_uncompressed,
                           s.parts) for s in samples]


class UsageSampler:
    """A daemon thread calling :func:`record_usage` now and then every ``interval_s`` seconds.

    An exception in one round is logged and the next round runs as planned.
    """

    def __init__(self, runtime: Runtime, *, interval_s: float = DEFAULT_INTERVAL_S,
                 tracker: PartTracker | None = None) -> None:
        if isinstance(interval_s, bool) or not interval_s > 0:
            raise ValueError("interval_s must be a positive number of seconds")
        self.runtime = runtime
        self.interval_s = float(interval_s)
        self._tracker = tracker or PartTracker()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rounds = 0
        self._done = threading.Condition()

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def rounds(self) -> int:
        """How many rounds finished (successfully or not)."""
        with self._done:
            return self._rounds

    def start(self) -> None:
        """Start the thread (no-op if it runs already)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="usage-sampler", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Ask the thread to end and wait up to ``timeout`` seconds for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def sample_once(self) -> int:
        """One round: record usage; log and swallow any exception (returns 0 then)."""
        try:
            return record_usage(self.runtime, tracker=self._tracker)
        except Exception:
            log.exception("usage sampling failed; retrying in %.0f s", self.interval_s)
            return 0
        finally:
            with self._done:
                self._rounds += 1
                self._done.notify_all()

    def wait_for_rounds(self, count: int, *, timeout: float) -> bool:
        """Block until ``count`` rounds finished or ``timeout`` passed; True if they did."""
        with self._done:
            return self._done.wait_for(lambda: self._rounds >= count, timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self.interval_s)


_sampler: OnePerProcess[UsageSampler] = OnePerProcess()


def start_usage_sampler(runtime: Runtime, *,
                        interval_s: float = DEFAULT_INTERVAL_S) -> UsageSampler:
    """Start this process's one sampler (or return the one already running)."""
    return _sampler.start(lambda: UsageSampler(runtime, interval_s=interval_s,
                                               tracker=PROCESS_TRACKER))


def stop_usage_sampler(*, timeout: float = 10.0) -> None:
    """Stop this process's sampler, if one runs."""
    _sampler.stop(timeout=timeout)
