"""Reading one step ahead in a thread: order, errors, early exit and the depth bound."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from services.core.read_ahead import read_ahead
from tests.waiting import wait_until


def test_items_come_in_order_and_all_of_them() -> None:
    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))
    assert list(read_ahead(iter([]))) == []


def test_an_error_in_the_producer_is_raised_to_the_reader_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise LookupError("the source broke")

    seen: list[int] = []
    with pytest.raises(LookupError, match="the source broke"):
        for item in read_ahead(items()):
            seen.append(item)
    assert seen == [1, 2]


def test_the_producer_runs_at_most_depth_items_ahead_and_stops_when_the_reader_leaves() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for n in range(1_000):
            produced.append(n)
            yield n

    reader = read_ahead(items(), depth=2)
    assert next(reader) == 0
    # one item handed over, two waiting in the queue, one held by the blocked producer
    wait_until(lambda: len(produced) == 4, within=5, message="the producer did not fill up")
    assert len(produced) == 4
    reader.close()  # leaving early stops and joins the producer thread
    assert not [t for t in threading.enumerate() if t.name == "lyceum-read-ahead"]
    assert len(produced) == 4
