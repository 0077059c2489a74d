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
import os
import random
import resource
import signal
import uuid
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from data.analytics.clickhouse_local import InProcessClickHouse
from data.analytics.engine_formats import framer_for
from data.analytics.engine_store import EngineError, EngineStore, QueryStats, ResultStream
from data.metadata.db import Database
from lyceum.engine.admission import Admission
from lyceum.engine.answers import SMALL_ANSWER, Answer, failure_of, file_chunks
from lyceum.engine.background_threads import keep_background_threads_low
from lyceum.engine.bodies import decoded, read_body, response_encoding
from lyceum.engine.protocol import (
    DEFAULT_FORMAT,
    EngineFailure,
    credentials,
    parse_params,
    query_parameters,
    refusal,
    server_defaults,
    settings_of,
    split_format,
)
from lyceum.engine.statements import form_fields, is_form, statement_and_data
from lyceum.errors import AppError, ConfigError
from lyceum.settings import Settings
from services.clusters.query_session import BACKGROUND_NICE
from services.core.passwords import Passwords
from services.core.runtime import Runtime
from services.gateway.engine_access import (
    AuditWriter,
    EngineCaller,
    authenticate_caller,
    record_statement,
)
from services.gateway.engine_statements import EnginePlan, plan_statement, split_insert

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
OK = b"Ok.\n"
#: Query ids of requests that name none: random (seeded once from the OS), not secret; a
#: UUID from the OS per request cost a system call that was 8 % of a small statement.
_QUERY_IDS = random.Random(os.urandom(32))


def new_query_id() -> str:
    """A fresh query id in ClickHouse's form (a version-4 UUID)."""
    return str(uuid.UUID(int=_QUERY_IDS.getrandbits(128), version=4))


class EngineApp:
    """The ClickHouse HTTP interface over one :class:`~data.analytics.engine_store.EngineStore`."""

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
        query_id = new_query_id()
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
            return self._fail(start_response, failure_of(exc), query_id)
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
        if is_form(environ.get("CONTENT_TYPE", "")):  # long parameters: in the body's form
            params = {**params, **form_fields(environ.get("CONTENT_TYPE", ""), body)}
            body = iter(())
        sql, data = statement_and_data(params.get("query"), body)
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
                                       settings={**server_defaults(fmt), **plan.settings},
                                       # a credential's settings end in readonly = 1
                                       reuse=not caller.is_app)
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
        answer = Answer(stream, encoding, done, self.version)
        try:
            head, complete = answer.head(SMALL_ANSWER)
            if not complete and params.get("wait_end_of_query") == "1":
                spooled = answer.spooled(head)
        except EngineError as exc:
            answer.failed(exc)
            return self._fail(start_response, failure_of(exc), query_id)
        headers = self._headers(query_id, fmt, stream.stats, encoding, stream.content_type)
        if complete:
            answer.close()
            body = b"".join(head)
            start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
            return [body]
        start_response("200 OK", headers)
        if params.get("wait_end_of_query") == "1":
            return file_chunks(spooled)
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


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable"}


def method_is_get(environ: dict[str, Any]) -> bool:
    """True for a GET request (ClickHouse runs those read-only)."""
    return environ.get("REQUEST_METHOD") == "GET"


def engine_runtime(settings: Settings) -> Runtime:
    """This process's runtime: the metadata DB, and the embedded engine opened in-process
    (this process is the engine; it never reaches it over HTTP). A server DSN is refused:
    the engine service serves only the bundled engine."""
    if not settings.bundled_engine:
        raise ConfigError("The engine service serves the bundled engine only; "
                          "LYCEUM_CLICKHOUSE_DSN names a ClickHouse server, which clients "
                          "reach directly.")
    return Runtime(settings=settings, db=Database(settings.database_url),
                   ch=InProcessClickHouse(settings.clickhouse_root),
                   passwords=Passwords(time_cost=settings.argon2_time_cost,
                                       memory_kib=settings.argon2_memory_kib))


def open_engine(runtime: Runtime) -> EngineApp:
    """Open the instance's engine (this process owns its data path) and build the app."""
    store = EngineStore(runtime.settings.clickhouse_root)
    store.open()
    return EngineApp(runtime, store)


def serve(app: EngineApp) -> int:
    """Answer on ``engine_host:engine_port`` with bounded threads until stopped; on SIGTERM
    the audit entries still queued are written and the engine is closed."""
    from waitress import serve as waitress_serve

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    # Every cluster's tables keep files open in this process (as a ClickHouse server, which
    # raises its own limit the same way): as many as the system allows this user.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    settings = app.runtime.settings
    low = keep_background_threads_low(BACKGROUND_NICE)
    try:
        waitress_serve(app, host=settings.engine_host, port=settings.engine_port,
                       threads=settings.engine_threads, connection_limit=1000,
                       max_request_body_size=settings.max_decompressed_bytes,
                       channel_timeout=300, ident="lyceum-engine",
                       # poll(), not select(): chDB's own files share this process, and
                       # select() fails on any descriptor above 1023 (every cluster's
                       # tables hold some), which stopped the engine
                       asyncore_use_poll=True)
    finally:
        low.set()
        app.runtime.caches.of(AuditWriter).close()
        app.store.close()
        app.runtime.close()
    return 0
