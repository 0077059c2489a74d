"""The ClickHouse HTTP dialect: credentials, parameters, formats, errors and their statuses."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

#: URL parameters that steer the HTTP exchange rather than set a ClickHouse setting.
TRANSPORT_PARAMS = frozenset({
    "query", "database", "default_format", "user", "password", "query_id", "session_id",
    "session_timeout", "session_check", "compress", "decompress", "enable_http_compression",
    "http_zlib_compression_level", "wait_end_of_query", "buffer_size",
    "http_response_buffer_size", "client_protocol_version", "send_progress_in_http_headers",
    "http_headers_progress_interval_ms", "cancel_http_readonly_queries_on_client_close",
    "quota_key", "role", "http_wait_end_of_query", "add_http_cors_header",
})
DEFAULT_FORMAT = "TabSeparated"
#: A ClickHouse server's defaults where chDB's differ (clients rely on them), for the JSON
#: formats they concern; a request's own settings come after them.
SERVER_DEFAULTS = {"output_format_json_quote_64bit_integers": "1"}
#: A trailing ``FORMAT <name>`` clause (optionally with a ``;``), as clients append it.
_TRAILING_FORMAT = re.compile(r"\s+FORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*\Z", re.IGNORECASE)
_TRAILING_SEMICOLON = re.compile(r"\s*;\s*\Z")

#: HTTP statuses of ClickHouse error codes (as ClickHouse's own HTTP handler answers).
STATUS_BY_CODE = {
    194: 401,                                  # REQUIRED_PASSWORD
    192: 403, 193: 403, 516: 403, 164: 403, 497: 403, 291: 403,  # auth, READONLY, ACCESS_DENIED
    62: 400, 27: 400, 26: 400, 36: 400, 38: 400, 41: 400, 47: 400, 53: 400, 70: 400, 72: 400,
    73: 400, 115: 400, 117: 400, 271: 400, 306: 400,
    60: 404, 81: 404, 46: 404, 16: 404,        # UNKNOWN_TABLE/DATABASE/FUNCTION, NO_SUCH_COLUMN
    48: 501,                                   # NOT_IMPLEMENTED
    202: 503,                                  # TOO_MANY_SIMULTANEOUS_QUERIES
    201: 429,                                  # QUOTA_EXCEEDED
    307: 413, 1002: 413,                       # TOO_MANY_BYTES, a body or query too large
}


@dataclass(frozen=True)
class EngineFailure(Exception):
    """A refusal or failure to answer in ClickHouse's way: ``Code: N. DB::Exception: …``."""

    number: int
    name: str
    message: str

    @property
    def status(self) -> int:
        """The HTTP status ClickHouse answers this code with."""
        return STATUS_BY_CODE.get(self.number, 500)

    def body(self, version: str) -> bytes:
        """The error text a ClickHouse server sends."""
        return (f"Code: {self.number}. DB::Exception: {self.message} ({self.name}) "
                f"(version {version})\n").encode()


def server_defaults(fmt: str) -> dict[str, str]:
    """The server defaults an answer in ``fmt`` needs (none but for JSON formats, so most
    statements cost no extra ``SET``)."""
    return dict(SERVER_DEFAULTS) if fmt.startswith("JSON") else {}


def parse_params(query_string: str) -> dict[str, str]:
    """The URL parameters (the last of a repeated name wins, as in ClickHouse)."""
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, strict_parsing=False,
                          max_num_fields=1000)
    except ValueError as exc:
        raise EngineFailure(36, "BAD_ARGUMENTS", "Too many URL parameters") from exc
    return dict(pairs)


def credentials(params: Mapping[str, str], headers: Mapping[str, str]) -> tuple[str, str]:
    """``(user, key)`` from ``X-ClickHouse-User/Key``, Basic auth or ``user``/``password``;
    two ways at once are refused, as ClickHouse does."""
    found: list[tuple[str, str]] = []
    if "HTTP_X_CLICKHOUSE_USER" in headers or "HTTP_X_CLICKHOUSE_KEY" in headers:
        found.append((headers.get("HTTP_X_CLICKHOUSE_USER", "default"),
                      headers.get("HTTP_X_CLICKHOUSE_KEY", "")))
    authorization = headers.get("HTTP_AUTHORIZATION", "")
    if authorization[:6].lower() == "basic ":
        try:
            user, _, key = base64.b64decode(authorization[6:].strip(),
                                            validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise EngineFailure(194, "REQUIRED_PASSWORD", "Invalid Basic authorization") \
                from exc
        found.append((user, key))
    if "user" in params or "password" in params:
        found.append((params.get("user", "default"), params.get("password", "")))
    if len(found) > 1:
        raise EngineFailure(516, "AUTHENTICATION_FAILED", "Credentials are given in more "
                                                          "than one way")
    # like ClickHouse: no credentials at all is the user ``default`` without a password
    return found[0] if found else ("default", "")


def split_format(sql: str, default: str) -> tuple[str, str]:
    """``(statement, format)``: a trailing ``FORMAT`` clause taken off, else ``default``."""
    match = _TRAILING_FORMAT.search(sql)
    if match is None:
        return _TRAILING_SEMICOLON.sub("", sql), default
    return sql[:match.start()], match.group(1)


def settings_of(params: Mapping[str, str]) -> dict[str, str]:
    """The ClickHouse settings among the URL parameters (not ``param_*``, not transport)."""
    return {name: value for name, value in params.items()
            if name not in TRANSPORT_PARAMS and not name.startswith("param_")}


def query_parameters(params: Mapping[str, str]) -> dict[str, str]:
    """The ``param_<name>`` values, by name."""
    return {name[6:]: value for name, value in params.items()
            if name.startswith("param_") and len(name) > 6}


def refusal(exc: BaseException) -> EngineFailure:
    """The ClickHouse-style failure of a refused request (an :class:`~lyceum.errors.AppError`
    of the services, by its code)."""
    code = getattr(exc, "code", "")
    message = getattr(exc, "user_message", "") or str(exc)
    number, name = {
        "not_authenticated": (516, "AUTHENTICATION_FAILED"),
        "rate_limited": (201, "QUOTA_EXCEEDED"),
        "query_refused": (497, "ACCESS_DENIED"),
        "validation_error": (62, "SYNTAX_ERROR"),
        "unknown_format": (73, "UNKNOWN_FORMAT"),
    }.get(code, (1001, "STD_EXCEPTION"))
    if code == "query_refused" and message.startswith("Cannot modify"):
        number, name = 164, "READONLY"
    return EngineFailure(number, name, message)
