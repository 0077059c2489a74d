"""ClickHouse access: one client factory for chDB (embedded) and servers, parameterised queries.

Every query goes through :class:`ClickHouse`, which takes SQL with ``{name:Type}`` placeholders
and a parameter dict; identifiers (database and table names) are checked by
:func:`validate_identifier` before they are formatted into DDL.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import clickhouse_connect
import polars as pl
import pyarrow as pa
from clickhouse_connect.driver.client import Client

from lyceum.errors import AppError, ValidationError

TIERS: tuple[str, ...] = ("hot", "warm", "cold", "archive")
STORAGE_POLICY = "tiered"
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED = frozenset({"system", "default", "information_schema", "default_db"})
#: ``name.`` as in ``plant.curves``: the databases a statement names (aliases are harmless).
_QUALIFIED = re.compile(r"(?<![\w.])([a-z][a-z0-9_]{0,62})\.(?=[a-z_])")


class ClickHouseError(AppError):
    """A ClickHouse query failed; the user sees a short message, the log the detail."""

    status_code = 502
    code = "clickhouse_error"


def validate_identifier(name: str) -> str:
    """Return ``name`` if it is a safe ClickHouse identifier (lower-case, ``[a-z][a-z0-9_]*``)."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name) or name in _RESERVED:
        raise ValidationError(
            "Database names use lower-case letters, digits and underscores, start with a "
            "letter, are at most 63 characters, and are not a system name.",
            fields={"database": "invalid identifier"},
        )
    return name


def storage_config_xml(root: Path) -> str:
    """The embedded engine's XML config: four local disks and the ``tiered`` policy."""
    disks = "".join(
        f"<{tier}><path>{escape(str(root / 'tiers' / tier))}/</path></{tier}>" for tier in TIERS
    )
    volumes = "".join(f"<{tier}><disk>{tier}</disk></{tier}>" for tier in TIERS)
    return (
        "<clickhouse>\n"
        "  <storage_configuration>\n"
        f"    <disks>{disks}</disks>\n"
        f"    <policies><{STORAGE_POLICY}><volumes>{volumes}</volumes>"
        f"<move_factor>0</move_factor></{STORAGE_POLICY}></policies>\n"
        "  </storage_configuration>\n"
        "</clickhouse>\n"
    )


def write_embedded_config(root: Path) -> Path:
    """Create the tier folders and write the engine config under ``root``; return its path."""
    for tier in TIERS:
        (root / "tiers" / tier).mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
    path = root / "config.xml"
    text = storage_config_xml(root)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


@dataclass(frozen=True)
class QueryOutcome:
    """One finished query: when (Unix seconds), how long it took, and whether it succeeded."""

    at: float
    seconds: float
    ok: bool


class RecentQueries:
    """The last outcomes of the queries this process ran, per database they name.

    chDB has no ``system.query_log``, so latency and failures are observed here, app-side.
    """

    def __init__(self, *, per_database: int = 500, max_databases: int = 256) -> None:
        self._per_database = per_database
        self._max_databases = max_databases
        self._by_database: OrderedDict[str, deque[QueryOutcome]] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, sql: str, *, seconds: float, ok: bool, database: str | None = None) -> None:
        """Remember one outcome for every database ``sql`` (or ``database``) names."""
        names = set(_QUALIFIED.findall(sql[:4096])) | ({database} if database else set())
        outcome = QueryOutcome(at=time.time(), seconds=seconds, ok=ok)
        with self._lock:
            for name in names - _RESERVED:
                found = self._by_database.setdefault(name, deque(maxlen=self._per_database))
                found.append(outcome)
                self._by_database.move_to_end(name)
            while len(self._by_database) > self._max_databases:
                self._by_database.popitem(last=False)

    def outcomes(self, database: str) -> list[QueryOutcome]:
        """The remembered outcomes for ``database``, oldest first."""
        with self._lock:
            return list(self._by_database.get(database, ()))


class ClickHouse:
    """A thread-safe handle on one ClickHouse deployment (chDB in-process or a server).

    chDB clients are not shared between threads, so each thread gets its own client on the
    same data path (chDB allows one data path per process; all clients share the engine).
    """

    def __init__(self, dsn: str, *, config_root: Path | None = None) -> None:
        self.dsn = dsn
        self.embedded = dsn.startswith("chdb:")
        self._options: dict[str, Any] = {}
        if self.embedded:
            if config_root is None:
                raise ValueError("config_root is required for an embedded (chdb:) DSN")
            self._options["chdb_options"] = {"config-file": str(write_embedded_config(config_root))}
        self._local = threading.local()
        self._clients: list[Client] = []
        self._lock = threading.Lock()
        self.recent = RecentQueries()

    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = clickhouse_connect.get_client(dsn=self.dsn, **self._options)
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        started, ok = time.perf_counter(), False
        try:
            result = getattr(self._client(), method)(*args, **kwargs)
            ok = True
            return result
        except AppError:
            raise
        except Exception as exc:  # the driver raises many types; keep the detail in the log
            raise ClickHouseError("The analytics engine could not run this query.",
                                  detail=f"{type(exc).__name__}: {exc}") from exc
        finally:
            self.recent.record(str(args[0]) if args else "", ok=ok,
                               seconds=time.perf_counter() - started,
                               database=kwargs.get("database"))

    def command(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
                settings: Mapping[str, Any] | None = None) -> Any:
        """Run a statement that returns no rows (DDL, INSERT … SELECT)."""
        return self._run("command", sql, parameters=dict(parameters or {}),
                         settings=dict(settings or {}))

    def rows(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
             settings: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        result = self._run("query", sql, parameters=dict(parameters or {}),
                           settings=dict(settings or {}))
        return [tuple(row) for row in result.result_rows]

    def scalar(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
               settings: Mapping[str, Any] | None = None) -> Any:
        """Run a query and return the first column of its first row (or ``None``)."""
        found = self.rows(sql, parameters=parameters, settings=settings)
        return found[0][0] if found else None

    def arrow(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a query and return an Arrow table."""
        return self._run("query_arrow", sql, parameters=dict(parameters or {}),
                         settings=dict(settings or {}))

    def frame(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run a query and return a Polars frame."""
        table = self.arrow(sql, parameters=parameters, settings=settings)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame

    def insert_arrow(self, table: str, data: pa.Table, *, database: str,
                     settings: Mapping[str, Any] | None = None) -> None:
        """Insert an Arrow table into ``database.table`` (both validated identifiers)."""
        name = f"{validate_identifier(database)}.{validate_identifier(table)}"
        self._run("insert_arrow", name, data, settings=dict(settings or {}))

    def insert_rows(self, table: str, rows: Sequence[Sequence[Any]], *, database: str,
                    column_names: Sequence[str]) -> None:
        """Insert Python rows into ``database.table``."""
        self._run("insert", validate_identifier(table), list(rows),
                  database=validate_identifier(database), column_names=list(column_names))

    def ping(self) -> bool:
        """True if the engine answers ``SELECT 1``."""
        return self.scalar("SELECT 1") == 1

    def close(self) -> None:
        """Close every client this handle opened."""
        with self._lock:
            for client in self._clients:
                try:
                    client.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
            self._clients.clear()
        self._local = threading.local()
