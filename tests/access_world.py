"""A small world for access tests: two clusters, one member per role on cluster A, a global
admin and an outsider, plus helpers to sign in and snapshot what could change."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from data.analytics.ch_schema import schema_statements
from data.metadata import memberships
from data.metadata.models import (
    AuditEntry,
    ClusterAccessToken,
    ClusterTeamAccess,
    DatabaseCluster,
    User,
)
from data.metadata.models_team import TeamInvitation
from services.access import tokens
from services.access.accounts import create_user
from services.clusters import credentials
from services.core.audit import Actor
from services.core.runtime import Runtime

PASSWORD = "correct horse battery"
ROLES = ("admin", "editor", "analyst", "viewer")
ORIGIN = {"Origin": "http://localhost"}
_names = itertools.count(1)


@dataclass(frozen=True)
class World:
    """Ids of everything the access tests use."""

    a: int
    b: int
    users: dict[str, int]  # "admin"…"viewer" (members of A), "root", "outsider", "b_admin"


def _cluster(runtime: Runtime, name: str) -> int:
    database = f"acc_{name}_{next(_names)}"
    for statement in schema_statements(database, tiered=False, fresh=True):
        runtime.ch.command(statement)
    with runtime.db.session() as session:
        row = memberships.add_cluster(session, DatabaseCluster(
            name=database, database_name=database, cluster_type="manufacturing",
            region_code="local", status="running", nodes=1, vcpu_per_node=4,
            memory_gb_per_node=16, storage={"hot_gb": 10}, retention={
                "warm_after_days": 7, "cold_after_days": 30, "archive_after_days": 180,
                "delete_after_days": 730}, query_limits={"max_threads": 2}))
        return row.id


def register_cluster(runtime: Runtime, database: str, *, name: str | None = None,
                     is_demo: bool = False) -> int:
    """A running cluster row for an existing test database; its id."""
    with runtime.db.session() as session:
        return memberships.add_cluster(session, DatabaseCluster(
            name=name or database, database_name=database, cluster_type="manufacturing",
            region_code="local", status="running", is_demo=is_demo)).id


@contextmanager
def editor_of_a(runtime: Runtime, databases: tuple[str, str], *, schema: bool = True,
                demo: str | None = None) -> Iterator[dict[str, int]]:
    """Clusters A and B over the test databases ``databases`` (with ``schema``: made afresh
    with the schema, and dropped afterwards; ``demo`` names the one that is a demo cluster)
    and Ed, an editor of A: ``{"ed": …, "a": …, "b": …}``."""
    ed = create_user(runtime.db, runtime.passwords, email="ed@example.com",
                     password="long enough password")
    if schema:
        for name in databases:
            runtime.ch.command(f"DROP DATABASE IF EXISTS {name}")
            for statement in schema_statements(name, tiered=False, with_ttl=False, fresh=True):
                runtime.ch.command(statement)
    a, b = (register_cluster(runtime, name, is_demo=name == demo) for name in databases)
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=a, user_id=ed.id, role="editor",
                               granted_by=None)
    try:
        yield {"ed": ed.id, "a": a, "b": b}
    finally:
        if schema:
            for name in databases:
                runtime.ch.command(f"DROP DATABASE IF EXISTS {name}")


def ed_bearer(runtime: Runtime, world: dict[str, int], role: str) -> dict[str, str]:
    """The ``Authorization`` header of a new token of Ed's on cluster A with ``role``."""
    _row, secret = tokens.create_token(runtime, user_id=world["ed"], cluster_id=world["a"],
                                       name="t", role=role, expires_in_days=1,
                                       actor=Actor(user_id=world["ed"], label="ed"))
    return {"Authorization": f"Bearer {secret}"}


def give_app_credential(runtime: Runtime, cluster_id: int, secret: str) -> None:
    """Give the cluster the app-gateway credential ``acc_app`` with ``secret``, held (as a
    deploy leaves it) for its admins to read once."""
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        cluster.credential_user, cluster.credential_mode = "acc_app", "app_gateway"
        cluster.credential_hash = runtime.keys.hash_credential(secret)
        credentials.hold_secret(runtime, session, cluster_id=cluster_id, secret=secret,
                                purpose="deploy")


def build_world(runtime: Runtime) -> World:
    """Create the clusters and accounts (idempotent per runtime)."""
    a, b = _cluster(runtime, "a"), _cluster(runtime, "b")
    users: dict[str, int] = {}
    for key in (*ROLES, "root", "outsider", "b_admin"):
        user = create_user(runtime.db, runtime.passwords, email=f"{key}@example.com",
                           password=PASSWORD, is_admin=key == "root")
        users[key] = user.id
    with runtime.db.session() as session:
        for role in ROLES:
            memberships.set_member(session, cluster_id=a, user_id=users[role], role=role,
                                   granted_by=None)
        memberships.set_member(session, cluster_id=b, user_id=users["b_admin"], role="admin",
                               granted_by=None)
    return World(a=a, b=b, users=users)


def sign_in(client: FlaskClient, key: str) -> FlaskClient:
    """Sign ``client`` in as the world's account ``key``."""
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    response = client.post("/login", data={"email": f"{key}@example.com", "password": PASSWORD,
                                           "csrf_token": csrf.group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def snapshot(runtime: Runtime) -> dict[str, Any]:
    """Everything an access test must find unchanged after a refused request."""
    with runtime.db.session() as session:
        return {
            "members": sorted((m.cluster_id, m.user_id, m.role)
                              for m in session.scalars(select(ClusterTeamAccess))),
            "tokens": sorted((t.id, t.role, t.revoked_at is None)
                             for t in session.scalars(select(ClusterAccessToken))),
            "invitations": sorted((i.id, i.revoked_at is None)
                                  for i in session.scalars(select(TeamInvitation))),
            "clusters": sorted((c.id, c.status, str(c.retention), str(c.query_limits))
                               for c in session.scalars(select(DatabaseCluster))),
            "users": sorted((u.id, u.email, u.is_admin) for u in session.scalars(select(User))),
        }


def audit_count(runtime: Runtime, *, outcome: str | None = None) -> int:
    """How many audit entries exist (with ``outcome``)."""
    with runtime.db.session() as session:
        query = select(AuditEntry)
        if outcome is not None:
            query = query.where(AuditEntry.outcome == outcome)
        return len(list(session.scalars(query)))


def create_test_app(runtime: Runtime) -> Any:
    """``create_app`` for a test module that posts to callbacks (each app gets all of them)."""
    from app import create_app

    return create_app(runtime.settings, runtime=runtime)
