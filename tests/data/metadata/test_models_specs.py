"""Migration 0009 on SQLite and PostgreSQL: the feature_specs table, its defaults, the unique
(cluster, process, feature), the cascade from the cluster, and the way back down."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from data.metadata.db import Database
from data.metadata.models_specs import FeatureSpec
from tests.data.metadata.migration_checks import add_clusters, check_down_and_up, delete_cluster


def test_feature_specs_migrate_round_trip_and_downgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        assert "feature_specs" in inspect(db.engine).get_table_names()
        (cid,) = add_clusters(db, "s")
        with db.session() as session:
            session.execute(text("INSERT INTO feature_specs (cluster_id, process, feature, usl) "
                                 "VALUES (:c, 'press-fit', 'peak_force', 23.5)"), {"c": cid})
        with db.session() as session:
            spec = session.query(FeatureSpec).one()
            assert (spec.unit, spec.lsl, spec.usl, spec.updated_by) == ("", None, 23.5, None)
            assert spec.updated_at.tzinfo is not None
        with pytest.raises(IntegrityError), db.session() as session:
            session.add(FeatureSpec(cluster_id=cid, process="press-fit", feature="peak_force"))
            session.flush()
        delete_cluster(db, cid)
        with db.session() as session:
            assert session.query(FeatureSpec).count() == 0
        check_down_and_up(db, "feature_specs", down_to="0008")
    finally:
        db.dispose()
