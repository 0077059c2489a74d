"""Clusters with real databases for the console's tests: limits, retention, day parts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select

from data.analytics.ch_schema import TierRetention, schema_statements
from data.analytics.clickhouse import ClickHouse
from data.metadata.models import (
    DatabaseCluster,
)
from lyceum.settings import HostCeilings
from services.core.audit import Actor
from services.core.runtime import Runtime

GIB = 1024**3
FAST = TierRetention(warm_after_days=1, cold_after_days=10, archive_after_days=30,
                     delete_after_days=60)
SLOW = TierRetention(warm_after_days=20, cold_after_days=40, archive_after_days=60,
                     delete_after_days=120)
OPS = Actor(user_id=None, label="ops@example.com")
LIMITS = {"max_threads": 8, "max_memory_usage": 32 * GIB, "max_execution_time": 60,
          "max_result_rows": 10_000_000}


#: A host larger than any cluster here, so the cluster's own bounds are what is checked.
BIG_HOST = HostCeilings(max_execution_time=3600, max_memory_usage=128 * GIB, max_threads=64)
SMALL_HOST = HostCeilings(max_execution_time=90, max_memory_usage=6 * GIB, max_threads=2)


def make_cluster(rt: Runtime, database: str, *, retention: TierRetention = FAST,
                 status: str = "running", schema: bool = True) -> DatabaseCluster:
    """A cluster row and its real database (not through provisioning)."""
    statements = schema_statements(database, retention=retention, fresh=True)
    for statement in statements if schema else statements[:1]:
        rt.ch.command(statement)
    with rt.db.session() as session:
        cluster = DatabaseCluster(
            name=f"Plant {database}", database_name=database, cluster_type="manufacturing",
            region_code="local", status=status, vcpu_per_node=8, memory_gb_per_node=64,
            retention=asdict(retention), query_limits=dict(LIMITS), credential_user="svc",
            credential_hash="$argon2id$x", credential_mode="password")
        session.add(cluster)
        session.flush()
    return cluster


def insert_days(ch: ClickHouse, database: str, days: list[int]) -> None:
    """One production event per back-dated day: one part per day partition."""
    ch.command(f"INSERT INTO {database}.production_events SELECT now64(3) - INTERVAL d DAY,"
               " 'Line 1', 'OP10', 'running', '', 60 FROM (SELECT arrayJoin({days:Array(UInt16)})"
               " AS d)", parameters={"days": days})


def disks_by_age(ch: ClickHouse, database: str) -> list[str]:
    return [str(d) for (d,) in ch.rows(
        "SELECT disk_name FROM system.parts WHERE database = {db:String} AND active"
        " AND table = 'production_events' AND rows > 0 ORDER BY partition DESC",
        parameters={"db": database})]


def count(rt: Runtime, model: Any, **where: Any) -> int:
    with rt.db.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def reload(rt: Runtime, cluster_id: int) -> DatabaseCluster:
    with rt.db.session() as session:
        found = session.get(DatabaseCluster, cluster_id)
        assert found is not None
        return found


