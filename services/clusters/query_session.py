"""Queries for one cluster, always under that cluster's limits; what the engine cannot honour.

In server mode the limits also live in a ClickHouse settings profile of the cluster's user; the
bundled engine service has no ClickHouse users, so the app applies them itself, to every query
it runs for the cluster, through :class:`ClusterSession`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from data.analytics.clickhouse import ClickHouse, validate_identifier
from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from lyceum.errors import AppError, NotFound
from lyceum.settings import HostCeilings
from services.core.cache import ProcessCaches
from services.core.runtime import Runtime

#: The ClickHouse settings a cluster's ``query_limits`` may carry (anything else is ignored).
LIMIT_SETTINGS: tuple[str, ...] = (
    "max_threads", "max_memory_usage", "max_execution_time", "max_result_rows",
    "max_result_bytes", "max_rows_to_read", "max_bytes_to_read",
)
#: The "nice" of the engine's threads while they run a cluster's background work (imports
#: and ingest, the density partials' builds, alert evaluation, reports, the demo feed): the
#: lowest, so that work yields the CPU to what people wait for (pages, the dashboard's
#: refresh, the explorer) whenever both want it, and takes all of it when nothing else runs.
BACKGROUND_NICE = 19
#: Statuses in which a cluster's database may be queried.
QUERYABLE = frozenset({"running", "provisioning"})
RECORDED_ONLY = "recorded, not applied on the bundled engine"


class ClusterUnavailable(AppError):
    """The cluster exists but cannot be queried (failed, decommissioned)."""

    status_code = 409
    code = "cluster_unavailable"


def cluster_query_settings(cluster: DatabaseCluster, *,
                           ceilings: HostCeilings | None = None) -> dict[str, int]:
    """The cluster's query limits as ClickHouse settings (positive whole numbers only),
    never above the host's ceilings (``ceilings``, by default those of the environment).

    A limit the cluster does not set is the ceiling itself, so no query runs unbounded."""
    return limit_settings(cluster.query_limits, ceilings=ceilings)


def limit_settings(query_limits: Mapping[str, Any] | None, *,
                   ceilings: HostCeilings | None = None) -> dict[str, int]:
    """A cluster's ``query_limits`` as ClickHouse settings, as :func:`cluster_query_settings`
    gives them."""
    limits = query_limits or {}
    own = {name: int(value) for name, value in limits.items()
           if name in LIMIT_SETTINGS and isinstance(value, int)
           and not isinstance(value, bool) and value > 0}
    host = ceilings or HostCeilings.from_env()
    clamped = {**own, **{name: min(own.get(name, cap), cap)
                         for name, cap in host.as_settings().items()}}
    if host.query_nice:
        clamped["os_thread_priority"] = host.query_nice
    return clamped


#: The limits the console explains, with the variable that sets this host's ceiling.
EXPLAINED_LIMITS: tuple[tuple[str, str], ...] = (
    ("max_threads", "LYCEUM_HOST_MAX_THREADS"),
    ("max_memory_usage", "LYCEUM_HOST_MAX_MEMORY_GB"),
    ("max_execution_time", "LYCEUM_HOST_MAX_EXECUTION_S"),
)


@dataclass(frozen=True)
class AppliedLimit:
    """One query limit of a cluster: what the cluster asks for, what its queries get, and,
    where the two differ, why (in words)."""

    name: str
    asked: int | None
    applied: int
    reason: str = ""


def applied_limits(cluster: DatabaseCluster, *,
                   ceilings: HostCeilings | None = None) -> list[AppliedLimit]:
    """The cluster's main query limits as its queries get them (see
    :func:`cluster_query_settings`), each with the reason it differs from what was asked."""
    host = ceilings or HostCeilings.from_env()
    caps = host.as_settings()
    applied = cluster_query_settings(cluster, ceilings=host)
    stored = cluster.query_limits or {}
    out = []
    for name, variable in EXPLAINED_LIMITS:
        raw = stored.get(name)
        asked = raw if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0 else None
        value, cap = applied[name], caps[name]
        if asked is None:
            reason = f"not set by the cluster: this machine's ceiling applies ({variable})"
        elif value < asked:
            reason = f"capped from {asked:,} by this machine's ceiling ({variable})"
        else:
            reason = ""
        out.append(AppliedLimit(name=name, asked=asked, applied=min(value, cap), reason=reason))
    return out


@dataclass(frozen=True)
class ClusterSession:
    """The engine seen through one cluster: every query carries the cluster's limits.

    Settings a caller passes are kept, but the cluster's limits always win. ``caches`` are
    the runtime's in-process caches (the explorer keeps its views and populations there).
    """

    ch: ClickHouse
    database: str
    limits: Mapping[str, int]
    caches: ProcessCaches = field(compare=False, repr=False)

    def settings(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``extra`` with the cluster's limits laid over it."""
        return {**(extra or {}), **self.limits}

    def rows(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
             settings: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows of a query, under the cluster's limits."""
        return self.ch.rows(sql, parameters=parameters, settings=self.settings(settings))

    def scalar(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
               settings: Mapping[str, Any] | None = None) -> Any:
        """First value of a query, under the cluster's limits."""
        return self.ch.scalar(sql, parameters=parameters, settings=self.settings(settings))

    def arrow(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None) -> pa.Table:
        """An Arrow table, under the cluster's limits."""
        return self.ch.arrow(sql, parameters=parameters, settings=self.settings(settings))

    def frame(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """A Polars frame, under the cluster's limits."""
        return self.ch.frame(sql, parameters=parameters, settings=self.settings(settings))

    def command(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
                settings: Mapping[str, Any] | None = None) -> Any:
        """A statement without rows (``INSERT … SELECT``), under the cluster's limits."""
        return self.ch.command(sql, parameters=parameters, settings=self.settings(settings))


def for_cluster(runtime: Runtime, cluster: DatabaseCluster | int, *,
                background: bool = False) -> ClusterSession:
    """A :class:`ClusterSession` for a cluster (a row, or its id) that can be queried; for
    ``background`` work its statements run at :data:`BACKGROUND_NICE`."""
    if isinstance(cluster, int):
        with runtime.db.session() as session:
            row = memberships.get_cluster(session, cluster)
        if row is None:
            raise NotFound("This cluster does not exist.")
        cluster = row
    if cluster.status not in QUERYABLE or cluster.decommissioned_at is not None:
        raise ClusterUnavailable(
            f"The cluster “{cluster.name}” cannot be queried (it is {cluster.status}).")
    limits = cluster_query_settings(cluster, ceilings=runtime.settings.ceilings)
    if background:
        limits["os_thread_priority"] = BACKGROUND_NICE
    return ClusterSession(ch=runtime.ch, database=validate_identifier(cluster.database_name),
                          limits=limits, caches=runtime.caches)


def applied_or_recorded(cluster: DatabaseCluster, *, bundled: bool,
                        on_cluster: str | None = None) -> dict[str, str]:
    """A note for each value of the cluster that is only recorded, not put into effect.

    The UI shows the note next to the value; values that are fully applied have no entry.
    """
    notes: dict[str, str] = {}
    if bundled:
        if cluster.nodes > 1:
            notes["nodes"] = f"{RECORDED_ONLY} (it runs as one process on this machine)"
        if cluster.region_code != "local":
            notes["region_code"] = f"{RECORDED_ONLY} (its data stays on this machine)"
        notes["vcpu_per_node"] = ("the upper bound of the query limit max_threads (see Query "
                                  "limits for what queries get)")
        notes["memory_gb_per_node"] = ("the upper bound of the query limit max_memory_usage "
                                       "(see Query limits for what queries get)")
    elif cluster.nodes > 1 and not on_cluster:
        notes["nodes"] = "recorded, not applied: no ClickHouse cluster is configured"
    notes["storage"] = "recorded for the cost estimate; tier sizes are not enforced as quotas"
    return notes
