"""Fixtures shared by the callback tests: a module's world of two clusters whose first holds
the small demo, and the real app (Flask + Dash) over it, for tests that post to Dash's own
endpoint."""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from data.metadata import memberships
from services.core.runtime import Runtime
from services.demo.plant import load_demo
from tests.access_world import World, build_world


@pytest.fixture(scope="module")
def demo_world(mod_runtime: Runtime) -> World:
    """Clusters A and B with their members; A holds the small demo."""
    found = build_world(mod_runtime)
    with mod_runtime.db.session() as s:
        a = memberships.get_cluster(s, found.a)
        assert a is not None
        database = a.database_name
    load_demo(mod_runtime.ch, database, size="small")
    mod_runtime.caches.clear()
    return found


@pytest.fixture(scope="module")
def demo_server(mod_runtime: Runtime, demo_world: World) -> Flask:
    """The app over ``demo_world``."""
    return create_app(mod_runtime.settings, runtime=mod_runtime)
