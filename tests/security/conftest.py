"""One app, one world and one signed-in client per principal for each security test module
(the matrix runs hundreds of requests in-process through the Flask test client)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data.clickhouse import ClickHouse
from services.runtime import Runtime
from tests.access_world import ROLES, World, build_world, create_test_app, sign_in

#: Who asks: a member with each role on cluster A (and none on B), a global admin, nobody.
PRINCIPALS = (*ROLES, "root", "anon")


@pytest.fixture(scope="module")
def mod_runtime(tmp_path_factory: pytest.TempPathFactory, ch: ClickHouse) -> Iterator[Runtime]:
    from auth.passwords import Passwords
    from data.db import Database
    from lyceum.settings import load_settings

    root = tmp_path_factory.mktemp("security")
    (root / "instance").mkdir()
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off"})
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    yield Runtime(settings=settings, db=db, ch=ch,
                  passwords=Passwords(time_cost=1, memory_kib=8192, parallelism=1))
    db.dispose()


@pytest.fixture(scope="module")
def mod_server(mod_runtime: Runtime) -> Flask:
    return create_test_app(mod_runtime)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def world(mod_runtime: Runtime) -> World:
    return build_world(mod_runtime)


@pytest.fixture(scope="module")
def clients(mod_server: Flask, world: World) -> dict[str, FlaskClient]:
    """A client per principal, signed in once."""
    found: dict[str, Any] = {}
    for key in PRINCIPALS:
        client = mod_server.test_client()
        found[key] = client if key == "anon" else sign_in(client, key)
    return found
