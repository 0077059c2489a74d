"""Shared fixtures: one real engine service per test session (the app reaches it over HTTP),
temporary instance folders."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pytest

from data.analytics.clickhouse import ClickHouse
from tests import file_order

if TYPE_CHECKING:
    from tests.servers import EngineProcess

_db_counter = itertools.count(1)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest test files first (``tests/file_order.py``): the processes of ``make test``
    take them in this order (``--no-loadscope-reorder``), so none ends alone on a long one."""
    items[:] = file_order.longest_first(items, file_order.load_costs())


@pytest.fixture(scope="session")
def engine_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    """The real engine service (``python -m lyceum engine``) for the whole test session."""
    from tests.servers import EngineProcess

    process = EngineProcess(tmp_path_factory.mktemp("engine") / "instance")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def ch(engine_process: EngineProcess) -> Iterator[ClickHouse]:
    """The app's ClickHouse handle over HTTP to the session's engine service: every test
    that touches ClickHouse goes the way the app does."""
    engine = ClickHouse(engine_process.dsn, bundled=True)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def chdb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chDB folder for tests of the engine service's own in-process modules (chDB allows
    one data path per process, so one per session)."""
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def ch_database(ch: ClickHouse) -> Iterator[str]:
    """A fresh, empty database name on the session engine, dropped afterwards."""
    name = f"test_db_{next(_db_counter)}"
    ch.command(f"DROP DATABASE IF EXISTS {name}")
    yield name
    ch.command(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    """An empty instance folder."""
    path = tmp_path / "instance"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A real PostgreSQL server for this test session (Debian's package)."""
    from tests.servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty metadata database: a SQLite file, and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meta.db'}"
    from tests.servers import create_database

    admin_url = request.getfixturevalue("postgres_admin_url")
    return create_database(admin_url, f"lyceum_{next(_db_counter)}")


def engine_env(ch: ClickHouse) -> dict[str, str]:
    """The settings' environment that points at the engine service behind ``ch``."""
    parts = urlsplit(ch.dsn)
    return {"LYCEUM_ENGINE_PORT": str(parts.port),
            "LYCEUM_ENGINE_KEY": unquote(parts.password or "")}


@contextmanager
def _test_runtime(root: Path, ch: ClickHouse) -> Iterator[object]:
    """A migrated SQLite metadata DB under ``root`` plus the session's engine, fast hashing."""
    from data.metadata.db import Database
    from lyceum.settings import load_settings
    from services.core.passwords import Passwords
    from services.core.runtime import Runtime

    (root / "instance").mkdir(exist_ok=True)
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off",
                              **engine_env(ch)})
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    yield Runtime(settings=settings, db=db, ch=ch,
                  passwords=Passwords(time_cost=1, memory_kib=8192, parallelism=1))
    db.dispose()


@pytest.fixture
def runtime(tmp_path: Path, ch: ClickHouse) -> Iterator[object]:
    """A migrated SQLite metadata DB plus the session's engine, with fast password hashing."""
    with _test_runtime(tmp_path, ch) as found:
        yield found


@pytest.fixture(scope="module")
def mod_runtime(tmp_path_factory: pytest.TempPathFactory, ch: ClickHouse) -> Iterator[object]:
    """Like ``runtime``, shared by the tests of one module."""
    with _test_runtime(tmp_path_factory.mktemp("module"), ch) as found:
        yield found


@pytest.fixture
def server(runtime: object) -> object:
    """The Flask server from ``create_app`` over the test runtime."""
    from app import create_app
    from services.core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    return create_app(runtime.settings, runtime=runtime)


@pytest.fixture
def admin(runtime: object) -> tuple[str, str]:
    """A global admin's (e-mail, password)."""
    from services.access.accounts import create_user
    from services.core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    create_user(runtime.db, runtime.passwords, email="root@example.com",
                password="correct horse battery", is_admin=True)
    return "root@example.com", "correct horse battery"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free port and a temporary folder (one per test module)."""
    from tests.servers import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


# The small demo's world and the app over it, shared by the callback, API and service tests
# that need the demo's curves (they name ``demo_world``/``demo_server`` or re-export them).
@pytest.fixture(scope="module")
def demo_world(mod_runtime: object) -> object:
    """Clusters A and B with their members; A holds the small demo."""
    from data.metadata import memberships
    from services.core.runtime import Runtime
    from services.demo.plant import load_demo
    from tests.access_world import build_world

    assert isinstance(mod_runtime, Runtime)
    found = build_world(mod_runtime)
    with mod_runtime.db.session() as s:
        a = memberships.get_cluster(s, found.a)
        assert a is not None
        database = a.database_name
    load_demo(mod_runtime.ch, database, size="small")
    mod_runtime.caches.clear()
    return found


@pytest.fixture(scope="module")
def demo_server(mod_runtime: object, demo_world: object) -> object:
    """The app over ``demo_world``."""
    from app import create_app
    from services.core.runtime import Runtime

    assert isinstance(mod_runtime, Runtime)
    return create_app(mod_runtime.settings, runtime=mod_runtime)
