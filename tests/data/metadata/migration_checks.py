"""Steps the migration tests of one table share: clusters to hang rows on, deleting a
cluster with foreign keys enforced (SQLite too), and a way down and back up."""

from __future__ import annotations

from sqlalchemy import inspect, text

from data.metadata.db import Database
from data.metadata.models import DatabaseCluster


def add_clusters(db: Database, *names: str) -> list[int]:
    """New cluster rows named ``names`` (also their database names); their ids."""
    with db.session() as session:
        clusters = [DatabaseCluster(name=n, database_name=n, cluster_type="manufacturing",
                                    region_code="local") for n in names]
        session.add_all(clusters)
        session.flush()
        return [c.id for c in clusters]


def delete_cluster(db: Database, cluster_id: int) -> None:
    """Delete a cluster row as the database does it, cascades included (SQLite enforces
    foreign keys only when asked)."""
    with db.session() as session:
        if db.engine.dialect.name == "sqlite":
            session.execute(text("PRAGMA foreign_keys = ON"))
        session.execute(text("DELETE FROM database_clusters WHERE id = :c"), {"c": cluster_id})


def check_down_and_up(db: Database, table: str, *, down_to: str) -> None:
    """Downgrading to ``down_to`` drops ``table``; migrating again brings it back."""
    db.downgrade(down_to)
    assert table not in inspect(db.engine).get_table_names()
    db.migrate()
    assert table in inspect(db.engine).get_table_names()
