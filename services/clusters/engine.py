"""What the analytics engine is and how its storage looks, for administrators."""

from __future__ import annotations

from dataclasses import dataclass

from data.analytics import engine_stats
from data.analytics.engine_stats import VolumeInfo
from services.core.runtime import Runtime


@dataclass(frozen=True)
class EngineStatus:
    """The engine's mode, version, tiered storage and databases."""

    mode: str
    dsn_label: str
    version: str
    volumes: list[VolumeInfo]
    databases: dict[str, tuple[int, int]]


def engine_status(runtime: Runtime) -> EngineStatus:
    """Read the engine's state from its system tables."""
    ch = runtime.ch
    mode = ("Bundled engine service (chDB behind the ClickHouse HTTP interface)"
            if ch.bundled else "ClickHouse server")
    return EngineStatus(mode=mode, dsn_label=ch.label, version=engine_stats.engine_version(ch),
                        volumes=engine_stats.storage_volumes(ch),
                        databases=engine_stats.database_sizes(ch))
