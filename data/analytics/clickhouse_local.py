"""chDB in this process, for the one process that owns the data path: the engine service.

Everything else reaches the engine over HTTP (:class:`data.analytics.clickhouse.ClickHouse`); the
engine service itself checks statements with chDB's own parser in-process, and benches use
this handle to measure what HTTP costs against the old in-process path.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.client import Client

from data.analytics.clickhouse import ClickHouse, write_embedded_config


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
