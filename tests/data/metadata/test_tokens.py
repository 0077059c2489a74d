"""API token rows in the metadata database (SQLite and PostgreSQL): found by hash only,
listed newest first, an owner's live ones per cluster."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from data.metadata import memberships, tokens, users
from data.metadata.db import Database
from data.metadata.models import ClusterAccessToken, DatabaseCluster

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _cluster(session: Session, name: str) -> int:
    return memberships.add_cluster(session, DatabaseCluster(
        name=name, database_name=name, cluster_type="manufacturing", region_code="local",
        status="running")).id


def test_tokens_by_hash_id_cluster_and_owner(db: Database) -> None:
    with db.session() as session:
        ann = users.add_user(session, email="ann@example.com", display_name="",
                             password_hash=None).id
        a, b = _cluster(session, "plant_a"), _cluster(session, "plant_b")
        made = [tokens.add_token(session, ClusterAccessToken(
            cluster_id=cluster, user_id=ann, name=f"t{i}", prefix=f"lyc_{i}",
            token_hash=f"hash{i}", role="viewer")) for i, cluster in enumerate((a, a, b))]
        found = tokens.by_hash(session, "hash1")
        assert found is not None and found.id == made[1].id
        assert tokens.by_hash(session, "lyc_1") is None  # the prefix is no key
        assert tokens.get_token(session, made[2].id) is made[2]
        assert [t.name for t in tokens.list_for_cluster(session, a)] == ["t1", "t0"]
        made[0].revoked_at = NOW
        tokens.touch(session, made[1], now=NOW)
        session.flush()
        assert [t.name for t in tokens.live_for_owner(session, user_id=ann)] == ["t1", "t2"]
        assert [t.name for t in tokens.live_for_owner(session, user_id=ann, cluster_id=a)
                ] == ["t1"]
        assert made[1].last_used_at == NOW
