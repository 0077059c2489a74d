"""After decommissioning: hide a cluster from the overview, or purge it.

Purging drops whatever the engine still holds under the cluster's database (``DROP DATABASE
IF EXISTS``) and deletes every metadata row that belongs to the cluster (tokens, projects,
events, usage, alerts, …); the cluster's row and its team stay, the cluster marked
``purged`` and hidden, so the audit log, which is kept whole, still names what its entries
were about and the cluster's admins can still read it. It runs as a cluster
operation with progress, after the exact name was typed. Callers (pages, API) check the role
(cluster admin); these functions check the cluster's state and the input.
"""

from __future__ import annotations

from data.analytics import cluster_stats as stats
from data.metadata import cluster_meta as meta
from data.metadata.models import utcnow
from lyceum.errors import ValidationError
from services.clusters import operations
from services.clusters.operations import OperationView, Progress
from services.core.audit import Actor, record, record_cluster_action
from services.core.runtime import Runtime

PURGED = "purged"
#: The states a cluster may be hidden in (it no longer runs anything).
HIDEABLE = ("decommissioned", PURGED)


def set_hidden(runtime: Runtime, cluster_id: int, *, hidden: object, actor: Actor) -> bool:
    """Hide a decommissioned cluster from the overview (or show it again); audited. Returns
    whether it is hidden now."""
    if not isinstance(hidden, bool):
        raise ValidationError("Say whether to hide the cluster (true or false).",
                              fields={"hidden": "not a boolean"})
    with runtime.db.session() as session:
        cluster = meta.require_cluster(session, cluster_id, allowed=HIDEABLE,
                                       action="be hidden from the overview")
        if (cluster.hidden_at is not None) == hidden:
            return hidden
        cluster.hidden_at = utcnow() if hidden else None
        record_cluster_action(session, cluster_id, actor=actor,
                              action="cluster.hide" if hidden else "cluster.show",
                              kind="hidden" if hidden else "shown",
                              message="Hidden from the overview." if hidden else
                              "Shown on the overview again.", detail={"hidden": hidden})
    return hidden


def _check_purge(runtime: Runtime, cluster_id: int, typed_name: object) -> str:
    with runtime.db.session() as session:
        cluster = meta.require_cluster(session, cluster_id, allowed=("decommissioned",),
                                       action="be purged")
        if not isinstance(typed_name, str) or typed_name != cluster.name:
            raise ValidationError("Type the cluster's name exactly to confirm.",
                                  fields={"typed_name": "does not match"})
        return cluster.database_name


def start_purge(runtime: Runtime, cluster_id: int, *, typed_name: object, actor: Actor,
                wait_s: float | None = None) -> OperationView:
    """Check the state and the typed name, then purge as an operation with progress (two
    steps: the engine's data, then the metadata rows); a refusal starts nothing."""
    database = _check_purge(runtime, cluster_id, typed_name)

    def work(progress: Progress) -> str:
        stats.drop_database(runtime.ch, database, on_cluster=runtime.settings.clickhouse_cluster)
        progress(1)
        with runtime.db.session() as session:
            cluster = meta.require_cluster(session, cluster_id, allowed=("decommissioned",),
                                           action="be purged")
            deleted = meta.purge_cluster_rows(session, cluster_id)
            cluster.status, cluster.hidden_at = PURGED, cluster.hidden_at or utcnow()
            cluster.status_reason = f"Purged by {actor.label or 'system'}."
            record(session, "cluster.purge", actor=actor, target_type="cluster",
                   target_id=cluster_id, cluster_id=cluster_id,
                   detail={"database": database, "deleted_rows": deleted})
        progress(2)
        return (f"Purged: the engine's data and {sum(deleted.values())} records were "
                "deleted; the audit log is kept.")

    if wait_s is None:
        return operations.start(runtime, cluster_id, kind="purge", total=2, actor=actor,
                                work=work)
    return operations.run(runtime, cluster_id, kind="purge", total=2, actor=actor, work=work,
                          timeout=wait_s)
