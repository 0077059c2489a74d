"""Whether the explorer shows a cluster's newest data: its data version (which an import or
ingest bumps) and whether the chosen process's curves in memory are still being topped up.

The explorer page asks every few seconds; when the version moves it redraws, so curves
imported or ingested elsewhere appear within seconds, drawn from ClickHouse while the
in-memory copy catches up (and as lines once it has)."""

from __future__ import annotations

from dataclasses import dataclass

from lyceum.errors import NotFound
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.explorer import curve_queries, population

INDEXING_NOTE = ("New curves arrived: they are drawn from the database while they are "
                 "indexed in memory; the chart updates by itself.")


@dataclass(frozen=True)
class Freshness:
    """The cluster's data version, and whether the process is being indexed right now."""

    version: int
    indexing: bool
    #: The cluster's processes now (a new one appears with the import that brought it).
    processes: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """What the page says while new curves are indexed (empty otherwise)."""
        return INDEXING_NOTE if self.indexing else ""


def freshness(runtime: Runtime, cluster_id: int, process: str | None) -> Freshness:
    """The explorer's view of the cluster's data now (the caller checked the role)."""
    session = for_cluster(runtime, cluster_id)
    version = curve_queries.follow_data(runtime, cluster_id, session)
    behind = bool(process) and population.is_marked_behind(session, str(process))
    try:
        names = tuple(curve_queries.options(runtime, cluster_id, process=None).processes)
    except NotFound:  # no curves yet
        names = ()
    return Freshness(version=version, indexing=behind, processes=names)
