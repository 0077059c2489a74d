"""Migration 0009 on SQLite and PostgreSQL: the feature_specs table, its defaults, the unique
(cluster, process, feature), the cascade from the cluster, and the way back down."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from data.metadata.db import Database
from data.metadata.models import DatabaseCluster
from data.metadata.models_specs import FeatureSpec


def test_feature_specs_migrate_round_trip_and_downgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        assert "feature_specs" in inspect(db.engine).get_table_names()
        with db.session() as session:
            cluster = DatabaseCluster(name="s", database_name="s", cluster_type="manufacturing",
                                      region_code="local")
            session.add(cluster)
            session.flush()
            cid = cluster.id
            session.execute(text("INSERT INTO feature_specs (cluster_id, process, feature, usl) "
                                 "VALUES (:c, 'press-fit', 'peak_force', 23.5)"), {"c": cid})
        with db.session() as session:
            spec = session.query(FeatureSpec).one()
            assert (spec.unit, spec.lsl, spec.usl, spec.updated_by) == ("", None, 23.5, None)
            assert spec.updated_at.tzinfo is not None
        with pytest.raises(IntegrityError), db.session() as session:
            session.add(FeatureSpec(cluster_id=cid, process="press-fit", feature="peak_force"))
            session.flush()
        with db.session() as session:
            if db.engine.dialect.name == "sqlite":
                session.execute(text("PRAGMA foreign_keys = ON"))
            session.execute(text("DELETE FROM database_clusters WHERE id = :c"), {"c": cid})
        with db.session() as session:
            assert session.query(FeatureSpec).count() == 0
        db.downgrade("0008")
        assert "feature_specs" not in inspect(db.engine).get_table_names()
        db.migrate()
        assert "feature_specs" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()
