"""First-start set-up: migrate metadata, make sure an admin exists, provision the demo cluster."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from data import memberships
from data.ch_schema import TierRetention
from data.models import DatabaseCluster
from services import audit, demo_data
from services.accounts import ensure_first_admin
from services.provisioning import recover_interrupted
from services.runtime import Runtime

DEMO_CLUSTER_NAME = "Demo plant"
DEMO_DATABASE = "demo_plant"


@dataclass(frozen=True)
class SetupReport:
    """What first-start set-up did."""

    revision: str | None
    admin_password: str | None
    demo_seconds: float | None
    demo_rows: dict[str, int]
    demo_skipped: bool


def _demo_cluster_row() -> DatabaseCluster:
    retention = TierRetention()
    return DatabaseCluster(
        name=DEMO_CLUSTER_NAME, database_name=DEMO_DATABASE,
        description="Generated plant data: press-fit, screw-driving and curing-oven curves "
                    "over 90 days, with injected defects.",
        cluster_type="manufacturing", region_code="local", status="provisioning", nodes=1,
        vcpu_per_node=4, memory_gb_per_node=16,
        storage={"hot_gb": 50, "warm_gb": 100, "cold_gb": 200, "archive_gb": 500},
        retention={"warm_after_days": retention.warm_after_days,
                   "cold_after_days": retention.cold_after_days,
                   "archive_after_days": retention.archive_after_days,
                   "delete_after_days": retention.delete_after_days},
        is_demo=True,
    )


def ensure_demo_cluster(runtime: Runtime) -> tuple[float | None, dict[str, int], bool]:
    """Create the demo cluster's metadata and load its data (idempotent).

    Returns the load time in seconds, the row counts, and whether the load was skipped.
    """
    if runtime.settings.demo == "off":
        return None, {}, True
    with runtime.db.session() as session:
        cluster = memberships.get_cluster_by_database(session, DEMO_DATABASE)
        if cluster is None:
            cluster = memberships.add_cluster(session, _demo_cluster_row())
            audit.record(session, "cluster.create", actor=audit.SYSTEM, target_type="cluster",
                         target_id=cluster.id, cluster_id=cluster.id,
                         detail={"name": DEMO_CLUSTER_NAME, "demo": True})
        cluster_id = cluster.id
    started = time.perf_counter()
    report: Any = demo_data.load_demo(runtime.ch, DEMO_DATABASE, size=runtime.settings.demo)
    seconds = time.perf_counter() - started
    with runtime.db.session() as session:
        row = memberships.get_cluster(session, cluster_id)
        assert row is not None
        if row.status != "running":
            row.status = "running"
            audit.record(session, "cluster.ready", actor=audit.SYSTEM, target_type="cluster",
                         target_id=cluster_id, cluster_id=cluster_id,
                         detail={"load_seconds": round(seconds, 2)})
    return seconds, dict(report.rows), bool(report.skipped)


def prepare(runtime: Runtime) -> SetupReport:
    """Everything ``make run`` needs before serving: schema, first admin, demo data."""
    runtime.db.migrate()
    password = ensure_first_admin(runtime.db, runtime.passwords)
    recover_interrupted(runtime)
    seconds, rows, skipped = ensure_demo_cluster(runtime)
    return SetupReport(revision=runtime.db.current_revision(), admin_password=password,
                       demo_seconds=seconds, demo_rows=rows, demo_skipped=skipped)
