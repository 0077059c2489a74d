"""The catalog of one cluster: what its own data holds, for every page, filter and form.

Processes with their axes and units, lines, stations, products, features with units, results
and defect modes are read from the cluster's tables (a few aggregate queries) and kept in the
shared cache for :data:`TTL_S` under the cluster's *data version*. An import or an ingest
calls :func:`data_changed` when it finishes, which bumps that version in the shared cache, so
every worker reads the catalog afresh at its next use instead of waiting for the TTL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from data.analytics import catalog as q
from lyceum.errors import AppError
from services.clusters.query_session import for_cluster
from services.core.cache import shared_cache
from services.core.runtime import Runtime

#: How long a catalog is reused when no import or ingest says the data changed (the demo
#: feed and direct inserts show up after this long).
TTL_S = 30.0
_VERSION = "data-version"


@dataclass(frozen=True)
class ProcessInfo:
    """One process: its axes (name and unit), its curve count, stations and lines."""

    name: str
    x_name: str
    x_unit: str
    y_name: str
    y_unit: str
    curves: int
    stations: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class FeatureInfo:
    """One feature of one process: its unit and how many values the cluster holds."""

    process: str
    feature: str
    unit: str
    values: int

    @property
    def label(self) -> str:
        """A readable name: "Peak y (riveting)"."""
        return feature_label(self.process, self.feature)


def feature_words(feature: str) -> str:
    """A feature's stored name in words: "max_pressure_drop" → "Max pressure drop"."""
    return feature.replace("_", " ").capitalize()


def feature_label(process: str, feature: str) -> str:
    """A feature named for a list of every process's: "Peak y (riveting)"."""
    return f"{feature_words(feature)} ({process})"


@dataclass(frozen=True)
class Catalog:
    """Everything a cluster's data names, each list sorted and without empty names."""

    processes: tuple[ProcessInfo, ...]
    lines: tuple[str, ...]
    stations: tuple[str, ...]
    products: tuple[str, ...]
    features: tuple[FeatureInfo, ...]
    results: tuple[str, ...]
    defect_modes: tuple[str, ...]
    #: Every (line, station, product) recorded in parts or curves.
    places: tuple[tuple[str, str, str], ...] = ()
    version: int = 0

    def process(self, name: str) -> ProcessInfo | None:
        """The process called ``name`` (``None`` if the cluster has no curve of it)."""
        return next((p for p in self.processes if p.name == name), None)

    def feature(self, process: str, feature: str) -> FeatureInfo | None:
        """The feature of ``process`` called ``feature``, if the cluster holds values of it."""
        return next((f for f in self.features
                     if (f.process, f.feature) == (process, feature)), None)

    def stations_of(self, line: str = "") -> tuple[str, ...]:
        """The stations of one line (every station when ``line`` is empty)."""
        if not line:
            return self.stations
        return _names(s for ln, s, _ in self.places if ln == line)

    def feature_units(self) -> dict[tuple[str, str], str]:
        """(process, feature) → unit of every feature."""
        return {(f.process, f.feature): f.unit for f in self.features}


def data_version(runtime: Runtime, cluster_id: int) -> int:
    """The cluster's data version: it grows each time an import or ingest adds data."""
    return shared_cache(runtime).counter(f"{_VERSION}:{int(cluster_id)}")


def data_changed(runtime: Runtime, cluster_id: int) -> int:
    """Record that the cluster's data changed (an import or ingest finished); the catalog
    and every cache keyed by :func:`data_version` are read afresh. Returns the new version."""
    cache = shared_cache(runtime)
    cache.count(f"{_VERSION}:{int(cluster_id)}")
    return data_version(runtime, cluster_id)


def catalog(runtime: Runtime, cluster_id: int) -> Catalog:
    """The cluster's catalog (the caller checked the role), at most :data:`TTL_S` old and
    never older than the last import or ingest."""
    version = data_version(runtime, cluster_id)
    return shared_cache(runtime).get_or_compute(
        ("catalog", int(cluster_id), version), lambda: read_catalog(runtime, cluster_id,
                                                                     version=version),
        ttl=TTL_S, wait_s=20.0).value


def first_process(runtime: Runtime, cluster_id: int) -> str | None:
    """The cluster's first process by name (``None``: no curves, or the data unreadable)."""
    try:
        found = catalog(runtime, cluster_id).processes
    except AppError:
        return None
    return found[0].name if found else None


def read_catalog(runtime: Runtime, cluster_id: int, *, version: int = 0) -> Catalog:
    """The catalog read now from the cluster's tables (no cache)."""
    session = for_cluster(runtime, cluster_id)
    procs = tuple(ProcessInfo(str(n), str(xn), str(xu), str(yn), str(yu), int(c),
                              tuple(s for s in st if s), tuple(x for x in ln if x))
                  for n, xn, xu, yn, yu, c, st, ln in q.processes(session))
    places = q.places(session)
    outcomes = q.outcomes(session)
    return Catalog(
        processes=procs,
        lines=_names(p[0] for p in places),
        stations=_names(p[1] for p in places),
        products=_names(p[2] for p in places),
        features=tuple(FeatureInfo(p, f, u, n) for p, f, u, n in q.features(session)),
        results=_names(r for r, _, _ in outcomes),
        defect_modes=_names(m for _, m, _ in outcomes),
        places=tuple(places), version=version)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values if v}))
