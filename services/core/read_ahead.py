"""Run an iterator one step ahead in a thread, so reading overlaps with writing."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def read_ahead(items: Iterator[T], *, depth: int = 2) -> Generator[T, None, None]:
    """Yield ``items``, produced by a background thread at most ``depth`` items ahead.

    An exception in the producer is raised here; leaving the loop early stops the producer.
    """
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(("error", exc))

    thread = threading.Thread(target=produce, name="lyceum-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()
