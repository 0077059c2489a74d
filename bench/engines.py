"""The two ways a bench can reach chDB: over HTTP through the engine service (what the app
does), and in-process (what the app did before issue 18), for "what does HTTP cost" numbers.

:func:`in_process` is for comparison only: the app itself never opens chDB in its own process.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.client import Client

from data.clickhouse import ClickHouse, write_embedded_config

ROOT = Path(__file__).resolve().parent.parent
APP_USER = "lyceum_app"


class InProcessClickHouse(ClickHouse):
    """chDB in this process through clickhouse-connect's chDB client, one client per thread
    (chDB clients are not shared between threads); everything else as :class:`ClickHouse`."""

    def __init__(self, root: Path) -> None:
        super().__init__(f"chdb://{root / 'data'}", bundled=True)
        self._config = str(write_embedded_config(root))
        self._local = threading.local()
        self._made: list[Client] = []

    def client(self) -> Client:
        """This thread's chDB client."""
        found: Client | None = getattr(self._local, "client", None)
        if found is None:
            found = clickhouse_connect.get_client(dsn=self.dsn,
                                                  chdb_options={"config-file": self._config})
            self._local.client = found
            self._made.append(found)
        return found

    @contextmanager
    def _using(self, database: str | None) -> Iterator[None]:
        """chDB has no per-request database: switch this thread's client and back."""
        client = self.client()
        previous = client.database
        if database is not None:
            client.database = database
        try:
            yield
        finally:
            client.database = previous or "default"

    def command(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
                settings: Mapping[str, Any] | None = None, database: str | None = None) -> Any:
        """As :meth:`ClickHouse.command`, ``database`` as the client's current one."""
        with self._using(database):
            return super().command(sql, parameters=parameters, settings=settings)

    def rows(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
             settings: Mapping[str, Any] | None = None,
             database: str | None = None) -> list[tuple[Any, ...]]:
        """As :meth:`ClickHouse.rows`, ``database`` as the client's current one."""
        with self._using(database):
            return super().rows(sql, parameters=parameters, settings=settings)

    def arrow(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None,
              database: str | None = None) -> pa.Table:
        """As :meth:`ClickHouse.arrow`, ``database`` as the client's current one."""
        with self._using(database):
            return super().arrow(sql, parameters=parameters, settings=settings)

    def close(self) -> None:
        """Close every thread's client."""
        for client in self._made:
            client.close()
        self._made.clear()
        self._local = threading.local()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as answer:
            return bool(answer.read().strip() == b"Ok.")
    except OSError:
        return False


@contextmanager
def engine_service(instance: Path, *, env: dict[str, str] | None = None
                   ) -> Iterator[tuple[ClickHouse, dict[str, str]]]:
    """``python -m lyceum engine`` on a free port over ``instance``; yields a
    :class:`ClickHouse` over HTTP and the environment that points an app at it."""
    port, key = _free_port(), secrets.token_urlsafe(32)
    instance.mkdir(parents=True, exist_ok=True)
    found = {**os.environ, "LYCEUM_INSTANCE": str(instance), "LYCEUM_ENGINE_PORT": str(port),
             "LYCEUM_ENGINE_KEY": key, "LYCEUM_ENGINE_MANAGED": "off", **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "lyceum", "engine"], cwd=ROOT, env=found,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the engine service did not start")
            time.sleep(0.1)
        ch = ClickHouse(f"http://{APP_USER}:{key}@127.0.0.1:{port}", bundled=True)
        try:
            yield ch, found
        finally:
            ch.close()
    finally:
        process.terminate()
        process.wait(30)


def describe(ch: Any) -> str:
    """``in-process`` or ``HTTP`` for a table row."""
    return "in-process chDB" if isinstance(ch, InProcessClickHouse) else "HTTP (engine service)"
