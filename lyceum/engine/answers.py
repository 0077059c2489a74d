"""An answer on its way out: read ahead, streamed, or held back until the end."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

from data.engine_store import EngineError, ResultStream
from lyceum.engine.bodies import encoded
from lyceum.engine.protocol import EngineFailure

#: What an answer held back until the end (``wait_end_of_query=1``) keeps in memory.
SPOOL_IN_MEMORY = 8 * 1024 * 1024
#: An answer up to this size is sent whole, with its length, so the connection stays open
#: (waitress closes it after a streamed answer).
SMALL_ANSWER = 256 * 1024


class Answer:
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
            yield b"\n" + failure_of(exc).body(self.version)

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


def failure_of(exc: EngineError) -> EngineFailure:
    """The ClickHouse-style failure of an engine error."""
    return EngineFailure(exc.number, exc.name, exc.user_message)


def file_chunks(spool: Any) -> Iterator[bytes]:
    """A spooled answer in chunks; the spool is closed at the end."""
    try:
        while chunk := spool.read(1024 * 1024):
            yield chunk
    finally:
        spool.close()
