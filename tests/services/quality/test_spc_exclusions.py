"""Excluding subgroups from a feature's limits: checked input, audited, reversible, and
only curves of that feature in that cluster."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from data.metadata.models import AuditEntry
from data.metadata.models_spc import SpcExclusion
from lyceum.errors import NotFound, ValidationError
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.quality import spc_exclusions
from tests.access_world import register_cluster
from tests.services.import_helpers import ACTOR

DB = "spc_exclusions_demo"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
WHERE = {"process": "press-fit", "feature": "peak_force"}
WHEN = "2026-12-01T08:00:00+00:00"


@pytest.fixture
def cluster_id(runtime: Runtime, demo_db: str) -> int:
    return register_cluster(runtime, demo_db, name="Exclusions plant")


def _curves(runtime: Runtime, cluster_id: int, n: int = 5) -> list[int]:
    rows = for_cluster(runtime, cluster_id).rows(
        f"SELECT curve_id FROM {DB}.curve_features WHERE process = 'press-fit' AND "
        f"feature = 'peak_force' ORDER BY ts LIMIT {n}")
    return [int(r[0]) for r in rows]


def _rows(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(SpcExclusion)) or 0


def _audit(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_exclude_list_and_restore_are_audited(runtime: Runtime, cluster_id: int) -> None:
    curves = _curves(runtime, cluster_id)
    done = spc_exclusions.exclude(runtime, cluster_id, **WHERE, curves=curves,
                                  point_time=WHEN, reason=" tool change ", actor=ACTOR)
    assert spc_exclusions.excluded_curves(runtime, cluster_id, **WHERE) == frozenset(curves)
    (listed,) = spc_exclusions.list_exclusions(runtime, cluster_id, **WHERE)
    assert (listed.batch, listed.reason, listed.curves) == (done.batch, "tool change", 5)
    assert listed.point_time == WHEN
    (entry,) = _audit(runtime, "spc.exclude")
    assert entry.cluster_id == cluster_id and entry.detail["curves"] == sorted(curves)
    assert entry.detail["reason"] == "tool change"
    with pytest.raises(ValidationError, match="already excluded"):
        spc_exclusions.exclude(runtime, cluster_id, **WHERE, curves=curves[:1],
                               point_time=WHEN, reason="again", actor=ACTOR)
    spc_exclusions.restore(runtime, cluster_id, batch=done.batch, actor=ACTOR)
    assert spc_exclusions.excluded_curves(runtime, cluster_id, **WHERE) == frozenset()
    (back,) = _audit(runtime, "spc.restore")
    assert back.detail["reason"] == "tool change" and back.target_id == done.batch
    with pytest.raises(NotFound, match="This exclusion does not exist."):
        spc_exclusions.restore(runtime, cluster_id, batch=done.batch, actor=ACTOR)


@pytest.mark.parametrize(("change", "message"), [
    ({"reason": "  "}, "Give a reason for excluding this subgroup."),
    ({"reason": "x" * 501}, "at most 500 printable characters"),
    ({"reason": "tab\there"}, "at most 500 printable characters"),
    ({"curves": []}, "Choose a subgroup of the chart to exclude."),
    ({"curves": [True]}, "Choose a subgroup of the chart to exclude."),
    ({"curves": "1,2"}, "Choose a subgroup of the chart to exclude."),
    ({"curves": list(range(1, 27))}, "Choose a subgroup of the chart to exclude."),
    ({"point_time": "yesterday"}, "Choose a subgroup of the chart to exclude."),
    ({"curves": [987_654_321]}, "These curves have no value of this feature in this cluster."),
    ({"feature": "final_torque"}, "These curves have no value of this feature"),
])
def test_bad_input_is_refused_and_nothing_is_stored(runtime: Runtime, cluster_id: int,
                                                    change: dict[str, object],
                                                    message: str) -> None:
    args: dict[str, object] = {**WHERE, "curves": _curves(runtime, cluster_id),
                               "point_time": WHEN, "reason": "tool change", **change}
    with pytest.raises((ValidationError, NotFound), match=message):
        spc_exclusions.exclude(runtime, cluster_id, actor=ACTOR, **args)  # type: ignore[arg-type]
    assert _rows(runtime) == 0 and _audit(runtime, "spc.exclude") == []


def test_another_clusters_exclusion_cannot_be_restored(runtime: Runtime,
                                                       cluster_id: int) -> None:
    done = spc_exclusions.exclude(runtime, cluster_id, **WHERE,
                                  curves=_curves(runtime, cluster_id, 1), point_time=WHEN,
                                  reason="probe", actor=ACTOR)
    other = register_cluster(runtime, f"{DB}_other", name="Other plant")
    for batch in (done.batch, "x" * 40, None, "../../etc"):
        with pytest.raises(NotFound, match="This exclusion does not exist."):
            spc_exclusions.restore(runtime, other, batch=batch, actor=ACTOR)
    assert _rows(runtime) == 1
