"""Request bodies in and answers out: reading, decompressing and compressing, bounded.

Request bodies may be compressed as clickhouse-connect sends them (``Content-Encoding``
gzip, deflate, zstd or lz4; concatenated frames or members allowed); they are inflated chunk
by chunk and stop at a bound, so a small "bomb" cannot fill the memory. Answers are
compressed on the fly when the client asked (``enable_http_compression=1`` and
``Accept-Encoding``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Protocol

import lz4.frame

from lyceum.engine.protocol import EngineFailure

try:  # Python 3.14 has zstd in the standard library; before, clickhouse-connect's backport
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd  # type: ignore[import-not-found,no-redef,unused-ignore]

READ_CHUNK = 1024 * 1024
#: Bytes one decompression step may produce (the bound is checked between steps).
STEP = 1024 * 1024
ENCODINGS = ("gzip", "deflate", "zstd", "lz4")


class _Decoder(Protocol):
    eof: bool
    unused_data: bytes

    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


def read_body(stream: IO[bytes], length: int, *, limit: int) -> Iterator[bytes]:
    """The request body in chunks; more than ``limit`` bytes is refused."""
    if length > limit:
        raise too_large(limit)
    left = length
    while left > 0:
        chunk = stream.read(min(READ_CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
        yield chunk


def too_large(limit: int) -> EngineFailure:
    """The failure for a body beyond ``limit`` bytes."""
    return EngineFailure(307, "TOO_MANY_BYTES", f"The request body is larger than {limit:,} "
                                                "bytes")


def decoded(chunks: Iterable[bytes], encoding: str, *, limit: int) -> Iterator[bytes]:
    """``chunks`` inflated from ``encoding`` (``""``/``identity`` pass through), at most
    ``limit`` bytes; a broken or unknown encoding is refused."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        source: Iterator[bytes] = iter(chunks)
    elif name in ("gzip", "x-gzip", "deflate"):
        source = _zlib_members(chunks, 16 + zlib.MAX_WBITS if "gzip" in name else zlib.MAX_WBITS)
    elif name == "zstd":
        source = _frames(chunks, zstd.ZstdDecompressor, name)
    elif name == "lz4":
        source = _frames(chunks, lz4.frame.LZ4FrameDecompressor, name)
    else:
        raise EngineFailure(48, "NOT_IMPLEMENTED", f"Unknown Content-Encoding "
                                                   f"'{encoding[:40]}' (use one of "
                                                   f"{', '.join(ENCODINGS)})")
    total = 0
    for piece in source:
        total += len(piece)
        if total > limit:
            raise EngineFailure(307, "TOO_MANY_BYTES",
                                f"The decompressed request body is larger than {limit:,} bytes")
        yield piece


def _broken(name: str) -> EngineFailure:
    return EngineFailure(271, "CANNOT_DECOMPRESS", f"The request body is not valid {name} data")


def _zlib_members(chunks: Iterable[bytes], wbits: int) -> Iterator[bytes]:
    decoder = zlib.decompressobj(wbits)
    fed = False
    try:
        for chunk in chunks:
            data = chunk
            while data:
                fed = True
                out = decoder.decompress(data, STEP)
                if out:
                    yield out
                if decoder.eof:
                    data, decoder, fed = decoder.unused_data, zlib.decompressobj(wbits), False
                else:
                    data = decoder.unconsumed_tail
        if fed and not decoder.eof:
            raise _broken("gzip" if wbits > zlib.MAX_WBITS else "deflate")
    except zlib.error as exc:
        raise _broken("gzip" if wbits > zlib.MAX_WBITS else "deflate") from exc


def _frames(chunks: Iterable[bytes], make: Callable[[], Any], name: str) -> Iterator[bytes]:
    decoder: Any = make()
    fed = False
    try:
        for chunk in chunks:
            data = chunk
            while True:
                fed = fed or bool(data)
                out = decoder.decompress(data, STEP)
                data = b""
                if out:
                    yield out
                if decoder.eof:
                    data, decoder, fed = decoder.unused_data, make(), False
                    if not data:
                        break
                elif decoder.needs_input:
                    break
        if fed and not decoder.eof:
            raise _broken(name)
    except (RuntimeError, EOFError, ValueError, zstd.ZstdError) as exc:
        raise _broken(name) from exc


def response_encoding(accept: str) -> str | None:
    """The first encoding of ``Accept-Encoding`` this service writes (client's order)."""
    for part in accept.split(","):
        name = part.split(";", 1)[0].strip().lower()
        if name in ENCODINGS:
            return name
    return None


def encoded(chunks: Iterable[bytes], encoding: str | None) -> Iterator[bytes]:
    """``chunks`` compressed with ``encoding`` as they come (``None``: unchanged)."""
    if encoding is None:
        yield from chunks
        return
    compress, finish = _encoder(encoding)
    for chunk in chunks:
        out = compress(chunk)
        if out:
            yield out
    yield finish()


def _encoder(encoding: str) -> tuple[Callable[[bytes], bytes], Callable[[], bytes]]:
    if encoding in ("gzip", "deflate"):
        gz = zlib.compressobj(3, zlib.DEFLATED,
                              16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
        return gz.compress, gz.flush
    if encoding == "zstd":
        zs = zstd.ZstdCompressor()
        return zs.compress, zs.flush
    frame = lz4.frame.LZ4FrameCompressor()
    started: list[bytes] = [frame.begin()]

    def compress(data: bytes) -> bytes:
        head = started.pop() if started else b""
        return head + frame.compress(data)

    def finish() -> bytes:
        head = started.pop() if started else b""
        return head + frame.flush()
    return compress, finish
