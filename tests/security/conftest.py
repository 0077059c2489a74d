"""One app, one world and one signed-in client per principal for each security test module
(the matrix runs hundreds of requests in-process through the Flask test client)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.core.runtime import Runtime
from tests.access_world import ROLES, World, build_world, create_test_app, sign_in

#: Who asks: a member with each role on cluster A (and none on B), a global admin, nobody.
PRINCIPALS = (*ROLES, "root", "anon")


@pytest.fixture(scope="module")
def mod_server(mod_runtime: Runtime) -> Flask:
    return create_test_app(mod_runtime)


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
