"""Migration 0019 on SQLite and PostgreSQL: personal views, private to their user, one per
name and page, removed with their cluster, and the way back down."""

from __future__ import annotations

from sqlalchemy import delete, inspect

from data.metadata import personal_views
from data.metadata.db import Database
from data.metadata.models import DatabaseCluster, User


def test_personal_views_round_trip_and_downgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        assert "personal_views" in inspect(db.engine).get_table_names()
        with db.session() as session:
            users = [User(email=f"{n}@example.com", display_name=n, password_hash="x")
                     for n in ("u", "v")]
            clusters = [DatabaseCluster(name=n, database_name=n, cluster_type="manufacturing",
                                        region_code="local") for n in ("p", "q")]
            session.add_all([*users, *clusters])
            session.flush()
            (u, v), (p, q) = (x.id for x in users), (c.id for c in clusters)
            first = personal_views.save(session, user_id=u, cluster_id=p, page="explorer",
                                        name="A", query="?s=1x")
            again = personal_views.save(session, user_id=u, cluster_id=p, page="explorer",
                                        name="A", query="?s=1y")
            personal_views.save(session, user_id=u, cluster_id=p, page="dashboard", name="A",
                                query="?window=7d")
            personal_views.save(session, user_id=u, cluster_id=q, page="explorer", name="B",
                                query="")
            session.commit()
            assert again.id == first.id
        with db.session() as session:
            mine = personal_views.listed(session, user_id=u, cluster_id=p, page="explorer")
            assert [(x.name, x.query) for x in mine] == [("A", "?s=1y")]
            assert mine[0].saved_at.tzinfo is not None
            assert personal_views.count(session, user_id=u, cluster_id=p) == 2
            assert personal_views.listed(session, user_id=v, cluster_id=p, page="explorer") == []
            assert not personal_views.remove(session, view_id=mine[0].id, user_id=v,
                                             cluster_id=p)
            assert personal_views.remove(session, view_id=mine[0].id, user_id=u, cluster_id=p)
            session.execute(delete(DatabaseCluster).where(DatabaseCluster.id == q))
            session.commit()
        with db.session() as session:
            assert personal_views.count(session, user_id=u, cluster_id=q) == 0
        db.downgrade("0018")
        assert "personal_views" not in inspect(db.engine).get_table_names()
    finally:
        db.dispose()
