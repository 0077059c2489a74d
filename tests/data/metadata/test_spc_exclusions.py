"""Excluded SPC subgroups: the rows per feature and batch, their summary newest point first,
removal, and how many of some curves hold a value of a feature in the cluster's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.analytics.clickhouse import ClickHouse
from data.metadata import spc_exclusions as repo
from data.metadata.db import Database
from data.metadata.models_spc import SpcExclusion
from services.clusters.query_session import ClusterSession
from tests.data.metadata import rows

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _row(cluster_id: int, batch: str, curve: int, *, feature: str = "peak",
         minutes: int = 0, user_id: int | None = None) -> SpcExclusion:
    return SpcExclusion(cluster_id=cluster_id, process="press", feature=feature,
                        batch=batch.ljust(32, "0"), curve_id=curve,
                        point_time=T0 + timedelta(minutes=minutes), reason=f"why {batch}",
                        excluded_by=user_id)


def test_exclusions_by_feature_and_batch(db: Database) -> None:
    with db.session() as session:
        ada = rows.user(session, "ada")
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        repo.add(session, [_row(line.id, "a", 1, user_id=ada.id), _row(line.id, "a", 2),
                           _row(line.id, "b", 3, minutes=30),
                           _row(line.id, "c", 4, feature="torque"),
                           _row(press.id, "a", 5)])
        assert repo.curve_ids(session, line.id, process="press", feature="peak") == {1, 2, 3}
        assert repo.curve_ids(session, line.id, process="screw", feature="peak") == frozenset()
        assert repo.count(session, line.id, process="press", feature="peak") == 3
        assert repo.count(session, press.id, process="press", feature="torque") == 0
        summary = repo.batches(session, line.id, process="press", feature="peak")
        assert [(b[:1], r, email, n) for b, _t, r, _at, email, n in summary] == [
            ("b", "why b", None, 1), ("a", "why a", "ada@example.com", 2)]
        assert [r.curve_id for r in repo.batch_rows(session, line.id, "a".ljust(32, "0"))] \
            == [1, 2]
        repo.remove_batch(session, line.id, "a".ljust(32, "0"))
        assert repo.curve_ids(session, line.id, process="press", feature="peak") == {3}
        assert repo.curve_ids(session, press.id, process="press", feature="peak") == {5}


def test_feature_curves_counts_distinct_curves_with_a_value(
        ch: ClickHouse, cluster_session: ClusterSession) -> None:
    ch.insert_rows("curve_features", [
        (curve, curve, T0, process, "L1", "OP10", "P1", feature, 1.0, "kN")
        for curve, process, feature in [(1, "press", "peak"), (1, "press", "peak"),
                                        (2, "press", "peak"), (3, "press", "knee"),
                                        (4, "screw", "peak")]],
        database=cluster_session.database,
        column_names=["curve_id", "part_id", "ts", "process", "line", "station", "product",
                      "feature", "value", "unit"])
    count = repo.feature_curves
    assert count(cluster_session, process="press", feature="peak", ids=[1, 2, 3, 4, 9]) == 2
    assert count(cluster_session, process="press", feature="peak", ids=[2]) == 1
    assert count(cluster_session, process="press", feature="peak", ids=[]) == 0
    assert count(cluster_session, process="press", feature="peak' OR '1'='1", ids=[1]) == 0
