"""Two running clusters and their members, for the SQL console and connection tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouse
from data.metadata.db import Database
from lyceum.settings import load_settings
from services.access.accounts import create_user
from services.clusters import credentials, rules
from services.clusters.request import ClusterSpec, MemberGrant
from services.core.audit import Actor
from services.core.passwords import Passwords
from services.core.runtime import Runtime
from services.provisioning import deploy


@dataclass(frozen=True)
class World:
    """Cluster ``a`` (sample data; admin, editor, viewer) and cluster ``b`` (admin only)."""

    runtime: Runtime
    a: int
    b: int
    a_database: str
    b_database: str
    admin: int
    editor: int
    viewer: int
    a_secret: str


def _deploy(runtime: Runtime, name: str, *, members: tuple[MemberGrant, ...], sample: bool,
            admin: int) -> tuple[int, str]:
    spec = rules.apply_preset(ClusterSpec(name=name, members=members, load_sample_data=sample),
                              "development")
    cluster_id = deploy.record_cluster(runtime, spec, actor=Actor(user_id=admin))
    assert deploy.run_provisioning(runtime, cluster_id)
    pending = credentials.pending_secret(runtime, cluster_id, actor=Actor(user_id=admin))
    assert pending is not None
    return cluster_id, pending.secret


@contextmanager
def console_world(root: Path, ch: ClickHouse, *, prefix: str,
                  env: dict[str, str] | None = None) -> Iterator[World]:
    """Deploy ``<prefix> A`` and ``<prefix> B``; drop their databases afterwards."""
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off",
                              **(env or {})})
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    runtime = Runtime(settings=settings, db=db, ch=ch,
                      passwords=Passwords(time_cost=1, memory_kib=8192, parallelism=1))
    ids = [create_user(db, runtime.passwords, email=f"{who}@example.com",
                       password="correct horse battery").id
           for who in ("admin", "editor", "viewer")]
    admin, editor, viewer = ids
    a_db, b_db = f"{prefix}_a", f"{prefix}_b"
    try:
        a, secret = _deploy(runtime, f"{prefix} A", sample=True, admin=admin, members=(
            MemberGrant(admin, "admin"), MemberGrant(editor, "editor"),
            MemberGrant(viewer, "viewer")))
        b, _ = _deploy(runtime, f"{prefix} B", sample=False, admin=admin,
                       members=(MemberGrant(admin, "admin"),))
        yield World(runtime, a, b, a_db, b_db, admin, editor, viewer, secret)
    finally:
        for database in (a_db, b_db):
            cluster_ops.drop_database(ch, database)
        runtime.pools.shutdown()
        db.dispose()
