"""An engine service in a subprocess over a fresh instance, with two clusters deployed.

Each cluster has its database (a ``readings`` table with a few rows) created through the
engine itself with the app's key, and a credential (user and secret) in the metadata DB, as a
deploy leaves them. Cluster ``alpha`` and cluster ``beta`` must never see each other.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client

from data import memberships
from data.db import Database
from data.models import DatabaseCluster
from lyceum.instance_secrets import InstanceSecrets
from lyceum.settings import load_settings
from tests.servers import EngineProcess

_names = itertools.count(1)
TABLE = ("CREATE TABLE {db}.readings (id UInt32, value Float64, label String) "
         "ENGINE = MergeTree ORDER BY id")


@dataclass(frozen=True)
class Cluster:
    """One deployed cluster as a client sees it."""

    id: int
    database: str
    user: str
    secret: str


@dataclass(frozen=True)
class EngineWorld:
    """The running engine, its app key, the metadata DB and the two clusters."""

    engine: EngineProcess
    db: Database
    alpha: Cluster
    beta: Cluster

    @property
    def url(self) -> str:
        """The engine's base URL."""
        return self.engine.url

    def app_client(self, **options: object) -> Client:
        """clickhouse-connect signed in as the app (``lyceum_app``)."""
        return clickhouse_connect.get_client(host="127.0.0.1", port=self.engine.port,
                                             username="lyceum_app", password=self.engine.key,
                                             **options)  # type: ignore[arg-type]

    def client(self, cluster: Cluster, **options: object) -> Client:
        """clickhouse-connect signed in with ``cluster``'s credential, as a user would."""
        return clickhouse_connect.get_client(host="127.0.0.1", port=self.engine.port,
                                             username=cluster.user, password=cluster.secret,
                                             database=cluster.database,
                                             **options)  # type: ignore[arg-type]


def _cluster(db: Database, keys: InstanceSecrets, name: str) -> Cluster:
    database = f"{name}_{next(_names)}"
    secret = secrets.token_urlsafe(24)
    with db.session() as session:
        row = memberships.add_cluster(session, DatabaseCluster(
            name=database, database_name=database, cluster_type="manufacturing",
            region_code="local", status="running", nodes=1, vcpu_per_node=4,
            memory_gb_per_node=16, storage={"hot_gb": 10}, retention={
                "warm_after_days": 7, "cold_after_days": 30, "archive_after_days": 180,
                "delete_after_days": 730}, query_limits={"max_threads": 2},
            credential_user=f"{database}_app", credential_hash=keys.hash_credential(secret),
            credential_mode="app_gateway"))
        session.commit()
        return Cluster(row.id, database, f"{database}_app", secret)


@contextmanager
def running_world(folder: Path, *, env: dict[str, str] | None = None) -> Iterator[EngineWorld]:
    """A fresh instance in ``folder``: metadata migrated, two clusters registered, the engine
    started, each cluster's database created through it and filled with a few rows."""
    instance = folder / "instance"
    engine = EngineProcess(instance, env=env)
    settings = load_settings({**engine.env})
    db = Database(settings.database_url)
    db.migrate()
    keys = InstanceSecrets(settings.token_key)
    alpha, beta = _cluster(db, keys, "alpha"), _cluster(db, keys, "beta")
    engine.start()
    world = EngineWorld(engine, db, alpha, beta)
    try:
        app = world.app_client()
        for cluster, label in ((alpha, "alpha"), (beta, "beta-secret")):
            app.command(f"CREATE DATABASE {cluster.database}")
            app.command(TABLE.format(db=cluster.database))
            app.insert("readings", [[n, n * 1.5, label] for n in range(1, 4)],
                       database=cluster.database, column_names=["id", "value", "label"])
        app.close()
        yield world
    finally:
        engine.stop()
        db.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineWorld]:
    """One engine with clusters alpha and beta, shared by the tests of a module."""
    with running_world(tmp_path_factory.mktemp("engine")) as found:
        yield found
