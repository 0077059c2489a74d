"""The command line as an operator runs it: all-or-nothing create-user, quiet migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from data.metadata import memberships
from data.metadata.db import Database
from data.metadata.models import ClusterTeamAccess, DatabaseCluster, User

ROOT = Path(__file__).resolve().parent.parent


def _cli(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LYCEUM_INSTANCE": str(instance), "LYCEUM_DEMO": "off",
           "LYCEUM_ARGON2_TIME_COST": "1", "LYCEUM_ARGON2_MEMORY_KIB": "8192",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lyceum", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _no_alembic_chatter(result: subprocess.CompletedProcess[str]) -> None:
    lines = (result.stdout + result.stderr).splitlines()
    assert not [line for line in lines if "INFO" in line and "alembic" in line], lines


def _db(instance: Path) -> Database:
    return Database(f"sqlite:///{instance / 'lyceum.db'}")


def test_failing_create_user_leaves_no_account(instance_path: Path) -> None:
    """Was: exit 2 for an unknown cluster, but the account existed (password never shown)."""
    result = _cli(instance_path, "create-user", "--email", "ana@example.com", "--cluster",
                  "no_such_db", "--role", "viewer")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("error: No cluster uses the database 'no_such_db'.")
    assert "Password" not in result.stdout
    _no_alembic_chatter(result)
    db = _db(instance_path)
    with db.session() as session:
        assert session.scalars(select(User)).all() == []
    db.dispose()


def test_create_user_on_a_known_cluster_prints_the_password_once(instance_path: Path) -> None:
    migrated = _cli(instance_path, "migrate")
    assert migrated.returncode == 0 and "Metadata schema at revision" in migrated.stdout
    _no_alembic_chatter(migrated)
    db = _db(instance_path)
    with db.session() as session:
        cluster = memberships.add_cluster(session, DatabaseCluster(
            name="Plant", database_name="plant_db", cluster_type="manufacturing",
            region_code="local", status="running"))
        cluster_id = cluster.id
    result = _cli(instance_path, "create-user", "--email", "ana@example.com", "--cluster",
                  "plant_db", "--role", "analyst")
    assert result.returncode == 0, result.stderr
    assert "User ana@example.com created with role analyst on plant_db." in result.stdout
    assert "Password (shown once): " in result.stdout
    _no_alembic_chatter(result)
    with db.session() as session:
        user = session.scalars(select(User)).one()
        access = session.scalars(select(ClusterTeamAccess)).one()
        assert (access.user_id, access.cluster_id, access.role) == (user.id, cluster_id,
                                                                    "analyst")
    again = _cli(instance_path, "create-user", "--email", "ana@example.com", "--cluster",
                 "plant_db", "--role", "viewer")
    assert again.returncode == 2
    assert "An account with this e-mail address already exists." in again.stderr
    db.dispose()


def test_deactivate_user_ends_access_and_refuses_unknown_or_last_admin(
        instance_path: Path) -> None:
    for email in ("first@example.com", "second@example.com"):
        made = subprocess.run(
            [sys.executable, "-m", "lyceum", "create-admin", "--email", email,
             "--password-stdin"], cwd=ROOT, input="a long admin password\n", text=True,
            capture_output=True, timeout=300,
            env={**os.environ, "LYCEUM_INSTANCE": str(instance_path), "LYCEUM_DEMO": "off",
                 "LYCEUM_ARGON2_TIME_COST": "1", "LYCEUM_ARGON2_MEMORY_KIB": "8192",
                 "PYTHONPATH": str(ROOT)})
        assert made.returncode == 0, made.stderr
    unknown = _cli(instance_path, "deactivate-user", "--email", "nobody@example.com")
    assert unknown.returncode == 2
    assert "No active account uses that e-mail address." in unknown.stderr
    done = _cli(instance_path, "deactivate-user", "--email", "second@example.com")
    assert done.returncode == 0, done.stderr
    assert "Account second@example.com deactivated; 0 API token(s) revoked." in done.stdout
    last = _cli(instance_path, "deactivate-user", "--email", "first@example.com")
    assert last.returncode == 2
    with _db(instance_path).session() as session:
        active = {u.email: u.is_active for u in session.scalars(select(User))}
    assert active == {"first@example.com": True, "second@example.com": False}
    _no_alembic_chatter(done)
