"""An answer read ahead when small, streamed when large, spooled when held back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from data.analytics.engine_store import EngineError, EngineStore
from lyceum.engine.answers import SMALL_ANSWER, Answer, file_chunks


@pytest.fixture(scope="module")
def store(chdb_root: Path) -> Iterator[EngineStore]:
    """The store on the session engine's data path."""
    engine = EngineStore(chdb_root)
    engine.open()
    yield engine
    engine.close()


def test_a_small_answer_is_read_whole_and_reported_once(store: EngineStore) -> None:
    outcomes: list[tuple[str, str]] = []
    answer = Answer(store.stream("SELECT 1", fmt="CSV"), None,
                    lambda *done: outcomes.append(done), "v")
    head, complete = answer.head(SMALL_ANSWER)
    answer.close()
    answer.close()
    assert (b"".join(head), complete, outcomes) == (b"1\n", True, [("success", "")])


def test_a_large_answer_streams_and_a_late_error_ends_it(store: EngineStore) -> None:
    outcomes: list[tuple[str, str]] = []
    answer = Answer(store.stream("SELECT throwIf(number = 200000) FROM numbers(300000)",
                                 fmt="CSV", settings={"max_block_size": "10000"}),
                    None, lambda *done: outcomes.append(done), "v")
    head, complete = answer.head(1000)
    assert not complete
    answer.held = head
    body = b"".join(answer)
    answer.close()
    assert body.rstrip().splitlines()[-1].startswith(b"Code: 395.")
    assert outcomes == [("failure", "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO")]


def test_a_held_answer_is_spooled_or_fails_whole(store: EngineStore) -> None:
    answer = Answer(store.stream("SELECT number FROM numbers(100000)", fmt="CSV"), None,
                    lambda *_: None, "v")
    head, _ = answer.head(1000)
    assert b"".join(file_chunks(answer.spooled(head))).count(b"\n") == 100_000
    failing = Answer(store.stream("SELECT throwIf(number = 90000) FROM numbers(100000)",
                                  fmt="CSV", settings={"max_block_size": "10000"}),
                     None, lambda *_: None, "v")
    with pytest.raises(EngineError):
        failing.spooled(failing.head(10)[0])
    failing.close()
