"""Request bodies inflated with a bound, answers compressed on the fly."""

from __future__ import annotations

import gzip
import io
import zlib

import lz4.frame
import pytest

from lyceum.engine.bodies import decoded, encoded, read_body, response_encoding, zstd
from lyceum.engine.protocol import EngineFailure

DATA = b"1,2,three\n" * 50_000
PACK = {"gzip": gzip.compress, "deflate": zlib.compress, "zstd": zstd.compress,
        "lz4": lz4.frame.compress}
UNPACK = {"gzip": gzip.decompress, "deflate": zlib.decompress, "zstd": zstd.decompress,
          "lz4": lz4.frame.decompress}


def _chunks(data: bytes, size: int = 4096) -> list[bytes]:
    return [data[at:at + size] for at in range(0, len(data), size)]


@pytest.mark.parametrize("encoding", sorted(PACK))
def test_each_encoding_inflates_across_chunks_and_frames(encoding: str) -> None:
    body = PACK[encoding](DATA[:100_000]) + PACK[encoding](DATA[100_000:])
    assert b"".join(decoded(_chunks(body), encoding, limit=len(DATA))) == DATA


@pytest.mark.parametrize("encoding", sorted(PACK))
def test_a_bomb_stops_at_the_bound(encoding: str) -> None:
    bomb = PACK[encoding](b"\0" * 50_000_000)
    assert len(bomb) < 300_000
    produced = 0
    with pytest.raises(EngineFailure) as found:
        for piece in decoded([bomb], encoding, limit=1_000_000):
            produced += len(piece)
    assert found.value.number == 307 and produced <= 1_000_000


@pytest.mark.parametrize("encoding", sorted(PACK))
def test_broken_or_cut_data_is_refused(encoding: str) -> None:
    with pytest.raises(EngineFailure) as found:
        list(decoded([b"definitely not compressed"], encoding, limit=10**6))
    assert found.value.name == "CANNOT_DECOMPRESS"
    with pytest.raises(EngineFailure):
        list(decoded([PACK[encoding](DATA)[:-20]], encoding, limit=10**7))


def test_an_unknown_encoding_is_refused_and_identity_passes() -> None:
    with pytest.raises(EngineFailure) as found:
        list(decoded([b"x"], "br", limit=10))
    assert found.value.number == 48
    assert list(decoded([b"ab", b"c"], "identity", limit=10)) == [b"ab", b"c"]


def test_a_body_beyond_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(EngineFailure):
        list(read_body(io.BytesIO(b"x" * 100), 100, limit=99))
    assert b"".join(read_body(io.BytesIO(b"x" * 100), 100, limit=100)) == b"x" * 100


@pytest.mark.parametrize("encoding", sorted(PACK))
def test_answers_compress_as_they_stream(encoding: str) -> None:
    assert UNPACK[encoding](b"".join(encoded(_chunks(DATA), encoding))) == DATA


def test_the_clients_preference_picks_the_encoding() -> None:
    assert response_encoding("br, zstd;q=0.9, gzip") == "zstd"
    assert response_encoding("br") is None
