"""The steps that provision one cluster, in order, and the rollback that undoes them.

Each step does real work on ClickHouse and returns a short note for the progress view; a
problem is raised as :class:`ProvisioningError` with a sentence the user can act on. What a
step creates is noted in :attr:`Job.created` *before* it is created, so the rollback removes
partial work too (``… IF EXISTS``), and never something that existed before.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from data.analytics import cluster_ops
from data.analytics.ch_schema import ALL_TABLES, TIME_TABLES, VIEWS, TierRetention
from data.analytics.clickhouse import STORAGE_POLICY, TIERS
from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from lyceum.errors import AppError
from services.clusters.credentials import CLICKHOUSE_USER_MODE, GATEWAY_MODE
from services.clusters.query_session import cluster_query_settings
from services.core.runtime import Runtime
from services.demo import plant
from services.gateway import sql

logger = logging.getLogger(__name__)


class ProvisioningError(AppError):
    """A provisioning step could not do its work; the message names the problem."""

    status_code = 500
    code = "provisioning_failed"


@dataclass
class Job:
    """What one provisioning run needs, and what it has created so far."""

    cluster_id: int
    database: str
    retention: TierRetention
    limits: dict[str, int]
    load_sample_data: bool
    bundled: bool
    on_cluster: str | None
    secret: str | None = None
    created: set[str] = field(default_factory=set)

    @property
    def username(self) -> str:
        """The cluster's app credential: ``<database>_app``."""
        return f"{self.database[:59]}_app"

    @property
    def profile(self) -> str:
        """The server settings profile holding the cluster's limits."""
        return f"{self.database[:56]}_limits"


def job_for(runtime: Runtime, cluster: DatabaseCluster) -> Job:
    """The :class:`Job` provisioning ``cluster`` on this runtime's engine."""
    names = {f.name for f in fields(TierRetention)}
    options = (cluster.progress or {}).get("options", {})
    return Job(
        cluster_id=cluster.id, database=cluster.database_name,
        retention=TierRetention(**{k: v for k, v in cluster.retention.items() if k in names}),
        limits=cluster_query_settings(cluster, ceilings=runtime.settings.ceilings),
        load_sample_data=bool(options.get("load_sample_data")),
        bundled=runtime.ch.bundled,
        on_cluster=None if runtime.ch.bundled else runtime.settings.clickhouse_cluster,
    )


def create_database(runtime: Runtime, job: Job) -> str:
    """``CREATE DATABASE``; a database of that name that already exists is never adopted."""
    if cluster_ops.database_exists(runtime.ch, job.database):
        raise ProvisioningError(f"The database “{job.database}” already exists; "
                                "choose another cluster name.")
    job.created.add("database")
    cluster_ops.create_database(runtime.ch, job.database, on_cluster=job.on_cluster)
    return f"database {job.database}"


def create_schema(runtime: Runtime, job: Job) -> str:
    """The tables on the tiered storage policy and the views that fill the hourly yield and
    the monthly density partials (no TTL yet)."""
    if not cluster_ops.has_storage_policy(runtime.ch):
        raise ProvisioningError(f"ClickHouse has no storage policy “{STORAGE_POLICY}” "
                                "(hot, warm, cold and archive volumes).")
    cluster_ops.create_schema(runtime.ch, job.database, on_cluster=job.on_cluster)
    return f"{len(ALL_TABLES)} tables and {len(VIEWS)} materialized views"


def apply_retention(runtime: Runtime, job: Job) -> str:
    """Tier moves and the retention delete on every time table."""
    cluster_ops.apply_retention(runtime.ch, job.database, job.retention,
                                on_cluster=job.on_cluster)
    r = job.retention
    kept = "kept forever" if r.delete_after_days is None else f"deleted after {r.delete_after_days}"
    return (f"warm after {r.warm_after_days}, cold after {r.cold_after_days}, archive after "
            f"{r.archive_after_days} days, {kept}")


def apply_limits(runtime: Runtime, job: Job) -> str:
    """Check the engine accepts the limits; on a server, put them in a settings profile."""
    applied = cluster_ops.probe_settings(runtime.ch, job.limits)
    wrong = [name for name, value in job.limits.items() if applied.get(name) != str(value)]
    if wrong:
        raise ProvisioningError(f"ClickHouse did not accept the query limits {', '.join(wrong)}.")
    if job.bundled:
        return "applied by the app to every query for this cluster"
    if cluster_ops.access_exists(runtime.ch, username=job.username, profile=job.profile):
        raise ProvisioningError(f"The ClickHouse user “{job.username}” or profile "
                                f"“{job.profile}” already exists.")
    job.created.add("access")
    runtime.ch.command(cluster_ops.profile_statement(profile=job.profile, settings=job.limits,
                                                     on_cluster=job.on_cluster))
    return f"settings profile {job.profile}"


def create_credentials(runtime: Runtime, job: Job) -> str:
    """A random 256-bit secret, stored only as a keyed hash (and, on a server, as a real
    user)."""
    job.secret = secrets.token_urlsafe(32)
    if not job.bundled:
        job.created.add("access")
        for statement in cluster_ops.user_statements(
                database=job.database, username=job.username, secret=job.secret,
                profile=job.profile, on_cluster=job.on_cluster):
            runtime.ch.command(statement)
    digest = runtime.keys.hash_credential(job.secret)
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, job.cluster_id)
        assert cluster is not None
        cluster.credential_user = job.username
        cluster.credential_hash = digest
        cluster.credential_mode = GATEWAY_MODE if job.bundled else CLICKHOUSE_USER_MODE
    return f"user {job.username}"


def load_sample_data(runtime: Runtime, job: Job) -> str:
    """The small demo data set, if it was asked for."""
    if not job.load_sample_data:
        return "skipped: no sample data requested"
    report = plant.load_demo(runtime.ch, job.database, size="small")
    return f"{report.rows.get('parts', 0):,} parts and {report.samples:,} curve samples"


def verify(runtime: Runtime, job: Job) -> str:
    """Read back what was made: tables, policy, TTL, the views, and the credential."""
    facts = cluster_ops.table_facts(runtime.ch, job.database)
    missing = [name for name in (*ALL_TABLES, *VIEWS) if name not in facts]
    if missing:
        raise ProvisioningError(f"Verification found missing tables: {', '.join(missing)}.")
    off_policy = [name for name in ALL_TABLES if facts[name].storage_policy != STORAGE_POLICY]
    if off_policy:
        raise ProvisioningError(f"Verification found tables off the {STORAGE_POLICY} policy: "
                                f"{', '.join(off_policy)}.")
    no_ttl = [t for t in TIME_TABLES if not has_ttl(facts[t].create_query, job.retention)]
    if no_ttl:
        raise ProvisioningError(f"Verification found tables without the retention TTL: "
                                f"{', '.join(no_ttl)}.")
    if cluster_ops.round_trip_part(runtime.ch, job.database) != 1:
        raise ProvisioningError("Verification failed: a test part did not reach hourly_yield.")
    if cluster_ops.count_marked(runtime.ch, job.database):
        raise ProvisioningError("Verification failed: the test part could not be removed.")
    _verify_credential(runtime, job)
    return "tables, tiers, TTL, hourly view and credential checked"


def has_ttl(create_query: str, retention: TierRetention) -> bool:
    """True if a ``CREATE TABLE`` statement carries ``retention``'s tier moves and delete."""
    _, found, ttl = create_query.partition(" TTL ")
    if not found:
        return False
    days = (retention.warm_after_days, retention.cold_after_days, retention.archive_after_days)
    for tier, day in zip(TIERS[1:], days, strict=True):
        if f"TO VOLUME '{tier}'" not in ttl or not _mentions_days(ttl, day):
            return False
    return retention.delete_after_days is None or _mentions_days(ttl, retention.delete_after_days)


def _mentions_days(ttl: str, days: int) -> bool:
    return f"toIntervalDay({days})" in ttl or f"INTERVAL {days} DAY" in ttl


def _verify_credential(runtime: Runtime, job: Job) -> None:
    assert job.secret is not None
    if job.bundled:
        table = sql.run_gateway_query(
            runtime, cluster_id=job.cluster_id, username=job.username, secret=job.secret,
            sql="SELECT count() AS parts FROM parts", allowed_statuses=("provisioning",))
        ok = table.num_rows == 1
    else:
        ok = cluster_ops.check_login(runtime.ch, username=job.username, secret=job.secret,
                                     database=job.database)
    if not ok:
        raise ProvisioningError("Verification failed: the new credential could not query.")


def rollback(runtime: Runtime, job: Job) -> list[str]:
    """Remove whatever the job created; returns what could not be removed (empty: all)."""
    problems: list[str] = []
    if "access" in job.created:
        try:
            cluster_ops.drop_access(runtime.ch, username=job.username, profile=job.profile,
                                    on_cluster=job.on_cluster)
        except Exception:  # noqa: BLE001 - keep rolling back; reported to the user below
            logger.exception("rollback: dropping user %s failed", job.username)
            problems.append(f"the ClickHouse user {job.username}")
    if "database" in job.created:
        try:
            cluster_ops.drop_database(runtime.ch, job.database, on_cluster=job.on_cluster)
        except Exception:  # noqa: BLE001
            logger.exception("rollback: dropping database %s failed", job.database)
            problems.append(f"the database {job.database}")
    job.secret = None
    return problems


Step = tuple[str, str, Callable[[Runtime, Job], str]]
#: Every step in order: key (stable, used in progress and tests), label (shown), function.
STEPS: tuple[Step, ...] = (
    ("create_database", "Create the database", create_database),
    ("create_schema", "Create tables and the hourly view", create_schema),
    ("apply_retention", "Apply tiering and retention", apply_retention),
    ("apply_limits", "Apply query limits", apply_limits),
    ("create_credentials", "Create the app credential", create_credentials),
    ("load_sample_data", "Load sample data", load_sample_data),
    ("verify", "Verify", verify),
)
STEP_KEYS: tuple[str, ...] = tuple(key for key, _, _ in STEPS)
