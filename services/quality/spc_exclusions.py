"""Subgroups an editor excludes from a feature's control limits: with a reason, audited
(``spc.exclude`` / ``spc.restore``), reversible, stored in the metadata database. The
caller checks the editor role; this module checks the input and that the curves are
values of that feature in the cluster."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from data.metadata import spc_exclusions as repo
from data.metadata.models_spc import MAX_REASON, SpcExclusion
from lyceum.errors import NotFound, ValidationError
from services.clusters.query_session import for_cluster
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime

#: At most this many curves in one exclusion (the largest subgroup is 10).
MAX_CURVES = 25
#: At most this many excluded curves per feature and cluster.
MAX_EXCLUDED = 5000


@dataclass(frozen=True)
class Exclusion:
    """One excluded subgroup as the dashboard lists it."""

    batch: str
    point_time: str
    reason: str
    excluded_at: str
    excluded_by: str
    curves: int


def excluded_curves(runtime: Runtime, cluster_id: int, *, process: str,
                    feature: str) -> frozenset[int]:
    """The curves whose subgroups are left out of the feature's limits (read afresh)."""
    with runtime.db.session() as session:
        return repo.curve_ids(session, cluster_id, process=process, feature=feature)


def list_exclusions(runtime: Runtime, cluster_id: int, *, process: str,
                    feature: str) -> list[Exclusion]:
    """The feature's exclusions, newest subgroup first."""
    with runtime.db.session() as session:
        found = repo.batches(session, cluster_id, process=process, feature=feature)
    return [Exclusion(batch, _iso(point), reason, _iso(at), email or "a former user", int(n))
            for batch, point, reason, at, email, n in found]


def _iso(value: Any) -> str:
    stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    return stamp.isoformat()


def _reason(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError("Give a reason for excluding this subgroup.",
                              fields={"reason": "required"})
    if len(text) > MAX_REASON or any(not c.isprintable() for c in text):
        raise ValidationError(f"The reason must be at most {MAX_REASON} printable characters.",
                              fields={"reason": "invalid"})
    return text


def _curves(value: Any) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_CURVES or any(
            isinstance(c, bool) or not isinstance(c, int) or not 0 < c < 2**63 for c in value):
        raise ValidationError("Choose a subgroup of the chart to exclude.",
                              fields={"subgroup": "invalid"})
    return sorted(set(value))


def _time(value: Any) -> datetime:
    try:
        stamp = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        stamp = None
    if stamp is None:
        raise ValidationError("Choose a subgroup of the chart to exclude.",
                              fields={"subgroup": "invalid"})
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def exclude(runtime: Runtime, cluster_id: int, *, process: str, feature: str,
            curves: Any, point_time: Any, reason: Any, actor: Actor) -> Exclusion:
    """Exclude the subgroup of ``curves`` (taken at ``point_time``) from the limits."""
    text, ids, when = _reason(reason), _curves(curves), _time(point_time)
    found = repo.feature_curves(for_cluster(runtime, cluster_id), process=process,
                                feature=feature, ids=ids)
    if found != len(ids):
        raise NotFound("These curves have no value of this feature in this cluster.")
    batch = uuid.uuid4().hex
    with runtime.db.session() as session:
        already = repo.curve_ids(session, cluster_id, process=process, feature=feature)
        if already & set(ids):
            raise ValidationError("This subgroup is already excluded.")
        if len(already) + len(ids) > MAX_EXCLUDED:
            raise ValidationError(f"At most {MAX_EXCLUDED} curves of a feature may be "
                                  "excluded; restore some first.")
        repo.add(session, [SpcExclusion(cluster_id=cluster_id, process=process,
                                        feature=feature, batch=batch, curve_id=c,
                                        point_time=when, reason=text,
                                        excluded_by=actor.user_id) for c in ids])
        audit.record(session, "spc.exclude", actor=actor, target_type="spc_exclusion",
                     target_id=batch, cluster_id=cluster_id,
                     detail={"process": process, "feature": feature, "curves": ids,
                             "time": when.isoformat(), "reason": text})
    return Exclusion(batch, when.isoformat(), text, datetime.now(UTC).isoformat(),
                     actor.label, len(ids))


def restore(runtime: Runtime, cluster_id: int, *, batch: Any, actor: Actor) -> None:
    """Put an excluded subgroup back into the limits (audited with its old reason)."""
    if not isinstance(batch, str) or len(batch) != 32 or not batch.isalnum():
        raise NotFound("This exclusion does not exist.")
    with runtime.db.session() as session:
        rows = repo.batch_rows(session, cluster_id, batch)
        if not rows:
            raise NotFound("This exclusion does not exist.")
        repo.remove_batch(session, cluster_id, batch)
        audit.record(session, "spc.restore", actor=actor, target_type="spc_exclusion",
                     target_id=batch, cluster_id=cluster_id,
                     detail={"process": rows[0].process, "feature": rows[0].feature,
                             "curves": sorted(r.curve_id for r in rows),
                             "reason": rows[0].reason})
