"""Keeps every running cluster's stored density partials current (a deployment duty).

Every :data:`INTERVAL_S` the process holding the ``duties`` lease adds the partials tables to
clusters made before they existed (idempotent DDL, once per cluster per process) and, per
process with curves the partials do not hold yet, runs :func:`partials.catch_up`: inline
for a few curves, or as a cluster operation with progress (the console shows it) when a
cluster that already holds many curves gets its partials built (the backfill).

A process whose only news is a few curves above the watermark waits :data:`SETTLE_S`
(unless :data:`SETTLE_CURVES` gather first): the explorer draws the curves above the
watermark from their samples (:data:`services.explorer.partials.TAIL_MAX`), so nothing is
missing from a view meanwhile, and each catch-up adds a part to the month's rollup that
the engine merges into the month's whole part. Caught up every 5 s, a trickle of curves
(the demo feed: about one every two seconds) kept an idle deployment's engine merging
the month's ~2.5 M rollup rows without pause, ~0.6 of a CPU. Curves with ids below the
watermark (late) or gone, and a process without a grid, are not drawn right until they are
built, so they are caught up on the next round.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from data.analytics import curves as curve_data
from data.analytics import density_partials as stored
from data.analytics.ch_schema import TierRetention, density_statements
from data.metadata import cluster_meta, memberships
from lyceum.errors import AppError
from services.clusters import operations
from services.clusters.query_session import ClusterSession, for_cluster
from services.core.audit import SYSTEM
from services.core.periodic import OnePerProcess, Periodic
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.explorer import partials

log = logging.getLogger(__name__)
INTERVAL_S = 5.0
#: More new curves than this are built as a cluster operation with progress.
OPERATION_CURVES = 20_000
#: How long a few new curves above the watermark wait to be built, and how many are built
#: at once however new (see the module's docstring).
SETTLE_S = 30.0
SETTLE_CURVES = 256


@dataclass(frozen=True)
class Due:
    """How far one process's partials are behind its curves."""

    process: str
    curves: int
    built: int
    new: int

    @property
    def behind(self) -> bool:
        """True when curves were added, deleted or replaced since the last build."""
        return self.curves != self.built or self.new > 0

    @property
    def work(self) -> int:
        """About how many curves the next catch-up rasterises: the new ones and those that
        arrived below the watermark, or every curve when some it holds are gone."""
        upto = self.curves - self.new  # stored curves up to the watermark
        return self.new + upto - self.built if upto >= self.built else self.curves

    @property
    def urgent(self) -> bool:
        """True when a view from the partials is wrong until they are built: no grid yet,
        curves below the watermark added or gone; or many new curves have gathered."""
        upto = self.curves - self.new
        return self.built == 0 or upto != self.built or self.new >= SETTLE_CURVES


def due(session: ClusterSession) -> list[Due]:
    """Every process of the cluster with its curve count and what the partials hold."""
    out = []
    for process in curve_data.processes(session):
        grid = partials.ready_grid(session, process)
        count = stored.count_upto(session, process=process, last_id=2**63 - 1)
        built = grid.curves if grid else 0
        new = count - stored.count_upto(session, process=process,
                                        last_id=grid.built_upto) if grid else count
        out.append(Due(process=process, curves=count, built=built, new=new))
    return out


def ensure_schema(runtime: Runtime, cluster_id: int) -> None:
    """Create the partials tables in a cluster's database (its retention and tiers)."""
    with runtime.db.session() as db:
        cluster = memberships.get_cluster(db, cluster_id)
        if cluster is None:
            return
        retention = TierRetention(**(cluster.retention or {}))
        database = cluster.database_name
    for statement in density_statements(database, retention=retention,
                                        on_cluster=runtime.settings.clickhouse_cluster):
        runtime.ch.command(statement)


def follow_cluster(runtime: Runtime, cluster_id: int, *,
                   waiting: dict[str, float] | None = None, now: float = 0.0) -> int:
    """One round for one cluster: catch up every process that is behind (a big one as an
    operation); returns the curves built inline. ``waiting``: when each process was first
    seen behind by new curves alone (the follower's memory, updated here); such a process
    is left for :data:`SETTLE_S` after that (``now``, monotonic). Without it, every process
    behind is caught up."""
    session = for_cluster(runtime, cluster_id, background=True)
    built = 0
    for item in due(session):
        if waiting is not None:
            if item.behind and not item.urgent:
                if now - waiting.setdefault(item.process, now) < SETTLE_S:
                    continue
            waiting.pop(item.process, None)
        if not item.behind:
            continue
        if item.work > OPERATION_CURVES:
            start_build(runtime, cluster_id, process=item.process, total=item.curves)
            return built
        built += partials.catch_up(session, item.process).curves
    return built


def start_build(runtime: Runtime, cluster_id: int, *, process: str, total: int,
                rebuild: bool = False) -> operations.OperationView | None:
    """Build ``process``'s partials as a cluster operation with progress (``None``: the
    cluster runs another operation now; the next round tries again)."""
    session = for_cluster(runtime, cluster_id, background=True)

    def work(progress: operations.Progress) -> str:
        done = partials.catch_up(session, process, rebuild=rebuild,
                                 progress=lambda n, _total: progress(n))
        return f"Density partials of {process} built from {done.curves:,} curves."

    try:
        return operations.start(runtime, cluster_id, kind="density", total=total,
                                actor=SYSTEM, work=work)
    except Busy:
        return None


class PartialsFollower(Periodic):
    """The duty: every ``interval_s``, every running cluster's partials caught up."""

    name = "density-partials"

    def __init__(self, runtime: Runtime, *, interval_s: float = INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(interval_s=interval_s)
        self.runtime = runtime
        self.clock = clock
        self._schema_done: set[int] = set()
        self._waiting: dict[int, dict[str, float]] = {}

    def work(self) -> None:
        """One round over the running clusters (one failing does not stop the others)."""
        with self.runtime.db.session() as db:
            ids = [c.id for c in cluster_meta.clusters_with_status(db, "running")]
        for cluster_id in ids:
            latest = operations.latest(self.runtime, cluster_id)
            if latest is not None and latest.running:
                continue
            try:
                if cluster_id not in self._schema_done:
                    ensure_schema(self.runtime, cluster_id)
                    self._schema_done.add(cluster_id)
                follow_cluster(self.runtime, cluster_id,
                               waiting=self._waiting.setdefault(cluster_id, {}),
                               now=self.clock())
            except AppError as exc:
                log.warning("density partials of cluster %s: %s (%s)", cluster_id,
                            exc.user_message, exc)


_follower: OnePerProcess[PartialsFollower] = OnePerProcess()


def start_partials_follower(runtime: Runtime, *,
                            interval_s: float = INTERVAL_S) -> PartialsFollower:
    """Start this process's follower (or return the one running)."""
    return _follower.start(lambda: PartialsFollower(runtime, interval_s=interval_s))


def stop_partials_follower(*, timeout: float = 1.0) -> None:
    """Stop this process's follower, if one runs. A round still rasterising is not waited
    for beyond ``timeout``: the process leaves without it, and the next round (here or in
    the process that takes the duties over) completes its batch exactly
    (:func:`services.explorer.partials.catch_up`)."""
    _follower.stop(timeout=timeout)
