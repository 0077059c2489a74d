"""First-start set-up: migrate metadata, make sure an admin exists, provision the demo cluster."""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass

from data.analytics import cluster_ops
from data.analytics.ch_schema import TierRetention
from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from services.access.accounts import ensure_first_admin
from services.clusters import costs, credentials, rules
from services.clusters.request import ClusterSpec, TierSizes
from services.core import audit
from services.core.runtime import Runtime
from services.demo import plant as demo_data
from services.imports.import_job import recover_imports
from services.projects.reports import adopt_legacy_reports, fail_interrupted_reports
from services.provisioning.deploy import recover_interrupted
from services.startup.server_check import check_server

log = logging.getLogger(__name__)
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


def _demo_cluster_row(runtime: Runtime) -> tuple[DatabaseCluster, str]:
    """The demo cluster's metadata with real limits, estimate and credential (secret returned)."""
    retention = TierRetention()
    spec = ClusterSpec(name=DEMO_CLUSTER_NAME, cluster_type="manufacturing", nodes=1,
                       vcpu_per_node=4, memory_gb_per_node=16,
                       storage=TierSizes(hot_gb=50, warm_gb=100, cold_gb=200, archive_gb=500),
                       retention=retention)
    secret = secrets.token_urlsafe(32)
    row = DatabaseCluster(
        name=DEMO_CLUSTER_NAME, database_name=DEMO_DATABASE,
        description=demo_data.DESCRIPTION,
        cluster_type="manufacturing", region_code="local", status="provisioning", nodes=1,
        vcpu_per_node=4, memory_gb_per_node=16,
        storage={"hot_gb": 50, "warm_gb": 100, "cold_gb": 200, "archive_gb": 500},
        retention={"warm_after_days": retention.warm_after_days,
                   "cold_after_days": retention.cold_after_days,
                   "archive_after_days": retention.archive_after_days,
                   "delete_after_days": retention.delete_after_days},
        is_demo=True,
        query_limits=rules.query_limits(spec, cpu_count=os.cpu_count() or 1,
                                                 ceilings=runtime.settings.ceilings),
        monthly_estimate=costs.estimate(spec, region_factor=1.0).total,
        credential_user=f"{DEMO_DATABASE}_app",
        credential_hash=runtime.keys.hash_credential(secret),
        credential_mode="app_gateway" if runtime.ch.bundled else "clickhouse_user",
    )
    return row, secret


def ensure_demo_cluster(runtime: Runtime) -> tuple[float | None, dict[str, int], bool]:
    """Create the demo cluster's metadata and load its data (idempotent).

    Returns the load time in seconds, the row counts, and whether the load was skipped.
    """
    if runtime.settings.demo == "off":
        return None, {}, True
    with runtime.db.session() as session:
        cluster = memberships.get_cluster_by_database(session, DEMO_DATABASE)
        secret = None
        if cluster is None:
            row, secret = _demo_cluster_row(runtime)
            cluster = memberships.add_cluster(session, row)
            audit.record(session, "cluster.create", actor=audit.SYSTEM, target_type="cluster",
                         target_id=cluster.id, cluster_id=cluster.id,
                         detail={"name": DEMO_CLUSTER_NAME, "demo": True})
            credentials.hold_secret(runtime, session, cluster_id=cluster.id, secret=secret,
                                    purpose="deploy")
        cluster_id = cluster.id
    if secret is not None:
        _server_credential(runtime, cluster_id, secret)
    started = time.perf_counter()
    report = demo_data.load_demo(runtime.ch, DEMO_DATABASE, size=runtime.settings.demo)
    seconds = time.perf_counter() - started
    with runtime.db.session() as session:
        ready = memberships.get_cluster(session, cluster_id)
        assert ready is not None
        if ready.status != "running":
            ready.status = "running"
            audit.record(session, "cluster.ready", actor=audit.SYSTEM, target_type="cluster",
                         target_id=cluster_id, cluster_id=cluster_id,
                         detail={"load_seconds": round(seconds, 2)})
    return seconds, dict(report.rows), bool(report.skipped)


def _server_credential(runtime: Runtime, cluster_id: int, secret: str) -> None:
    """On a ClickHouse server the demo credential is a real user with grants and limits."""
    if runtime.ch.bundled:
        return
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        limits, user = dict(cluster.query_limits), cluster.credential_user
    on_cluster = runtime.settings.clickhouse_cluster
    runtime.ch.command(f"CREATE DATABASE IF NOT EXISTS {DEMO_DATABASE}")
    profile = f"{DEMO_DATABASE}_limits"
    runtime.ch.command(cluster_ops.profile_statement(profile=profile, settings=limits,
                                                     on_cluster=on_cluster))
    for statement in cluster_ops.user_statements(database=DEMO_DATABASE, username=user,
                                                 secret=secret, profile=profile,
                                                 on_cluster=on_cluster):
        runtime.ch.command(statement)


def prepare(runtime: Runtime) -> SetupReport:
    """Everything ``make run`` needs before serving: schema, first admin, demo data.

    Run by one process of the instance at a time (the CLI holds a lock file). Work that a
    stop interrupted (deploys, imports, reports) is recovered only when no other process of
    the deployment is alive: theirs is still running, not interrupted.
    """
    if not runtime.ch.bundled:
        server_version = check_server(runtime.ch)
        log.info("ClickHouse server %s at %s passed the start-up check", server_version,
                 runtime.ch.label)
    runtime.db.migrate()
    runtime.leases.announce()
    password = ensure_first_admin(runtime.db, runtime.passwords)
    others = runtime.leases.others_alive()
    if others:
        log.info("start-up recovery skipped: %d other process(es) of this deployment run",
                 len(others))
    else:
        recover_interrupted(runtime)
        recover_imports(runtime)
        fail_interrupted_reports(runtime)
    adopt_legacy_reports(runtime)
    credentials.purge_expired_secrets(runtime)
    seconds, rows, skipped = ensure_demo_cluster(runtime)
    return SetupReport(revision=runtime.db.current_revision(), admin_password=password,
                       demo_seconds=seconds, demo_rows=rows, demo_skipped=skipped)
