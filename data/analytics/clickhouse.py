"""ClickHouse access over HTTP (the bundled engine service or a server), parameterised queries.

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
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import clickhouse_connect
import polars as pl
import pyarrow as pa
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.httputil import get_pool_manager

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


#: How soon the engine's background work (merges, mutations, TTL) looks again for work it
#: could not take at once: ClickHouse waits 0.1 s plus up to 1 s at random each time, so a
#: mutation of the small demo's 81 daily parts waited ~12 s between parts (a retention
#: change, a delete); here 0.02 s plus up to 0.01 s (40 parts: 5.8 s -> 0.27 s). An idle
#: table's wait still grows by 1.1x per empty look, to 600 s.
BACKGROUND_SCHEDULING = (
    "<background_processing_pool_thread_sleep_seconds_if_nothing_to_do>0.02"
    "</background_processing_pool_thread_sleep_seconds_if_nothing_to_do>"
    "<background_processing_pool_task_sleep_seconds_when_no_work_random_part>0.01"
    "</background_processing_pool_task_sleep_seconds_when_no_work_random_part>")


def storage_config_xml(root: Path) -> str:
    """The bundled engine's chDB XML config: four local disks and the ``tiered`` policy,
    and how soon background work is looked for again (:data:`BACKGROUND_SCHEDULING`)."""
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
        f"  {BACKGROUND_SCHEDULING}\n"
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


def _with_database(settings: Mapping[str, Any] | None,
                   database: str | None) -> dict[str, Any]:
    """The request's settings plus ``database`` (the HTTP interface's current database: a
    per-request parameter, so threads sharing one client never change each other's)."""
    found = dict(settings or {})
    if database is not None:
        found["database"] = validate_identifier(database)
    return found


class ClickHouse:
    """A thread-safe handle on one ClickHouse deployment, always over the HTTP interface.

    Either the bundled engine service (``python -m lyceum engine``: chDB behind the ClickHouse
    HTTP interface, ``bundled=True``) or a ClickHouse server/Cloud (``LYCEUM_CLICKHOUSE_DSN``):
    one code path. One clickhouse-connect client is shared by every thread of the process: it
    keeps a pool of keep-alive connections (``max_connections``) and runs no session, so
    queries of different threads never wait on each other's session lock.
    """

    def __init__(self, dsn: str, *, bundled: bool, max_connections: int = 32,
                 timeout_s: float = 330.0) -> None:
        self.dsn = dsn
        self.bundled = bundled
        self.max_connections = max_connections
        self.timeout_s = timeout_s
        self._client_made: Client | None = None
        self._lock = threading.Lock()
        self.recent = RecentQueries()

    @property
    def label(self) -> str:
        """Where the engine is, without credentials (``http://host:port``)."""
        parts = urlsplit(self.dsn)
        host = parts.hostname or ""
        return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"

    def client(self) -> Client:
        """The clickhouse-connect client every thread shares (opened on first use)."""
        client = self._client_made
        if client is None:
            with self._lock:
                if self._client_made is None:
                    self._client_made = self.connect()
                client = self._client_made
        return client

    def connect(self) -> Client:
        """Open a client (clickhouse-connect reads the server's version and settings once
        here)."""
        try:
            return clickhouse_connect.get_client(
                dsn=self.dsn, autogenerate_session_id=False,
                pool_mgr=get_pool_manager(maxsize=self.max_connections, num_pools=2),
                compress=not self.bundled, connect_timeout=10,
                send_receive_timeout=self.timeout_s, query_limit=0)
        except Exception as exc:  # the driver raises many types; keep the detail in the log
            raise ClickHouseError("The analytics engine does not answer.",
                                  detail=f"{self.label}: {type(exc).__name__}: {exc}") from exc

    def _run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        started, ok = time.perf_counter(), False
        try:
            result = getattr(self.client(), method)(*args, **kwargs)
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
                               database=kwargs.get("database")
                               or kwargs.get("settings", {}).get("database"))

    def command(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
                settings: Mapping[str, Any] | None = None, database: str | None = None) -> Any:
        """Run a statement that returns no rows (DDL, INSERT … SELECT); unqualified names
        resolve in ``database`` when given."""
        return self._run("command", sql, parameters=dict(parameters or {}),
                         settings=_with_database(settings, database))

    def rows(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
             settings: Mapping[str, Any] | None = None,
             database: str | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        result = self._run("query", sql, parameters=dict(parameters or {}),
                           settings=_with_database(settings, database))
        return [tuple(row) for row in result.result_rows]

    def scalar(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
               settings: Mapping[str, Any] | None = None, database: str | None = None) -> Any:
        """Run a query and return the first column of its first row (or ``None``)."""
        found = self.rows(sql, parameters=parameters, settings=settings, database=database)
        return found[0][0] if found else None

    def arrow(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None,
              database: str | None = None) -> pa.Table:
        """Run a query and return an Arrow table (read from an Arrow stream)."""
        return self._run("query_arrow", sql, parameters=dict(parameters or {}),
                         settings=_with_database(settings, database))

    def frame(self, sql: str, *, parameters: Mapping[str, Any] | None = None,
              settings: Mapping[str, Any] | None = None,
              database: str | None = None) -> pl.DataFrame:
        """Run a query and return a Polars frame."""
        table = self.arrow(sql, parameters=parameters, settings=settings, database=database)
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
        """Close the client and its connections (a later query opens a new one)."""
        with self._lock:
            client, self._client_made = self._client_made, None
        if client is not None:
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
