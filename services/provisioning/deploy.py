"""Deploying a cluster: all or nothing, with real progress, in a background job of this process.

:func:`begin_deploy` checks the spec again on the server, records the cluster as
``provisioning`` and hands :func:`run_provisioning` to the job runner. Each step (see
:mod:`services.provisioning.steps`) is committed to ``cluster.progress`` as it starts and ends,
so the UI shows the real step. If any step fails, everything made so far is removed, the
cluster is marked ``failed`` with a sentence naming the step, and no credential remains. The
new credential's secret is kept, sealed, for the cluster's admins in the same transaction that
marks the cluster running (see :mod:`services.clusters.credentials`): it waits there until an admin
confirms they saved it, or for 24 hours, whatever a page or an API client does meanwhile.

Jobs run on threads of the web process that took the request; the engine is reached over HTTP
(the bundled engine service or a server), and progress lives in the metadata DB, so every
process shows it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from functools import partial
from typing import Any

from data.analytics import cluster_ops
from data.analytics.clickhouse import validate_identifier
from data.metadata import clusters, memberships
from data.metadata.models import DatabaseCluster
from lyceum.errors import AppError, ValidationError
from lyceum.settings import HostCeilings
from services.clusters import costs, credentials, rules
from services.clusters.request import ClusterSpec
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.provisioning.steps import (
    STEP_KEYS,
    STEPS,
    Job,
    ProvisioningError,
    job_for,
    rollback,
)

logger = logging.getLogger(__name__)
_LABELS: dict[str, str] = {key: label for key, label, _ in STEPS}


class InjectedFailure(RuntimeError):
    """The test hook ``inject_failure``: a step fails on purpose after doing its work."""


class JobRunner:
    """A small thread pool for provisioning jobs, created on first use."""

    def __init__(self, max_workers: int = 2) -> None:
        self._max_workers = max_workers
        self._executor: ThreadPoolExecutor | None = None
        self._futures: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()

    def submit(self, cluster_id: int, job: Callable[[], Any]) -> Future[Any]:
        """Run ``job`` for ``cluster_id`` in the background."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._max_workers,
                                                    thread_name_prefix="provisioning")
            future = self._executor.submit(job)
            self._futures[cluster_id] = future
        future.add_done_callback(partial(self._done, cluster_id))
        return future

    def _done(self, cluster_id: int, future: Future[Any]) -> None:
        if future.exception() is not None:
            logger.error("provisioning job of cluster %s crashed", cluster_id,
                         exc_info=future.exception())

    def wait(self, cluster_id: int, *, timeout: float | None = None) -> None:
        """Block until the job of ``cluster_id`` (if any) has finished."""
        with self._lock:
            future = self._futures.get(cluster_id)
        if future is not None:
            future.exception(timeout=timeout)

    def active(self) -> set[int]:
        """Ids of clusters whose job has not finished."""
        with self._lock:
            return {cid for cid, future in self._futures.items() if not future.done()}


JOBS = JobRunner()


def wait_for_deploy(cluster_id: int, *, timeout: float | None = 60.0) -> None:
    """Block until the background deploy of ``cluster_id`` has finished."""
    JOBS.wait(cluster_id, timeout=timeout)


def begin_deploy(runtime: Runtime, spec: ClusterSpec, *, actor: Actor,
                 inject_failure: str | None = None) -> int:
    """Check ``spec``, record the cluster as provisioning, start the job; return its id.

    An invalid spec raises :class:`ValidationError` and creates nothing. ``inject_failure``
    (a step key) makes that step fail, for tests of the rollback.
    """
    if inject_failure is not None and inject_failure not in STEP_KEYS:
        raise ValueError(f"inject_failure must be one of {STEP_KEYS}, got {inject_failure!r}")
    cluster_id = record_cluster(runtime, spec, actor=actor)
    JOBS.submit(cluster_id, partial(run_provisioning, runtime, cluster_id, actor=actor,
                                    inject_failure=inject_failure))
    return cluster_id


def record_cluster(runtime: Runtime, spec: ClusterSpec, *, actor: Actor) -> int:
    """Validate ``spec`` against what exists and insert the cluster, its team and event."""
    try:
        with runtime.db.session() as session:
            names, databases = clusters.taken_names(session)
            factors = clusters.region_factors(session)
            rules.validate_spec(
                spec, existing_names=names,
                existing_databases=databases | cluster_ops.list_databases(runtime.ch),
                region_codes=set(factors), known_user_ids=clusters.active_user_ids(session))
            row = _new_row(spec, factors, actor=actor, ceilings=runtime.settings.ceilings)
            cluster = clusters.insert_cluster(session, row)
            clusters.set_team(session, cluster_id=cluster.id, roles=_team(spec, actor=actor),
                              granted_by=actor.user_id)
            clusters.add_event(session, cluster_id=cluster.id, kind="created",
                               message=f"Deploy of “{spec.name}” started.")
            audit.record(session, "cluster.create", actor=actor, target_type="cluster",
                         target_id=cluster.id, cluster_id=cluster.id,
                         detail={"name": spec.name, "database": cluster.database_name})
            return cluster.id
    except ValidationError as exc:
        _audit_refusal(runtime, exc, actor=actor)
        raise


def begin_deploy_request(runtime: Runtime, data: object, *, actor: Actor) -> int:
    """:func:`begin_deploy` for untrusted plain data (the API's body), whose
    ``cluster_type`` fills the wizard's preset (``rules.spec_with_preset``); a refusal is
    audited like any other and creates nothing."""
    try:
        spec = rules.spec_with_preset(data)
    except ValidationError as exc:
        _audit_refusal(runtime, exc, actor=actor)
        raise
    return begin_deploy(runtime, spec, actor=actor)


def _audit_refusal(runtime: Runtime, exc: ValidationError, *, actor: Actor) -> None:
    with runtime.db.session() as session:
        audit.record(session, "cluster.create", actor=actor, outcome="refused",
                     target_type="cluster", detail={"fields": exc.fields})


def _new_row(spec: ClusterSpec, factors: dict[str, float], *, actor: Actor,
             ceilings: HostCeilings) -> DatabaseCluster:
    estimate = costs.estimate(spec, region_factor=factors[spec.region_code])
    return DatabaseCluster(
        name=spec.name, database_name=validate_identifier(spec.database_name),
        description=spec.description, cluster_type=spec.cluster_type,
        region_code=spec.region_code, status="provisioning", status_reason="",
        nodes=spec.nodes, vcpu_per_node=spec.vcpu_per_node,
        memory_gb_per_node=spec.memory_gb_per_node, storage=asdict(spec.storage),
        retention=asdict(spec.retention),
        query_limits=rules.query_limits(spec, cpu_count=os.cpu_count() or 1,
                                                 ceilings=ceilings),
        credential_user="", credential_hash=None, credential_mode="",
        progress=initial_progress(load_sample_data=spec.load_sample_data),
        monthly_estimate=estimate.total, created_by=actor.user_id,
    )


def _team(spec: ClusterSpec, *, actor: Actor) -> dict[int, str]:
    roles = {member.user_id: member.role for member in spec.members}
    if actor.user_id is not None:
        roles[actor.user_id] = "admin"
    return roles


def initial_progress(*, load_sample_data: bool) -> dict[str, Any]:
    """Every step pending, 0 %; the options the job needs."""
    return {
        "steps": [{"key": key, "label": label, "state": "pending", "seconds": None}
                  for key, label, _ in STEPS],
        "current": None, "percent": 0, "options": {"load_sample_data": load_sample_data},
    }


def run_provisioning(runtime: Runtime, cluster_id: int, *, actor: Actor = audit.SYSTEM,
                     inject_failure: str | None = None) -> bool:
    """Run every step for a cluster in ``provisioning``; True if it is now running (with its
    new secret waiting for an admin to save it).

    On failure everything is rolled back and the cluster is marked failed (returns False).
    """
    job = _job(runtime, cluster_id)
    began = time.perf_counter()
    for key, label, step in STEPS:
        started = time.perf_counter()
        try:
            _set_step(runtime, cluster_id, key, "running")
            note = step(runtime, job)
            if inject_failure == key:
                raise InjectedFailure(f"injected failure at step {key}")
        except Exception as exc:  # noqa: BLE001 - every failure is rolled back and reported
            _fail(runtime, job, key=key, label=label, exc=exc, actor=actor,
                  seconds=time.perf_counter() - started)
            return False
        _set_step(runtime, cluster_id, key, "done", seconds=time.perf_counter() - started,
                  note=note)
    _succeed(runtime, job, actor=actor, seconds=time.perf_counter() - began)
    return True


def _job(runtime: Runtime, cluster_id: int) -> Job:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None or cluster.status != "provisioning":
            raise ValidationError("This cluster is not waiting to be provisioned.")
        return job_for(runtime, cluster)


def _update(runtime: Runtime, cluster_id: int, change: Callable[[DatabaseCluster], None]) -> None:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        change(cluster)


def _set_step(runtime: Runtime, cluster_id: int, key: str, state: str, *,
              seconds: float | None = None, note: str | None = None) -> None:
    def change(cluster: DatabaseCluster) -> None:
        cluster.progress = with_step(cluster.progress, key, state, seconds=seconds, note=note)
    _update(runtime, cluster_id, change)


def with_step(progress: dict[str, Any], key: str, state: str, *, seconds: float | None = None,
              note: str | None = None) -> dict[str, Any]:
    """A copy of ``progress`` with step ``key`` in ``state``; ``percent`` counts done steps."""
    steps = [dict(step) for step in progress.get("steps", [])]
    for step in steps:
        if step["key"] == key:
            step["state"] = state
            if seconds is not None:
                step["seconds"] = round(seconds, 3)
            if note is not None:
                step["note"] = note
    done = sum(step["state"] == "done" for step in steps)
    return {**progress, "steps": steps, "current": key,
            "percent": int(100 * done / len(steps)) if steps else 0}


def _succeed(runtime: Runtime, job: Job, *, actor: Actor, seconds: float) -> None:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, job.cluster_id)
        assert cluster is not None
        cluster.status, cluster.status_reason = "running", ""
        cluster.progress = {**cluster.progress, "current": None, "percent": 100}
        if job.secret is not None:
            credentials.hold_secret(runtime, session, cluster_id=job.cluster_id,
                                    secret=job.secret, purpose="deploy",
                                    created_by=actor.user_id)
        clusters.add_event(session, cluster_id=job.cluster_id, kind="provisioned",
                           message=f"Ready after {seconds:.1f} s.",
                           detail={"seconds": round(seconds, 3)})
        audit.record(session, "cluster.provision", actor=actor, target_type="cluster",
                     target_id=job.cluster_id, cluster_id=job.cluster_id,
                     detail={"seconds": round(seconds, 3), "database": job.database})
    job.secret = None


def _fail(runtime: Runtime, job: Job, *, key: str, label: str, exc: Exception, actor: Actor,
          seconds: float) -> None:
    if isinstance(exc, AppError | InjectedFailure):
        logger.warning("provisioning of cluster %s failed at %s: %s", job.cluster_id, key, exc)
    else:
        logger.exception("provisioning of cluster %s failed at %s", job.cluster_id, key)
    problems = rollback(runtime, job)
    reason = failure_reason(label, exc, problems=problems, database=job.database)
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, job.cluster_id)
        assert cluster is not None
        progress = with_step(cluster.progress, key, "failed", seconds=seconds)
        for step in progress["steps"]:
            if step["state"] in ("done", "running"):
                step["state"] = "rolled_back"
        cluster.progress = {**progress, "percent": 0}
        cluster.status, cluster.status_reason = "failed", reason
        cluster.credential_user, cluster.credential_hash, cluster.credential_mode = "", None, ""
        clusters.add_event(session, cluster_id=job.cluster_id, kind="failed", message=reason,
                           detail={"step": key, "rollback_problems": problems})
        audit.record(session, "cluster.provision", actor=actor, outcome="failure",
                     target_type="cluster", target_id=job.cluster_id,
                     cluster_id=job.cluster_id, detail={"step": key, "reason": reason})


def failure_reason(label: str, exc: BaseException, *, problems: list[str],
                   database: str) -> str:
    """The sentence a failed cluster shows: the step, the cause, and what is left."""
    if isinstance(exc, AppError):
        cause = exc.user_message
    elif isinstance(exc, InjectedFailure):
        cause = "a test failure was injected"
    else:
        cause = f"an unexpected error occurred ({type(exc).__name__}); see the server log"
    reason = f"Provisioning failed at step “{label}”: {cause.rstrip('.')}."
    if problems:
        return (f"{reason} The rollback could not remove {', '.join(problems)}; an "
                f"administrator should remove them (database “{database}”).")
    return f"{reason} Everything created for it was removed."


def recover_interrupted(runtime: Runtime, *, actor: Actor = audit.SYSTEM) -> list[int]:
    """Fail and roll back clusters left in ``provisioning`` by a stopped process.

    At start-up, and only when no other process of the deployment is alive (see
    :func:`services.startup.first_start.prepare`): a job of a live process would be taken for
    interrupted. The demo cluster, whose load resumes by itself, is left alone.
    """
    recovered = []
    with runtime.db.session() as session:
        ids = clusters.cluster_ids_with_status(session, "provisioning")
    for cluster_id in sorted(set(ids) - JOBS.active()):
        with runtime.db.session() as session:
            cluster = memberships.get_cluster(session, cluster_id)
            if cluster is None or cluster.is_demo:
                continue
            job = job_for(runtime, cluster)
            key = cluster.progress.get("current") or STEP_KEYS[0]
        job.created.update({"database"} if job.bundled else {"database", "access"})
        _fail(runtime, job, key=key, label=_LABELS.get(key, key),
              actor=actor, seconds=0.0, exc=ProvisioningError("the app stopped during it"))
        recovered.append(cluster_id)
    return recovered
