"""Migration 0012 on SQLite and PostgreSQL: the console history, newest first, bounded per
user and cluster, private to its user, removed with its cluster, and the way back down."""

from __future__ import annotations

from sqlalchemy import delete, inspect

from data.metadata import sql_history
from data.metadata.db import Database
from data.metadata.models import DatabaseCluster, User
from data.metadata.models_sql_console import SqlHistoryEntry


def _entry(user_id: int, cluster_id: int, sql: str) -> SqlHistoryEntry:
    return SqlHistoryEntry(user_id=user_id, cluster_id=cluster_id, sql=sql, outcome="ok",
                           rows=1, elapsed_ms=2)


def test_history_round_trip_and_downgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        assert "sql_console_history" in inspect(db.engine).get_table_names()
        with db.session() as session:
            users = [User(email=f"{n}@example.com", display_name=n, password_hash="x")
                     for n in ("u", "v")]
            clusters = [DatabaseCluster(name=n, database_name=n, cluster_type="manufacturing",
                                        region_code="local") for n in ("p", "q")]
            session.add_all([*users, *clusters])
            session.flush()
            (u, v), (p, q) = (x.id for x in users), (c.id for c in clusters)
            for i in range(7):
                sql_history.add(session, _entry(u, p, f"SELECT {i}"), keep=5)
            sql_history.add(session, _entry(v, p, "SELECT 'v'"), keep=5)
            sql_history.add(session, _entry(u, q, "SELECT 'q'"), keep=5)
            session.commit()
        with db.session() as session:
            mine = sql_history.recent(session, user_id=u, cluster_id=p, limit=50)
            assert [e.sql for e in mine] == [f"SELECT {i}" for i in (6, 5, 4, 3, 2)]
            assert mine[0].ran_at.tzinfo is not None
            assert sql_history.get(session, entry_id=mine[0].id, user_id=v,
                                   cluster_id=p) is None
            assert sql_history.get(session, entry_id=mine[0].id, user_id=u,
                                   cluster_id=q) is None
            assert [e.sql for e in sql_history.recent(session, user_id=v, cluster_id=p,
                                                       limit=50)] == ["SELECT 'v'"]
            session.execute(delete(DatabaseCluster).where(DatabaseCluster.id == q))
            session.commit()
        with db.session() as session:
            assert sql_history.recent(session, user_id=u, cluster_id=q, limit=50) == []
        db.downgrade("0013")
        assert "sql_console_history" not in inspect(db.engine).get_table_names()
    finally:
        db.dispose()
