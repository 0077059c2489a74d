"""Golden curves in the metadata database: versions per cluster+process+name, on SQLite and
PostgreSQL, never visible from another cluster."""

from __future__ import annotations

from data.metadata import golden as golden_data
from data.metadata.db import Database
from data.metadata.models import DatabaseCluster


def _cluster(db: Database, name: str) -> int:
    with db.session() as s:
        row = DatabaseCluster(name=name, database_name=name, cluster_type="manufacturing",
                              region_code="local", status="running", nodes=1, vcpu_per_node=2,
                              memory_gb_per_node=4, storage={}, retention={}, query_limits={})
        s.add(row)
        s.flush()
        return row.id


def test_versions_count_up_per_name_and_stay_in_their_cluster(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    a, b = _cluster(db, "plant_a"), _cluster(db, "plant_b")
    curve = {"x": [0.0, 1.0], "center": [1.0, None], "lower": [0.5, None],
             "upper": [1.5, None]}
    with db.session() as s:
        ids = [golden_data.add_version(s, cluster_id=a, process="press-fit", name="nominal",
                                       method="median-percentile", n_curves=9,
                                       built_from={"band": 5}, curve=curve,
                                       created_by=None).id for _ in range(2)]
        other = golden_data.add_version(s, cluster_id=b, process="press-fit", name="nominal",
                                        method="mean-sigma", n_curves=3, built_from={},
                                        curve=curve, created_by=None)
        assert other.version == 1
    with db.session() as s:
        rows = golden_data.list_versions(s, cluster_id=a, process="press-fit")
        assert sorted(r.version for r in rows) == [1, 2]
        assert rows[0].curve["center"] == [1.0, None]
        assert golden_data.get(s, cluster_id=b, golden_id=ids[0]) is None
        second = golden_data.get(s, cluster_id=a, golden_id=ids[1])
        assert second is not None and second.version == 2
        assert golden_data.list_versions(s, cluster_id=a, process="screw-driving") == []
    db.dispose()
