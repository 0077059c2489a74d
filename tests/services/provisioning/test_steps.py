"""The provisioning steps one by one on the session engine: the note each step shows, the
exact problem when verification finds something wrong, a rollback that removes only what
the job created, and the TTL check that verification relies on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data.analytics import cluster_ops
from data.analytics.ch_schema import TierRetention
from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from services.core.runtime import Runtime
from services.provisioning import steps
from services.provisioning.steps import Job, ProvisioningError, has_ttl

RETENTION = TierRetention(warm_after_days=3, cold_after_days=20, archive_after_days=90,
                          delete_after_days=400)


@pytest.fixture
def job(runtime: Runtime) -> Iterator[Job]:
    """A job for a provisioning cluster whose database does not exist yet."""
    database = "steps_made"
    runtime.ch.command(f"DROP DATABASE IF EXISTS {database}")
    with runtime.db.session() as session:
        cluster = memberships.add_cluster(session, DatabaseCluster(
            name=database, database_name=database, cluster_type="manufacturing",
            region_code="local", status="provisioning", retention={
                "warm_after_days": 3, "cold_after_days": 20, "archive_after_days": 90,
                "delete_after_days": 400, "unknown_key": 1},
            query_limits={"max_threads": 2}, progress={"options": {"load_sample_data": False}}))
    made = steps.job_for(runtime, cluster)
    yield made
    runtime.ch.command(f"DROP DATABASE IF EXISTS {database}")


def test_a_job_reads_the_cluster_row(runtime: Runtime, job: Job) -> None:
    assert job.retention == RETENTION and job.limits["max_threads"] == 2
    assert not job.load_sample_data and job.bundled == runtime.ch.bundled
    assert (job.username, job.profile) == ("steps_made_app", "steps_made_limits")
    long = Job(cluster_id=1, database="d" * 64, retention=RETENTION, limits={},
               load_sample_data=False, bundled=True, on_cluster=None)
    assert len(long.username) == 63 and len(long.profile) == 63


def test_every_step_in_order_says_what_it_did(runtime: Runtime, job: Job) -> None:
    notes = [run(runtime, job) for _key, _label, run in steps.STEPS]
    assert notes[0] == "database steps_made"
    assert notes[1] == "12 tables and 2 materialized views"  # with the density partials
    assert notes[2] == ("warm after 3, cold after 20, archive after 90 days, deleted after "
                        "400")
    assert notes[3] == "applied by the app to every query for this cluster"
    assert notes[4] == "user steps_made_app"
    assert notes[5] == "skipped: no sample data requested"
    assert notes[6] == "tables, tiers, TTL, hourly view and credential checked"
    assert job.created == {"database"} and job.secret is not None
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, job.cluster_id)
        assert cluster is not None and cluster.credential_user == "steps_made_app"
        assert cluster.credential_hash and job.secret not in cluster.credential_hash
    assert steps.rollback(runtime, job) == [] and job.secret is None
    assert not cluster_ops.database_exists(runtime.ch, job.database)


def test_an_existing_database_is_never_adopted_nor_dropped(runtime: Runtime,
                                                           job: Job) -> None:
    runtime.ch.command(f"CREATE DATABASE {job.database}")
    with pytest.raises(ProvisioningError) as refused:
        steps.create_database(runtime, job)
    assert str(refused.value) == ("The database “steps_made” already exists; choose another "
                                  "cluster name.")
    assert steps.rollback(runtime, job) == []
    assert cluster_ops.database_exists(runtime.ch, job.database)


def test_verification_names_what_is_wrong(runtime: Runtime, job: Job) -> None:
    for _key, _label, run in steps.STEPS[:2]:
        run(runtime, job)
    with pytest.raises(ProvisioningError) as no_ttl:
        steps.verify(runtime, job)
    assert str(no_ttl.value) == (
        "Verification found tables without the retention TTL: parts, curves, curve_samples, "
        "curve_features, measurements, production_events, alerts.")
    runtime.ch.command(f"DROP TABLE {job.database}.alerts")
    with pytest.raises(ProvisioningError,
                       match="^Verification found missing tables: alerts.$"):
        steps.verify(runtime, job)


def test_the_ttl_check_wants_every_tier_and_the_delete() -> None:
    ttl = RETENTION.ttl_expression()
    assert has_ttl(f"CREATE TABLE t (x UInt8) ENGINE = MergeTree TTL {ttl}", RETENTION)
    assert not has_ttl("CREATE TABLE t (x UInt8) ENGINE = MergeTree", RETENTION)
    other = TierRetention(warm_after_days=4, cold_after_days=20, archive_after_days=90,
                          delete_after_days=400)
    assert not has_ttl(f"CREATE TABLE t ENGINE = MergeTree TTL {ttl}", other)
    forever = TierRetention(3, 20, 90, None)
    assert has_ttl(f"CREATE TABLE t ENGINE = MergeTree TTL {forever.ttl_expression()}",
                   forever)
    no_delete = TierRetention(3, 20, 90, 401)
    assert not has_ttl(f"CREATE TABLE t ENGINE = MergeTree TTL {ttl}", no_delete)
