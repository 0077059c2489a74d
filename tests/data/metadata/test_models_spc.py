"""Migration 0012 on SQLite and PostgreSQL: the spc_exclusions table, its unique curve per
(cluster, process, feature), the cascade from the cluster, and the way back down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from data.metadata.db import Database
from data.metadata.models_spc import SpcExclusion
from tests.data.metadata.migration_checks import add_clusters, check_down_and_up, delete_cluster

WHEN = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _row(cid: int, curve: int) -> SpcExclusion:
    return SpcExclusion(cluster_id=cid, process="press-fit", feature="peak_force",
                        batch="a" * 32, curve_id=curve, point_time=WHEN, reason="tool change")


def test_spc_exclusions_migrate_round_trip_and_downgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        assert "spc_exclusions" in inspect(db.engine).get_table_names()
        (cid,) = add_clusters(db, "s")
        with db.session() as session:
            session.add(_row(cid, 2**40))
        with db.session() as session:
            row = session.query(SpcExclusion).one()
            assert (row.curve_id, row.reason, row.excluded_by) == (2**40, "tool change", None)
            assert row.point_time == WHEN and row.excluded_at.tzinfo is not None
        with pytest.raises(IntegrityError), db.session() as session:
            session.add(_row(cid, 2**40))
            session.flush()
        delete_cluster(db, cid)
        with db.session() as session:
            assert session.query(SpcExclusion).count() == 0
        check_down_and_up(db, "spc_exclusions", down_to="0014")
    finally:
        db.dispose()
