"""Where a request's statement is: the URL, the body, or both (and the INSERT's data)."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from itertools import chain

from lyceum.engine.protocol import EngineFailure
from services.gateway.engine_statements import split_insert

#: Longest statement text (the query, or a body that holds the query) the service reads.
MAX_QUERY_BYTES = 1024 * 1024


def statement_and_data(query: str | None, body: Iterator[bytes]) -> tuple[str, Iterator[bytes]]:
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


def is_form(content_type: str) -> bool:
    """Whether a request body is ``multipart/form-data`` (clickhouse-connect sends the query
    and its ``param_*`` values so once they are too long for the URL, as ClickHouse allows)."""
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def form_fields(content_type: str, body: Iterator[bytes]) -> dict[str, str]:
    """The ``query`` and ``param_<name>`` fields of a ``multipart/form-data`` body (already
    bounded by the caller); any other field, a file, or a body that does not parse is refused
    and nothing runs."""
    raw, size = [], 0
    for chunk in body:
        size += len(chunk)
        if size > MAX_QUERY_BYTES:
            raise _too_long()
        raw.append(chunk)
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + b"".join(raw))
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise EngineFailure(62, "SYNTAX_ERROR", "The form data could not be read")
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or part.get_filename() is not None \
                or not isinstance(payload, bytes) \
                or not (name == "query" or (name.startswith("param_") and len(name) > 6)):
            raise EngineFailure(62, "SYNTAX_ERROR", "Only the query and param_<name> fields "
                                "are read from form data")
        fields[name] = payload.decode("utf-8", "surrogateescape")
    return fields
