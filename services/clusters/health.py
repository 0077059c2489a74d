"""A cluster's health from the engine's real state, as a 0–1 score with plain advice.

Four checks, each ``ok`` (counts 1), ``warn`` (0.5) or ``bad`` (0), weighted into the score:

=========  ======  ==============================================  ===========================
check      weight  warn                                            bad
=========  ======  ==============================================  ===========================
parts      0.30    ≥ 100 active parts in one partition             ≥ 300
merges     0.15    > 4 merges running, or one running > 10 min     one running > 1 h
disks      0.30    a tier's disk has < 15 % free                   < 5 % free
queries    0.25    ≥ 2 % of recent queries failed, or p95 ≥ 2 s    ≥ 10 % failed, or p95 ≥ 10 s
=========  ======  ==============================================  ===========================

The overall status is the worst check's. Query outcomes come from this process
(:class:`data.analytics.clickhouse.RecentQueries`): chDB keeps no ``system.query_log``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from data.analytics import cluster_stats as stats
from data.analytics.clickhouse import TIERS, QueryOutcome
from data.analytics.cluster_stats import MergeInfo, PartsSummary
from data.metadata.cluster_meta import ClusterStateError
from data.metadata.models import DatabaseCluster
from services.core.runtime import Runtime

STATUS_VALUE = {"ok": 1.0, "warn": 0.5, "bad": 0.0}
WEIGHTS = {"parts": 0.30, "merges": 0.15, "disks": 0.30, "queries": 0.25}
PARTS_WARN, PARTS_BAD = 100, 300
MERGES_WARN_COUNT, MERGE_WARN_S, MERGE_BAD_S = 4, 600.0, 3600.0
FREE_WARN, FREE_BAD = 0.15, 0.05
FAILED_WARN, FAILED_BAD = 0.02, 0.10
P95_WARN_S, P95_BAD_S = 2.0, 10.0
#: How old a remembered health may be for the cluster list, and how many are remembered.
RECENT_S = 15.0
MAX_REMEMBERED = 1024


@dataclass(frozen=True)
class TierDisk:
    """The disk behind one tier and its space."""

    tier: str
    disk: str
    free_bytes: int
    total_bytes: int

    @property
    def free_share(self) -> float:
        """Free space as a share of the disk (1.0 when the size is unknown)."""
        return self.free_bytes / self.total_bytes if self.total_bytes else 1.0


@dataclass(frozen=True)
class QueryStats:
    """Recent queries on the cluster: how many, how many failed, latency percentiles."""

    count: int
    failed: int
    p50_s: float | None
    p95_s: float | None

    @property
    def failed_share(self) -> float:
        """Failed queries as a share of all (0 with none)."""
        return self.failed / self.count if self.count else 0.0


@dataclass(frozen=True)
class EngineState:
    """What the health checks look at, read from the engine (or made up in tests)."""

    parts: PartsSummary
    merges: list[MergeInfo]
    disks: list[TierDisk]
    queries: list[QueryOutcome]


@dataclass(frozen=True)
class HealthCheck:
    """One sub-check: its status, a one-line summary and what to do about it."""

    key: str
    label: str
    status: str
    summary: str
    recommendations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Health:
    """The score (0–1), the worst status, each check and the query figures."""

    score: float
    status: str
    checks: tuple[HealthCheck, ...]
    queries: QueryStats

    @property
    def recommendations(self) -> list[str]:
        """Every check's advice, worst checks first."""
        ranked = sorted(self.checks, key=lambda check: STATUS_VALUE[check.status])
        return [text for check in ranked for text in check.recommendations]

    def check(self, key: str) -> HealthCheck:
        """The check called ``key`` (``parts``, ``merges``, ``disks``, ``queries``)."""
        return next(check for check in self.checks if check.key == key)


def _percent(share: float) -> str:
    value = share * 100
    return f"{value:.1f} %" if 0 < value < 1 else f"{value:.0f} %"


def query_stats(outcomes: list[QueryOutcome]) -> QueryStats:
    """Count, failures and p50/p95 latency of ``outcomes``."""
    if not outcomes:
        return QueryStats(0, 0, None, None)
    seconds = np.array([outcome.seconds for outcome in outcomes])
    p50, p95 = np.percentile(seconds, [50, 95])
    return QueryStats(count=len(outcomes), failed=sum(not o.ok for o in outcomes),
                      p50_s=float(p50), p95_s=float(p95))


def _parts_check(parts: PartsSummary) -> HealthCheck:
    count = parts.max_in_partition
    if count == 0:
        return HealthCheck("parts", "Storage parts", "ok", "No data yet.")
    summary = (f"{parts.active_parts} active storage parts (ClickHouse's files of rows, not "
               f"manufactured parts); at most {count} in one partition "
               f"({parts.table}, {parts.partition}).")
    if count < PARTS_WARN:
        return HealthCheck("parts", "Storage parts", "ok", summary)
    advice = (f"Too many small storage parts in {parts.table} ({count} in one partition): "
              "batch inserts into fewer, larger blocks.")
    return HealthCheck("parts", "Storage parts", "bad" if count >= PARTS_BAD else "warn", summary,
                       (advice,))


def _merges_check(merges: list[MergeInfo]) -> HealthCheck:
    if not merges:
        return HealthCheck("merges", "Merges", "ok", "No merges running.")
    longest = max(merges, key=lambda merge: merge.elapsed_s)
    minutes = longest.elapsed_s / 60
    summary = f"{len(merges)} running; the longest for {longest.elapsed_s:.0f} s."
    if longest.elapsed_s > MERGE_BAD_S:
        return HealthCheck("merges", "Merges", "bad", summary, (
            f"A merge on {longest.table} has run for {minutes:.0f} min: check the disk's speed "
            "and free space, and avoid OPTIMIZE … FINAL on large tables.",))
    if longest.elapsed_s > MERGE_WARN_S:
        return HealthCheck("merges", "Merges", "warn", summary, (
            f"A merge on {longest.table} has run for {minutes:.0f} min: large merges slow "
            "inserts down; watch the parts count.",))
    if len(merges) > MERGES_WARN_COUNT:
        tables = ", ".join(sorted({merge.table for merge in merges}))
        return HealthCheck("merges", "Merges", "warn", summary, (
            f"{len(merges)} merges are running ({tables}): inserts arrive faster than they "
            "are merged; batch inserts into fewer, larger blocks.",))
    return HealthCheck("merges", "Merges", "ok", summary)


def _disks_check(disks: list[TierDisk]) -> HealthCheck:
    if not disks:
        return HealthCheck("disks", "Disk space", "ok", "No tier disks reported.")
    summary = "; ".join(f"{d.tier} {_percent(d.free_share)} free" for d in disks) + "."
    low: dict[tuple[int, int], list[TierDisk]] = defaultdict(list)
    for disk in disks:
        if disk.free_share < FREE_WARN:
            low[(disk.free_bytes, disk.total_bytes)].append(disk)
    if not low:
        return HealthCheck("disks", "Disk space", "ok", summary)
    advice = []
    for group in low.values():  # tiers sharing one file system are named together
        tiers = [d.tier for d in group]
        names = tiers[0] if len(tiers) == 1 else f"{', '.join(tiers[:-1])} and {tiers[-1]}"
        verb = "has" if len(group) == 1 else "have"
        noun = "disk" if len(group) == 1 else "disks"
        advice.append(f"The {names} {noun} {verb} {_percent(group[0].free_share)} free: "
                      "add capacity or shorten retention.")
    worst = min(d.free_share for d in disks)
    return HealthCheck("disks", "Disk space", "bad" if worst < FREE_BAD else "warn", summary,
                       tuple(advice))


def _queries_check(figures: QueryStats) -> HealthCheck:
    if not figures.count:
        return HealthCheck("queries", "Queries", "ok", "No queries since the app started.")
    assert figures.p50_s is not None and figures.p95_s is not None
    share, p95 = figures.failed_share, figures.p95_s
    summary = (f"{figures.count} recent, {figures.failed} failed; p50 {figures.p50_s:.2f} s, "
               f"p95 {p95:.2f} s.")
    advice = []
    if share >= FAILED_WARN:
        advice.append(f"{figures.failed} of {figures.count} recent queries failed "
                      f"({_percent(share)}): check the query limits and the queries that fail.")
    if p95 >= P95_WARN_S:
        advice.append(f"Queries are slow (p95 {p95:.1f} s): narrow the time range of "
                      "dashboards, or raise the query limits.")
    status = ("bad" if share >= FAILED_BAD or p95 >= P95_BAD_S
              else "warn" if advice else "ok")
    return HealthCheck("queries", "Queries", status, summary, tuple(advice))


def assess(state: EngineState) -> Health:
    """Score ``state``: weighted checks, the worst status, and the advice."""
    figures = query_stats(state.queries)
    checks = (_parts_check(state.parts), _merges_check(state.merges),
              _disks_check(state.disks), _queries_check(figures))
    score = sum(WEIGHTS[check.key] * STATUS_VALUE[check.status] for check in checks)
    worst = min(checks, key=lambda check: STATUS_VALUE[check.status]).status
    return Health(score=round(score, 2), status=worst, checks=checks, queries=figures)


def engine_state(runtime: Runtime, database: str) -> EngineState:
    """Read the checks' inputs for ``database`` from the engine's system tables."""
    ch = runtime.ch
    tiers = stats.disk_tiers(ch)
    space = {disk.disk: disk for disk in stats.disk_space(ch)}
    disks = sorted(
        (TierDisk(tier, name, space[name].free_bytes, space[name].total_bytes)
         for name, tier in tiers.items() if name in space and tier in TIERS),
        key=lambda disk: TIERS.index(disk.tier))
    return EngineState(parts=stats.parts_summary(ch, database),
                       merges=stats.running_merges(ch, database), disks=disks,
                       queries=ch.recent.outcomes(database))


class RecentHealth:
    """Health assessed in the last few seconds, per database (a runtime's cache: see
    ``runtime.caches``), so a list of clusters redrawn on every keystroke of its search box
    does not read every cluster's system tables again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, tuple[float, Health]] = {}

    def get(self, database: str, *, max_age_s: float) -> Health | None:
        """The health assessed at most ``max_age_s`` ago, or ``None``."""
        with self._lock:
            found = self._found.get(database)
        if found is None or time.monotonic() - found[0] > max_age_s:
            return None
        return found[1]

    def put(self, database: str, health: Health) -> None:
        """Remember ``health`` as assessed now (bounded: the oldest go first)."""
        with self._lock:
            self._found[database] = (time.monotonic(), health)
            while len(self._found) > MAX_REMEMBERED:
                del self._found[min(self._found, key=lambda key: self._found[key][0])]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._found.clear()


def recent_health(runtime: Runtime, cluster: DatabaseCluster, *,
                  max_age_s: float = RECENT_S) -> Health:
    """:func:`cluster_health`, or what it said at most ``max_age_s`` ago."""
    memo = runtime.caches.of(RecentHealth)
    found = memo.get(cluster.database_name, max_age_s=max_age_s)
    if found is None:
        found = cluster_health(runtime, cluster)
        memo.put(cluster.database_name, found)
    return found


def cluster_health(runtime: Runtime, cluster: DatabaseCluster) -> Health:
    """The health of a running cluster, from the engine's current state."""
    if cluster.status != "running":
        raise ClusterStateError(
            f"Health is shown for running clusters only; {cluster.name} is {cluster.status}.")
    return assess(engine_state(runtime, cluster.database_name))
