"""Specification limit rows of a cluster (with who changed them) and the feature check on the
cluster's own ``curve_features`` (bound parameters)."""

from __future__ import annotations

from datetime import UTC, datetime

from data.analytics.clickhouse import ClickHouse
from data.metadata import specs
from data.metadata.db import Database
from data.metadata.models_specs import FeatureSpec
from services.clusters.query_session import ClusterSession
from tests.data.metadata import rows

TS = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_rows_by_process_and_feature_with_the_editor(db: Database) -> None:
    with db.session() as session:
        ada = rows.user(session, "ada")
        line, press = rows.cluster(session, "line"), rows.cluster(session, "press")
        torque = specs.add(session, FeatureSpec(cluster_id=line.id, process="screw",
                                                feature="torque", unit="Nm", lsl=8.0, usl=9.0,
                                                updated_by=ada.id))
        specs.add(session, FeatureSpec(cluster_id=line.id, process="press", feature="peak",
                                       unit="kN", usl=24.0))
        specs.add(session, FeatureSpec(cluster_id=press.id, process="press", feature="peak"))
        found = specs.rows(session, line.id)
        assert [(s.process, s.feature, s.lsl, s.usl, e) for s, e in found] == [
            ("press", "peak", None, 24.0, None), ("screw", "torque", 8.0, 9.0,
                                                  "ada@example.com")]
        assert specs.row(session, line.id, process="screw", feature="torque") is torque
        assert specs.row(session, press.id, process="screw", feature="torque") is None
        specs.delete(session, torque)
        assert specs.row(session, line.id, process="screw", feature="torque") is None
        assert len(specs.rows(session, line.id)) == 1
        assert specs.rows(session, 999) == []


def test_feature_exists_in_the_clusters_own_data(ch: ClickHouse,
                                                 cluster_session: ClusterSession) -> None:
    ch.insert_rows("curve_features", [(1, 10, TS, "press", "L1", "OP10", "P1", "peak", 20.5,
                                       "kN")], database=cluster_session.database,
                   column_names=["curve_id", "part_id", "ts", "process", "line", "station",
                                 "product", "feature", "value", "unit"])
    assert specs.feature_exists(cluster_session, process="press", feature="peak") is True
    assert specs.feature_exists(cluster_session, process="press", feature="torque") is False
    assert specs.feature_exists(cluster_session, process="screw", feature="peak") is False
    hostile = "peak' OR 1 = 1 --"
    assert specs.feature_exists(cluster_session, process="press", feature=hostile) is False
    assert specs.feature_exists(cluster_session, process="{process:String}",
                                feature="peak") is False
