"""The engine service's WSGI application and its server (waitress, bounded threads).

One request is one statement: credentials are checked, the statement is planned (the app may
run anything; a cluster's credential what :mod:`services.gateway.engine_statements` allows),
then it streams from chDB through the requested format and compression to the client. A
refusal answers as ClickHouse does (``Code: N. DB::Exception: … (NAME)``, the
``X-ClickHouse-Exception-Code`` header, the matching HTTP status) and runs nothing.
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from data.engine_formats import framer_for
from data.engine_store import EngineError, EngineStore, QueryStats, ResultStream
from lyceum.engine.admission import Admission
from lyceum.engine.bodies import decoded, encoded, read_body, response_encoding
from lyceum.engine.protocol import (
    DEFAULT_FORMAT,
    SERVER_DEFAULTS,
    EngineFailure,
    credentials,
    parse_params,
    query_parameters,
    refusal,
    settings_of,
    split_format,
)
from lyceum.errors import AppError
from services.core.runtime import Runtime
from services.gateway.engine_access import EngineCaller, authenticate_caller, record_statement
from services.gateway.engine_statements import EnginePlan, plan_statement, split_insert

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
#: Longest statement text (the query, or a body that holds the query) the service reads.
MAX_QUERY_BYTES = 1024 * 1024
#: What an answer held back until the end (``wait_end_of_query=1``) keeps in memory.
SPOOL_IN_MEMORY = 8 * 1024 * 1024
#: An answer up to this size is sent whole, with its length, so the connection stays open
#: (waitress closes it after a streamed answer).
SMALL_ANSWER = 256 * 1024
OK = b"Ok.\n"


class EngineApp:
    """The ClickHouse HTTP interface over one :class:`~data.engine_store.EngineStore`."""

    def __init__(self, runtime: Runtime, store: EngineStore) -> None:
        self.runtime = runtime
        self.store = store
        settings = runtime.settings
        self.admission = Admission(overall=settings.engine_threads,
                                   per_cluster=settings.engine_cluster_queries)
        self.max_body = settings.max_decompressed_bytes
        self.version, self.timezone = store.server_facts()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        params: dict[str, str] = {}
        query_id = str(uuid.uuid4())
        try:
            params = parse_params(environ.get("QUERY_STRING", ""))
            query_id = params.get("query_id") or query_id
            path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
            if path in ("/ping", "/replicas_status") or (path == "/" and method == "GET"
                                                         and "query" not in params):
                start_response("200 OK", [("Content-Type", "text/html; charset=UTF-8"),
                                          ("Content-Length", str(len(OK)))])
                return [OK]
            if path != "/":
                return self._fail(start_response, EngineFailure(
                    1003, "NOT_FOUND", f"There is no handle {path[:100]}"), query_id, 404)
            if method not in ("GET", "POST"):
                raise EngineFailure(48, "NOT_IMPLEMENTED", f"HTTP method {method[:10]} is not "
                                                           "supported; use GET or POST")
            return self._answer(environ, start_response, params, query_id)
        except EngineFailure as exc:
            return self._fail(start_response, exc, query_id)
        except EngineError as exc:
            return self._fail(start_response, _failure(exc), query_id)
        except AppError as exc:
            return self._fail(start_response, refusal(exc), query_id)
        except Exception:  # noqa: BLE001 - the client gets ClickHouse's shape, the log the rest
            log.exception("engine request failed")
            return self._fail(start_response, EngineFailure(
                1001, "STD_EXCEPTION", "The engine service could not answer this request"),
                query_id)

    def _answer(self, environ: dict[str, Any], start_response: StartResponse,
                params: dict[str, str], query_id: str) -> Iterable[bytes]:
        for name in ("compress", "decompress"):
            if params.get(name, "0") not in ("0", ""):
                raise EngineFailure(48, "NOT_IMPLEMENTED", f"'{name}=1' (ClickHouse's own "
                                    "compression) is not served; use HTTP compression")
        user, key = credentials(params, environ)
        caller = authenticate_caller(self.runtime, user=user, key=key,
                                     address=environ.get("REMOTE_ADDR", ""))
        body = decoded(read_body(environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0),
                                 limit=self.max_body),
                       environ.get("HTTP_CONTENT_ENCODING", ""), limit=self.max_body)
        sql, data = _statement(params.get("query"), body)
        fmt = params.get("default_format") or DEFAULT_FORMAT
        if split_insert(sql) is None:
            sql, fmt = split_format(sql, fmt)
            framer_for(fmt)  # an unknown format is refused before anything runs
        plan = plan_statement(self.runtime, caller, sql=sql, database=params.get("database"),
                              settings=settings_of(params), parameters=query_parameters(params))
        if method_is_get(environ) and plan.is_insert:
            raise EngineFailure(164, "READONLY", "Cannot insert with a GET request; use POST")
        release = self.admission.enter(str(caller.cluster_id), bounded=not caller.is_app)
        if plan.is_insert:
            try:
                stats = self.store.insert(plan.statement, fmt=str(plan.insert_format),
                                          chunks=chain([plan.inline_data], data),
                                          database=plan.database, settings=plan.settings)
            except (EngineError, EngineFailure) as exc:
                self._audit(caller, plan, QueryStats(), "failure", getattr(exc, "name", ""))
                raise
            finally:
                release()
            self._audit(caller, plan, stats, "success", "")
            start_response("200 OK", [*self._headers(query_id, "", stats, None, None),
                                      ("Content-Length", "0")])
            return [b""]
        try:
            stream = self.store.stream(plan.statement, fmt=fmt,
                                       params=query_parameters(params),
                                       database=plan.database,
                                       settings={**SERVER_DEFAULTS, **plan.settings})
        except (EngineError, EngineFailure) as exc:
            release()
            self._audit(caller, plan, QueryStats(), "failure", getattr(exc, "name", ""))
            raise
        except BaseException:
            release()
            raise

        def done(outcome: str, error: str) -> None:
            release()
            self._audit(caller, plan, stream.stats, outcome, error)
        return self._stream(start_response, stream, params, environ, query_id, fmt, done)

    def _stream(self, start_response: StartResponse, stream: ResultStream,
                params: dict[str, str], environ: dict[str, Any], query_id: str, fmt: str,
                done: Callable[[str, str], object]) -> Iterable[bytes]:
        """Send the answer: whole with a length when it is small (the connection stays open),
        else streamed; held back until the end when the client asked (``wait_end_of_query``)."""
        encoding = (response_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
                    if params.get("enable_http_compression") == "1" else None)
        answer = _Answer(stream, encoding, done, self.version)
        try:
            head, complete = answer.head(SMALL_ANSWER)
            if not complete and params.get("wait_end_of_query") == "1":
                spooled = answer.spooled(head)
        except EngineError as exc:
            answer.failed(exc)
            return self._fail(start_response, _failure(exc), query_id)
        headers = self._headers(query_id, fmt, stream.stats, encoding, stream.content_type)
        if complete:
            answer.close()
            body = b"".join(head)
            start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
            return [body]
        start_response("200 OK", headers)
        if params.get("wait_end_of_query") == "1":
            return _file_chunks(spooled)
        answer.held = head
        return answer

    def _headers(self, query_id: str, fmt: str, stats: QueryStats, encoding: str | None,
                 content_type: str | None) -> list[tuple[str, str]]:
        headers = [("Content-Type", content_type or "text/plain; charset=UTF-8"),
                   ("X-ClickHouse-Query-Id", query_id),
                   ("X-ClickHouse-Timezone", self.timezone),
                   ("X-ClickHouse-Server-Display-Name", "lyceum-engine"),
                   ("X-ClickHouse-Summary", json.dumps(stats.as_summary()))]
        if fmt:
            headers.append(("X-ClickHouse-Format", fmt))
        if encoding:
            headers.append(("Content-Encoding", encoding))
        return headers

    def _fail(self, start_response: StartResponse, failure: EngineFailure, query_id: str,
              status: int | None = None) -> list[bytes]:
        body = failure.body(self.version)
        code = status or failure.status
        start_response(f"{code} {_REASONS.get(code, 'Error')}", [
            ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Length", str(len(body))),
            ("X-ClickHouse-Exception-Code", str(failure.number)),
            ("X-ClickHouse-Query-Id", query_id), ("X-ClickHouse-Timezone", self.timezone)])
        return [body]

    def _audit(self, caller: EngineCaller, plan: EnginePlan, stats: QueryStats, outcome: str,
               error: str) -> None:
        if caller.is_app:
            return
        detail: dict[str, object] = {"sql": plan.statement[:500], "rows": stats.result_rows,
                                     "written": stats.written_rows,
                                     "ms": round(stats.elapsed_ns / 1e6)}
        if error:
            detail["error"] = error
        try:
            record_statement(self.runtime, caller, outcome=outcome, detail=detail,
                             action="engine.insert" if plan.is_insert else "engine.query")
        except Exception:  # noqa: BLE001 - an answer already sent is not undone by the audit
            log.exception("could not audit an engine statement")


class _Answer:
    """The body of an answer, read ahead (:meth:`head`) or streamed (iteration);
    :meth:`close` (called by the server) ends the statement and gives back its place. An
    engine error after the first bytes went out is appended as ClickHouse does."""

    def __init__(self, stream: ResultStream, encoding: str | None,
                 done: Callable[[str, str], object], version: str) -> None:
        self.stream = stream
        self.version = version
        self.done = done
        self.outcome, self.error = "success", ""
        self.held: list[bytes] = []
        self._chunks = encoded(stream, encoding)
        self._closed = False

    def head(self, limit: int) -> tuple[list[bytes], bool]:
        """Chunks up to about ``limit`` bytes, and whether they are the whole answer."""
        parts: list[bytes] = []
        size = 0
        for chunk in self._chunks:
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return parts, False
        return parts, True

    def __iter__(self) -> Iterator[bytes]:
        yield from self.held
        self.held = []
        try:
            yield from self._chunks
        except EngineError as exc:
            self.outcome, self.error = "failure", exc.name
            yield b"\n" + _failure(exc).body(self.version)

    def spooled(self, head: list[bytes]) -> Any:
        """The whole answer in a temporary file (in memory up to a bound); raises
        :class:`EngineError` if the statement fails on the way."""
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            for chunk in chain(head, self._chunks):
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        self.close()
        return spool

    def failed(self, exc: EngineError) -> None:
        """Record the engine's failure and end the statement."""
        self.outcome, self.error = "failure", exc.name
        self.close()

    def close(self) -> None:
        """End the statement (cancelling what is left) and give back its place."""
        if self._closed:
            return
        self._closed = True
        self.stream.close()
        self.done(self.outcome, self.error)


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable"}


def _failure(exc: EngineError) -> EngineFailure:
    return EngineFailure(exc.number, exc.name, exc.user_message)


def method_is_get(environ: dict[str, Any]) -> bool:
    """True for a GET request (ClickHouse runs those read-only)."""
    return environ.get("REQUEST_METHOD") == "GET"


def _file_chunks(spool: Any) -> Iterator[bytes]:
    try:
        while chunk := spool.read(1024 * 1024):
            yield chunk
    finally:
        spool.close()


def _statement(query: str | None, body: Iterator[bytes]) -> tuple[str, Iterator[bytes]]:
    """The statement text and the data that follows it (for an INSERT)."""
    head, rest, complete = _head(body, MAX_QUERY_BYTES)
    if query is not None:
        if len(query.encode()) > MAX_QUERY_BYTES:
            raise _too_long()
        if split_insert(query) is not None or not head:
            return query, chain([head], rest)
        if not complete:
            raise _too_long()
        return f"{query}\n{head.decode('utf-8', 'replace')}", iter(())
    text = head.decode("utf-8", "surrogateescape")
    if not text.strip():
        raise EngineFailure(62, "SYNTAX_ERROR", "Empty query")
    if split_insert(text) is not None:
        return text, rest  # the rows after the statement are its data (split when planned)
    if not complete:
        raise _too_long()
    return text, iter(())


def _too_long() -> EngineFailure:
    return EngineFailure(1002, "QUERY_IS_TOO_LARGE",
                         f"Max query size exceeded ({MAX_QUERY_BYTES:,} bytes)")


def _head(body: Iterator[bytes], limit: int) -> tuple[bytes, Iterator[bytes], bool]:
    """Up to ``limit`` bytes of ``body``, the rest, and whether the head is all of it."""
    parts: list[bytes] = []
    size = 0
    for chunk in body:
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            joined = b"".join(parts)
            return joined[:limit], chain([joined[limit:]], body), False
    return b"".join(parts), iter(()), True


def open_engine(runtime: Runtime) -> EngineApp:
    """Open the instance's engine (this process owns its data path) and build the app."""
    store = EngineStore(runtime.settings.clickhouse_root)
    store.open()
    return EngineApp(runtime, store)


def serve(app: EngineApp) -> int:
    """Answer on ``engine_host:engine_port`` with bounded threads until stopped."""
    from waitress import serve as waitress_serve

    settings = app.runtime.settings
    try:
        waitress_serve(app, host=settings.engine_host, port=settings.engine_port,
                       threads=settings.engine_threads, connection_limit=1000,
                       max_request_body_size=settings.max_decompressed_bytes,
                       channel_timeout=300, ident="lyceum-engine")
    finally:
        app.store.close()
    return 0
