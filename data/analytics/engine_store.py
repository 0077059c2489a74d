"""The engine service's own hold on chDB: one data path, a fresh handle per request.

The engine service (``python -m lyceum engine``) is the one process that opens the embedded
engine's data path. Each request gets its own chDB handle on that engine (opening one costs
about 0.1 ms), so ``USE`` and ``SET`` never leak from one request into the next, and requests
run side by side; a read-only statement may take a handle an earlier one left prepared with
the very same database and settings (:class:`EngineStore`). Results stream block by block in
the format the caller asked for (:mod:`data.analytics.engine_formats` joins chDB's per-block
documents into one valid stream); inserts take the body chunk by chunk.

chDB's public streaming wrapper ends a stream at the first block without rows, which drops the
header of an empty result (a JSON ``meta``, a TSV names line), so this module drives the
handle of the ``_chdb`` extension directly: the same calls the wrapper makes, without that
shortcut.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chdb import _chdb

from data.analytics.clickhouse import write_embedded_config
from data.analytics.engine_formats import Framer, QueryStats, framer_for
from lyceum.errors import AppError

_SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_ERROR = re.compile(r"Code: (\d+)\. DB::Exception: (.*?)(?: \(([A-Z][A-Z0-9_]+)\))?\s*$", re.S)
#: chDB's answer when a statement cannot stream (DDL, SET, DESCRIBE, INSERT … VALUES).
_NOT_STREAMABLE = "Streaming query is not supported"
#: The format chDB writes the (small) answer of a statement that cannot stream in.
_DIRECT_FORMATS_FALLBACK = "TabSeparated"


class EngineError(AppError):
    """The engine refused or failed a statement; carries ClickHouse's code and name."""

    status_code = 500
    code = "engine_error"

    def __init__(self, message: str, *, number: int, name: str) -> None:
        super().__init__(message)
        self.number = number
        self.name = name


def engine_error(exc: BaseException) -> EngineError:
    """An :class:`EngineError` from chDB's exception text (``Code: N. DB::Exception: … (NAME)``)."""
    text = str(exc).strip()
    start = text.find("Code: ")
    match = _ERROR.match(text[start:]) if start >= 0 else None
    if match is None:
        return EngineError(text or type(exc).__name__, number=1001, name="STD_EXCEPTION")
    return EngineError(match.group(2).strip(), number=int(match.group(1)),
                       name=match.group(3) or "UNKNOWN_EXCEPTION")


class ResultStream:
    """The answer of one statement as bytes in one format, read block by block.

    Iterate it once; :meth:`close` (also on leaving a ``with`` block) cancels what is left
    and releases the handle. An engine error while reading raises :class:`EngineError`.
    """

    def __init__(self, handle: Any, running: Any, framer: Framer, stats: QueryStats,
                 first: bytes | None, *, sql: str = "",
                 params: Mapping[str, str] | None = None,
                 give_back: Callable[[Any], None] | None = None) -> None:
        self._sql = sql
        #: Where the handle goes once the answer was read to its end without an error
        #: (``None``: it is closed).
        self._give_back = give_back
        self._complete = False
        self._params = dict(params or {})
        self._handle = handle
        self._running = running
        self._framer = framer
        self.stats = stats
        self._first = first
        self._done = running is None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` of the answer's format."""
        return self._framer.content_type

    def __enter__(self) -> ResultStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[bytes]:
        if self._first is not None:
            head, self._first = self._first, None
            if head:
                yield head
        while not self._done:
            block = self._next_block()
            if block is None:
                break
            if block:
                yield block
        if self._framer.blocks == 0 and self._framer.name == "Native" and self._sql:
            yield self._native_header()
        tail = self._framer.finish(self.stats)
        self._complete = True
        if tail:
            yield tail
        self.close()

    def _native_header(self) -> bytes:
        """An empty Native block with the result's columns (chDB sends no block at all for an
        empty result, but clients read the column names and types from it)."""
        try:
            text = bytes(self._handle.query(f"DESCRIBE ({self._sql})", "TabSeparated",
                                            params=self._params).bytes())
        except RuntimeError as exc:
            raise engine_error(exc) from None
        columns = [line.split("\t")[:2] for line in text.decode().splitlines() if line]
        return native_block_header([(unescape_tsv(name), unescape_tsv(kind))
                                    for name, kind in columns])

    def _next_block(self) -> bytes | None:
        try:
            result = self._handle.streaming_fetch_result(self._running)
        except RuntimeError as exc:
            self._done = True
            raise engine_error(exc) from None
        if result is None or (result.rows_read() == 0 and result.size() == 0):
            self._done = True
            return None
        if result.has_error():
            self._done = True
            raise engine_error(RuntimeError(result.error_message()))
        self._count(result)
        return self._framer.frame(bytes(result.bytes()))

    def _count(self, result: Any) -> None:
        self.stats.result_rows += result.rows_read()
        self.stats.result_bytes += result.size()
        self.stats.read_rows += result.storage_rows_read()
        self.stats.read_bytes += result.storage_bytes_read()

    def first_block(self) -> None:
        """Read the first block now, so an error at the start comes before any byte is sent."""
        if self._first is None and not self._done:
            block = self._next_block()
            self._first = block if block is not None else b""

    def close(self) -> None:
        """Cancel the rest of the statement (if any) and release the handle."""
        if not self._done and self._running is not None:
            self._done = True
            try:
                self._handle.streaming_cancel_query(self._running)
            except RuntimeError:
                pass
        self._done = True
        if self._handle is not None:
            handle, self._handle = self._handle, None
            if self._complete and self._give_back is not None:
                self._give_back(handle)
            else:
                handle.close()


class EngineStore:
    """The embedded engine of one instance, opened once by the engine service.

    A read-only statement's handle (``reuse``) is kept, after its answer was read to the end,
    for the next statement with the same database and settings: opening a handle, ``USE`` and
    ``SET`` were a fifth of a small statement's CPU. Its settings end in ``readonly = 1``,
    under which no statement changes a setting, so a kept handle is in exactly the state a
    fresh one would be; any other change of the settings (a cluster's lowered limit) makes
    another key, and a statement that failed or was cancelled closes its handle.
    """

    #: Prepared handles kept idle at most (over every database and set of settings).
    IDLE_HANDLES = 32

    def __init__(self, root: Path) -> None:
        config = write_embedded_config(root)
        self.data_path = root / "data"
        self._dsn = f"{self.data_path}?config-file={quote(str(config))}"
        self._lock = threading.Lock()
        self._keeper: Any = None
        self._idle: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], list[Any]] = (
            OrderedDict())
        self._idle_count = 0

    def open(self) -> None:
        """Open the engine (and keep one handle, so it stays open between requests)."""
        with self._lock:
            if self._keeper is None:
                self._keeper = self._connect()

    def server_facts(self) -> tuple[str, str]:
        """The engine's ClickHouse version and time zone."""
        handle = self._connect()
        try:
            text = bytes(handle.query("SELECT version(), timezone()", "TabSeparated").bytes())
        finally:
            handle.close()
        version, _, zone = text.decode().strip().partition("\t")
        return version, zone

    def _connect(self) -> Any:
        try:
            return _chdb.connect(self._dsn)  # type: ignore[attr-defined]
        except RuntimeError as exc:
            raise engine_error(exc) from None

    def _prepared(self, *, database: str | None, settings: Mapping[str, str]) -> Any:
        """A fresh handle with the database chosen and the settings applied."""
        handle = self._connect()
        try:
            if database:
                handle.query(f"USE {quote_identifier(database)}", _DIRECT_FORMATS_FALLBACK)
            if settings:  # one statement for all (in order: ``readonly`` may come last)
                handle.query("SET " + ", ".join(
                    f"{setting_name(name)} = {quote_string(value)}"
                    for name, value in settings.items()), _DIRECT_FORMATS_FALLBACK)
        except RuntimeError as exc:
            handle.close()
            raise engine_error(exc) from None
        return handle

    def _taken(self, key: tuple[str, tuple[tuple[str, str], ...]]) -> Any | None:
        """An idle handle prepared exactly as ``key`` says, if one is kept."""
        with self._lock:
            found = self._idle.get(key)
            if not found:
                return None
            handle = found.pop()
            self._idle_count -= 1
            if not found:
                del self._idle[key]
            return handle

    def _kept(self, key: tuple[str, tuple[tuple[str, str], ...]]) -> Callable[[Any], None]:
        """The function that keeps a handle prepared as ``key`` for the next statement (the
        least recently used goes when :attr:`IDLE_HANDLES` are kept)."""
        def keep(handle: Any) -> None:
            closing: list[Any] = []
            with self._lock:
                if self._keeper is None:  # the engine was closed meanwhile
                    closing.append(handle)
                else:
                    self._idle.setdefault(key, []).append(handle)
                    self._idle.move_to_end(key)
                    self._idle_count += 1
                    while self._idle_count > self.IDLE_HANDLES:
                        oldest_key, oldest = next(iter(self._idle.items()))
                        closing.append(oldest.pop(0))
                        self._idle_count -= 1
                        if not oldest:
                            del self._idle[oldest_key]
            for stale in closing:
                stale.close()
        return keep

    def stream(self, sql: str, *, fmt: str, params: Mapping[str, str] | None = None,
               database: str | None = None, settings: Mapping[str, str] | None = None,
               reuse: bool = False) -> ResultStream:
        """Start ``sql`` and return its answer in ``fmt`` as a stream (first block read).

        ``fmt`` must be a format :func:`data.analytics.engine_formats.framer_for` knows; a statement
        that cannot stream (DDL, ``SET``, ``DESCRIBE``, ``INSERT … VALUES``) runs whole, its
        small answer in the same format. With ``reuse``, the handle may be one an earlier
        statement left with the same ``database`` and ``settings`` (which must end in
        ``readonly = 1``, so no statement could have changed them), and is kept for the next
        one when this answer is read to its end. Raises :class:`EngineError`.
        """
        framer = framer_for(fmt)
        stats = QueryStats()
        key = (database or "", tuple((settings or {}).items()))
        if reuse and (not key[1] or key[1][-1] != ("readonly", "1")):
            raise EngineError("Only read-only statements reuse a handle", number=49,
                              name="LOGICAL_ERROR")
        handle = self._taken(key) if reuse else None
        if handle is None:
            handle = self._prepared(database=database, settings=settings or {})
        try:
            running = handle.send_query(sql, framer.engine_format, params=dict(params or {}))
        except RuntimeError as exc:
            if _NOT_STREAMABLE not in str(exc):
                handle.close()
                raise engine_error(exc) from None
            return self._run_whole(handle, sql, framer, stats, params or {})
        stream = ResultStream(handle, running, framer, stats, None, sql=sql, params=params,
                              give_back=self._kept(key) if reuse else None)
        try:
            stream.first_block()
        except EngineError:
            stream.close()
            raise
        return stream

    def _run_whole(self, handle: Any, sql: str, framer: Framer, stats: QueryStats,
                   params: Mapping[str, str]) -> ResultStream:
        try:
            result = handle.query(sql, framer.engine_format, params=dict(params))
        except RuntimeError as exc:
            handle.close()
            raise engine_error(exc) from None
        stats.written_rows = result.rows_written()
        stats.written_bytes = result.bytes_written()
        stats.result_rows = result.rows_read()
        body = bytes(result.bytes())
        stats.result_bytes = len(body)
        return ResultStream(handle, None, framer, stats, framer.frame(body) if body else b"")

    def insert(self, statement: str, *, fmt: str, chunks: Iterable[bytes],
               database: str | None = None,
               settings: Mapping[str, str] | None = None) -> QueryStats:
        """Run ``statement`` (``INSERT INTO t [(cols)]``, no ``FORMAT``) with data in ``fmt``
        read from ``chunks``; nothing is committed unless every chunk was taken.

        Raises :class:`EngineError`.
        """
        stats = QueryStats()
        handle = self._prepared(database=database, settings=settings or {})
        try:
            inserter = handle.send_insert(statement, fmt)
        except RuntimeError as exc:
            handle.close()
            raise engine_error(exc) from None
        try:
            for chunk in chunks:
                if chunk:
                    handle.insert_append(inserter, chunk)
            done = handle.insert_done(inserter)
        except BaseException as exc:
            try:
                handle.insert_cancel(inserter)
            except RuntimeError:
                pass
            if isinstance(exc, RuntimeError):
                raise engine_error(exc) from None
            raise
        finally:
            handle.close()
        stats.written_rows = done.rows_written()
        stats.written_bytes = done.bytes_written()
        return stats

    def close(self) -> None:
        """Release the idle handles and the one that keeps the engine open."""
        with self._lock:
            idle = [handle for handles in self._idle.values() for handle in handles]
            self._idle.clear()
            self._idle_count = 0
            keeper, self._keeper = self._keeper, None
        for handle in idle:
            handle.close()
        if keeper is not None:
            keeper.close()


def setting_name(name: str) -> str:
    """``name`` if it can be a ClickHouse setting's name, else :class:`EngineError`."""
    if not _SETTING_NAME.fullmatch(name):
        raise EngineError(f"Unknown setting '{name[:100]}'", number=115, name="UNKNOWN_SETTING")
    return name


def quote_string(value: str) -> str:
    """``value`` as a ClickHouse string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_identifier(name: str) -> str:
    """``name`` as a back-quoted ClickHouse identifier."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def native_block_header(columns: list[tuple[str, str]]) -> bytes:
    """A Native block of no rows with these ``(name, type)`` columns."""
    out = bytearray(varint(len(columns)) + varint(0))
    for name, kind in columns:
        for text in (name.encode(), kind.encode()):
            out += varint(len(text)) + text
    return bytes(out)


def varint(value: int) -> bytes:
    """``value`` as unsigned LEB128."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


_TSV_ESCAPES = {"t": "\t", "n": "\n", "\\": "\\", "r": "\r", "0": "\0", "'": "'",
                "b": "\b", "f": "\f"}


def unescape_tsv(text: str) -> str:
    """A TabSeparated field's text (``\\t`` → tab, …)."""
    return re.sub(r"\\(.)", lambda m: _TSV_ESCAPES.get(m.group(1), m.group(1)), text)
