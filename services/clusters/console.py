"""The cluster console: the timeline, and retention, limits and decommission changes.

Callers (pages, API) check the role; these functions check everything else: the cluster
exists, its state allows the change, the values are valid. Every change writes an audit
entry and a timeline event linked to it (``detail["audit_id"]``); an engine failure is
recorded the same way with the outcome ``failure``, then raised. Usage and health live in
:mod:`services.clusters.usage` and :mod:`services.clusters.health` and are re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from data.analytics import cluster_ops
from data.analytics import cluster_stats as stats
from data.analytics.ch_schema import RETENTION_TABLES, TierRetention
from data.analytics.clickhouse import ClickHouseError
from data.metadata import audit as audit_data
from data.metadata import cluster_meta as meta
from data.metadata import pending_secrets as pending_data
from data.metadata import users as users_data
from data.metadata.cluster_meta import ClusterStateError
from data.metadata.models import AuditEntry, ClusterEvent, DatabaseCluster, utcnow
from lyceum.errors import ValidationError
from lyceum.settings import HostCeilings
from services.clusters import operations
from services.clusters.health import Health, cluster_health
from services.clusters.operations import OperationView, Progress
from services.clusters.request import ClusterSpec
from services.clusters.rules import QUERY_MEMORY_BYTES, coerce_int, validate_retention
from services.clusters.usage import (
    TierUsage,
    UsagePoint,
    UsageSampler,
    record_usage,
    start_usage_sampler,
    usage_by_tier,
    usage_trend,
)
from services.core.audit import Actor, record_cluster_action
from services.core.runtime import Runtime
from services.core.work_pools import request_wait_s

__all__ = [
    "ClusterStateError", "Health", "QueryLimits", "TierUsage", "TimelineEntry", "UsagePoint",
    "UsageSampler", "cluster_health", "decommission", "events_timeline", "query_limits_of",
    "record_usage", "start_decommission", "start_limits_change", "start_retention_change",
    "start_usage_sampler", "update_limits",
    "update_retention", "usage_by_tier",
    "usage_trend",
]

log = logging.getLogger(__name__)

MAX_TIMELINE = 500
MAX_EXECUTION_TIME_S = 3600
_GIB = 1024**3
_RETENTION_LABELS = {"warm_after_days": "Warm after", "cold_after_days": "Cold after",
                     "archive_after_days": "Archive after", "delete_after_days": "Delete after"}
_AUDIT_MESSAGES = {
    "cluster.create": "Cluster created",
    "cluster.ready": "Cluster ready",
    "member.set": "Role {role} given to {who}",
    "member.remove": "Removed from the team: {who}",
    "cluster.retention": "Retention changed",
    "cluster.limits": "Query limits changed",
    "cluster.decommission": "Cluster decommissioned",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a cluster's timeline, from its events or its audit log."""

    at: datetime
    source: str
    kind: str
    message: str
    actor: str = ""
    outcome: str = "success"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryLimits:
    """The per-query limits of a cluster, in the units the console edits."""

    max_threads: int | None
    max_memory_gb: int | None
    max_execution_time_s: int | None


def _audit_message(entry: AuditEntry, emails: dict[int, str]) -> str:
    """The entry in words; a user it is about by e-mail (by id once the account is gone)."""
    template = _AUDIT_MESSAGES.get(entry.action)
    text = entry.action.replace(".", " ").replace("_", " ").capitalize()
    if template is not None:
        who = emails.get(_user_id(entry) or 0) or f"user {entry.target_id}"
        try:
            text = template.format_map({**entry.detail, "who": who})
        except (KeyError, IndexError, ValueError):
            text = template.split(" {")[0]
    if entry.outcome != "success":
        error = entry.detail.get("error")
        text += f" ({entry.outcome}{': ' + str(error) if error else ''})"
    return text


def _from_event(event: ClusterEvent) -> TimelineEntry:
    detail = dict(event.detail or {})
    return TimelineEntry(at=event.at, source="event", kind=event.kind, message=event.message,
                         actor=str(detail.get("actor", "")),
                         outcome="failure" if event.kind == "failure" else "success",
                         detail=detail)


def _user_id(entry: AuditEntry) -> int | None:
    """The user an entry is about, if it is about one."""
    target = str(entry.target_id)
    return int(target) if entry.target_type == "user" and target.isdigit() else None


def _from_audit(entry: AuditEntry, emails: dict[int, str]) -> TimelineEntry:
    return TimelineEntry(at=entry.created_at, source="audit", kind=entry.action,
                         message=_audit_message(entry, emails), actor=entry.actor,
                         outcome=entry.outcome, detail=dict(entry.detail or {}))


def events_timeline(runtime: Runtime, cluster_id: int, *, limit: int = 50
                    ) -> list[TimelineEntry]:
    """The cluster's events and audit entries, newest first; an audit entry that has its own
    event (a console change) appears once, as the event."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_TIMELINE:
        raise ValidationError(f"Show 1 to {MAX_TIMELINE} entries.", fields={"limit": "range"})
    with runtime.db.session() as session:
        meta.require_cluster(session, cluster_id)
        events = meta.list_events(session, cluster_id=cluster_id, limit=limit)
        entries = audit_data.list_entries(session, cluster_id=cluster_id, limit=limit)
        linked = {event.detail.get("audit_id") for event in events if event.detail}
        shown = [a for a in entries if a.id not in linked]
        emails = users_data.emails_of(session, {u for a in shown if (u := _user_id(a))})
        rows = [_from_event(e) for e in events]
        rows += [_from_audit(a, emails) for a in shown]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def _record_failure(runtime: Runtime, cluster_id: int, *, actor: Actor, action: str,
                    what: str, error: ClickHouseError, detail: dict[str, Any]) -> None:
    log.warning("%s on cluster %s failed: %s", action, cluster_id, error)
    with runtime.db.session() as session:
        record_cluster_action(session, cluster_id, actor=actor, action=action, kind="failure",
                              message=f"{what} failed: {error.user_message}", outcome="failure",
                              detail={**detail, "error": error.user_message})


def _describe_retention(values: dict[str, Any]) -> str:
    if not values:
        return "not recorded"
    delete = values.get("delete_after_days")
    return (f"warm after {values.get('warm_after_days')} d, cold after "
            f"{values.get('cold_after_days')} d, archive after "
            f"{values.get('archive_after_days')} d, "
            + ("never deleted" if delete is None else f"deleted after {delete} d"))


def retention_from(values: Mapping[str, Any]) -> TierRetention:
    """Retention from untrusted form or JSON values; what is not a whole number becomes a
    value :func:`update_retention` refuses with a message naming the field."""
    delete = values.get("delete_after_days")
    return TierRetention(
        warm_after_days=coerce_int(values.get("warm_after_days")),
        cold_after_days=coerce_int(values.get("cold_after_days")),
        archive_after_days=coerce_int(values.get("archive_after_days")),
        delete_after_days=None if delete in (None, "") else coerce_int(delete))


def _check_retention(retention: TierRetention) -> None:
    if not isinstance(retention, TierRetention):
        raise ValidationError("Enter the days for each tier.", fields={"retention": "missing"})
    errors = validate_retention(ClusterSpec(retention=retention))
    if errors:
        raise ValidationError(
            " ".join(f"{_RETENTION_LABELS[name]}: {text}" for name, text in errors.items()),
            fields=errors)


def update_retention(runtime: Runtime, cluster_id: int, retention: TierRetention, *,
                     actor: Actor) -> None:
    """Apply new tier and delete days to every time table of a running cluster and store them.

    The change runs in the maintenance pool (the caller waits for it; a cluster already
    changing refuses at once). ClickHouse re-evaluates the TTLs of the existing parts of all
    tables together in the background; the change ends when they are done.
    """
    _check_retention(retention)
    runtime.pools.run("maintenance", partial(_apply_retention, runtime, cluster_id, retention,
                                             actor=actor),
                      cluster_id=cluster_id, timeout=request_wait_s(runtime.settings))


def start_retention_change(runtime: Runtime, cluster_id: int, retention: TierRetention, *,
                           actor: Actor, wait_s: float | None = None) -> OperationView:
    """Check the new retention and begin applying it as an operation with progress (one
    step per table); return at once. The console shows how far it got and updates when it
    ends; a cluster already changing refuses with :class:`Busy`."""
    _check_retention(retention)
    with runtime.db.session() as session:
        meta.require_cluster(session, cluster_id, allowed=("running",),
                             action="change its retention")
    total = len(RETENTION_TABLES)

    def work(progress: Progress) -> str:
        _apply_retention(runtime, cluster_id, retention, actor=actor, progress=progress)
        return f"Retention applied to all {total} tables."

    return _operation(runtime, cluster_id, kind="retention", total=total, actor=actor,
                      work=work, wait_s=wait_s)


def _apply_retention(runtime: Runtime, cluster_id: int, retention: TierRetention, *,
                     actor: Actor, progress: Progress | None = None) -> None:
    new = asdict(retention)
    try:
        with runtime.db.session() as session:
            cluster = meta.require_cluster(session, cluster_id, allowed=("running",),
                                           action="change its retention")
            before = dict(cluster.retention or {})
            cluster_ops.apply_retention(runtime.ch, cluster.database_name, retention,
                                        on_cluster=runtime.settings.clickhouse_cluster,
                                        progress=progress)
            cluster.retention = new
            record_cluster_action(session, cluster_id, actor=actor, action="cluster.retention",
                                  kind="retention_changed",
                                  message=f"Retention: {_describe_retention(new)} "
                                          f"(was {_describe_retention(before)}).",
                                  detail={"before": before, "after": new})
    except ClickHouseError as exc:
        _record_failure(runtime, cluster_id, actor=actor, action="cluster.retention",
                        what="Changing the retention", error=exc, detail={"after": new})
        raise


def query_limits_of(cluster: DatabaseCluster) -> QueryLimits:
    """The cluster's stored limits in console units (``None`` where none is set)."""
    limits = cluster.query_limits or {}
    memory = limits.get("max_memory_usage")
    return QueryLimits(max_threads=limits.get("max_threads"),
                       max_memory_gb=None if memory is None else int(memory) // _GIB,
                       max_execution_time_s=limits.get("max_execution_time"))


def _limit_errors(cluster: DatabaseCluster, *, host: HostCeilings, max_threads: object,
                  max_memory_gb: object, max_execution_time_s: object) -> dict[str, str]:
    """A message per value outside the cluster's bounds or above what this host allows."""
    node_memory = min(cluster.memory_gb_per_node, QUERY_MEMORY_BYTES[1] // _GIB)
    host_memory = max(1, host.max_memory_usage // _GIB)
    checks = {
        "max_threads": (max_threads, (
            (max(1, cluster.vcpu_per_node), f"Use 1 to {max(1, cluster.vcpu_per_node)} threads "
                                            "(the cluster's vCPUs per node)."),
            (host.max_threads, f"This server allows at most {host.max_threads} threads per "
                               "query."))),
        "max_memory_gb": (max_memory_gb, (
            (max(1, node_memory), f"Use 1 to {max(1, node_memory)} GB of memory per query "
                                  "(at most one node's memory)."),
            (host_memory, f"This server allows at most {host_memory} GB of memory per query."))),
        "max_execution_time_s": (max_execution_time_s, (
            (MAX_EXECUTION_TIME_S, f"Use 1 to {MAX_EXECUTION_TIME_S} seconds per query."),
            (host.max_execution_time, f"This server allows at most {host.max_execution_time} "
                                      "seconds per query."))),
    }
    errors: dict[str, str] = {}
    for name, (value, caps) in checks.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors[name] = caps[0][1]
            continue
        for cap, text in caps:
            if value > cap:
                errors[name] = text
                break
    return errors


def _check_limits(runtime: Runtime, cluster_id: int, *, max_threads: object,
                  max_memory_gb: object, max_execution_time_s: object) -> None:
    with runtime.db.session() as session:
        cluster = meta.require_cluster(session, cluster_id, allowed=("running",),
                                       action="change its query limits")
        errors = _limit_errors(cluster, host=runtime.settings.ceilings, max_threads=max_threads,
                               max_memory_gb=max_memory_gb,
                               max_execution_time_s=max_execution_time_s)
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)


def start_limits_change(runtime: Runtime, cluster_id: int, *, max_threads: object,
                        max_memory_gb: object, max_execution_time_s: object, actor: Actor,
                        wait_s: float | None = None) -> OperationView:
    """Check new per-query limits, then store them as an operation with progress (the
    console disables its buttons until it ends); bad values are refused before anything is
    recorded. ``wait_s`` waits for the end (the API's synchronous call)."""
    values = {"max_threads": max_threads, "max_memory_gb": max_memory_gb,
              "max_execution_time_s": max_execution_time_s}
    _check_limits(runtime, cluster_id, **values)

    def work(progress: Progress) -> str:
        update_limits(runtime, cluster_id, actor=actor, **values)
        progress(1)
        return (f"Query limits stored: {max_threads} threads, {max_memory_gb} GB, "
                f"{max_execution_time_s} s; they apply to the next query.")

    return _operation(runtime, cluster_id, kind="limits", total=1, actor=actor, work=work,
                      wait_s=wait_s)


def _operation(runtime: Runtime, cluster_id: int, *, kind: str, total: int, actor: Actor,
               work: operations.Work, wait_s: float | None) -> OperationView:
    if wait_s is None:
        return operations.start(runtime, cluster_id, kind=kind, total=total, actor=actor,
                                work=work)
    return operations.run(runtime, cluster_id, kind=kind, total=total, actor=actor, work=work,
                          timeout=wait_s)


def update_limits(runtime: Runtime, cluster_id: int, *, max_threads: object,
                  max_memory_gb: object, max_execution_time_s: object, actor: Actor) -> None:
    """Store a running cluster's per-query limits as ClickHouse settings (``max_threads``,
    ``max_memory_usage`` in bytes, ``max_execution_time``); other stored settings stay.

    The values may come straight from a form or a JSON body: anything that is not a whole
    number within the cluster's bounds and the host's ceilings is refused with a message
    per field."""
    with runtime.db.session() as session:
        cluster = meta.require_cluster(session, cluster_id, allowed=("running",),
                                       action="change its query limits")
        errors = _limit_errors(cluster, host=runtime.settings.ceilings, max_threads=max_threads,
                               max_memory_gb=max_memory_gb,
                               max_execution_time_s=max_execution_time_s)
        if errors:
            raise ValidationError(" ".join(errors.values()), fields=errors)
        assert isinstance(max_threads, int) and isinstance(max_memory_gb, int)
        before = dict(cluster.query_limits or {})
        cluster.query_limits = {**before, "max_threads": max_threads,
                                "max_memory_usage": max_memory_gb * _GIB,
                                "max_execution_time": max_execution_time_s}
        record_cluster_action(session, cluster_id, actor=actor, action="cluster.limits",
                              kind="limits_changed",
                              message=f"Query limits: {max_threads} threads, "
                                      f"{max_memory_gb} GB memory, "
                                      f"{max_execution_time_s} s per query.",
                              detail={"before": before, "after": dict(cluster.query_limits)})


def _check_decommission(runtime: Runtime, cluster_id: int, typed_name: object) -> None:
    with runtime.db.session() as session:
        cluster = meta.require_cluster(session, cluster_id, allowed=("running", "failed"),
                                       action="be decommissioned")
        if not isinstance(typed_name, str) or typed_name != cluster.name:
            raise ValidationError("Type the cluster's name exactly to confirm.",
                                  fields={"typed_name": "does not match"})


def start_decommission(runtime: Runtime, cluster_id: int, *, typed_name: object, actor: Actor,
                       wait_s: float | None = None) -> OperationView:
    """Check the typed name and the cluster's state, then drop its database as an
    operation with progress; a wrong name is refused before anything runs."""
    _check_decommission(runtime, cluster_id, typed_name)
    assert isinstance(typed_name, str)

    def work(progress: Progress) -> str:
        decommission(runtime, cluster_id, typed_name=typed_name, actor=actor)
        progress(1)
        return "The database was dropped; the records remain."

    return _operation(runtime, cluster_id, kind="decommission", total=1, actor=actor,
                      work=work, wait_s=wait_s)


def decommission(runtime: Runtime, cluster_id: int, *, typed_name: str, actor: Actor) -> None:
    """Drop a running or failed cluster's database for good; keep its metadata, events and
    audit; clear its credentials. ``typed_name`` must be the cluster's exact name."""
    try:
        with runtime.db.session() as session:
            cluster = meta.require_cluster(session, cluster_id, allowed=("running", "failed"),
                                           action="be decommissioned")
            if not isinstance(typed_name, str) or typed_name != cluster.name:
                raise ValidationError("Type the cluster's name exactly to confirm.",
                                      fields={"typed_name": "does not match"})
            stats.drop_database(runtime.ch, cluster.database_name,
                                on_cluster=runtime.settings.clickhouse_cluster)
            previous = cluster.status
            cluster.status = "decommissioned"
            cluster.status_reason = f"Decommissioned by {actor.label or 'system'}."
            cluster.decommissioned_at = utcnow()
            cluster.credential_user, cluster.credential_hash = "", None
            cluster.credential_mode = ""
            pending_data.remove(session, cluster_id)  # its secret opens nothing any more
            record_cluster_action(session, cluster_id, actor=actor, action="cluster.decommission",
                                  kind="decommissioned",
                                  message=f"Decommissioned; the database "
                                          f"{cluster.database_name} was dropped.",
                                  detail={"database": cluster.database_name,
                                          "previous_status": previous})
    except ClickHouseError as exc:
        _record_failure(runtime, cluster_id, actor=actor, action="cluster.decommission",
                        what="Decommissioning", error=exc, detail={})
        raise
