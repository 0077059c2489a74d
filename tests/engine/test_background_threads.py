"""The engine's merges and other background threads run at the lowest CPU priority."""

from __future__ import annotations

import os
import time
from pathlib import Path

import clickhouse_connect

from lyceum.engine.background_threads import (
    BACKGROUND_NAMES,
    EVERY_S,
    background_threads,
    lower_background_threads,
)
from services.clusters.query_session import BACKGROUND_NICE
from tests.servers import EngineProcess


def _task(tasks: Path, tid: int, name: str) -> None:
    (tasks / str(tid)).mkdir()
    (tasks / str(tid) / "comm").write_text(name + "\n")


def test_background_threads_are_found_by_their_engine_names(tmp_path: Path) -> None:
    for tid, name in [(11, "MergeMutate"), (12, "QueryPipelineEx"), (13, "python"),
                      (14, "BgSchPool"), (15, "Move"), (16, "Common"), (17, "ThreadPool")]:
        _task(tmp_path, tid, name)
    (tmp_path / "18").mkdir()  # a thread that ended between the listing and the read
    assert sorted(background_threads(tmp_path)) == [11, 14, 15, 16]
    assert "QueryPipelineEx" not in BACKGROUND_NAMES


def test_lowering_a_thread_that_ended_changes_nothing(tmp_path: Path) -> None:
    _task(tmp_path, 2**22 + 7, "MergeMutate")  # above any thread id of this machine
    assert lower_background_threads(BACKGROUND_NICE, tmp_path) == 0


def _nices(pid: int) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            nice = int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
        except OSError:
            continue
        found.setdefault(name, set()).add(nice)
    return found


def test_the_engine_merges_at_the_lowest_priority(tmp_path: Path) -> None:
    """A real engine merges two parts: the merge threads are at nice 19 (within one look),
    the threads that serve requests are not lowered."""
    engine = EngineProcess(tmp_path / "instance")
    engine.start()
    try:
        client = clickhouse_connect.get_client(host="127.0.0.1", port=engine.port,
                                               username="lyceum_app", password=engine.key)
        client.command("CREATE TABLE default.parts (a UInt32) ENGINE = MergeTree ORDER BY a")
        for start in (0, 1000):
            client.command(f"INSERT INTO default.parts SELECT number + {start} "
                           "FROM numbers(1000)")
        client.command("OPTIMIZE TABLE default.parts FINAL")
        assert engine.proc is not None
        deadline = time.monotonic() + 3 * EVERY_S
        while True:
            nices = _nices(engine.proc.pid)
            merges = nices.get("MergeMutate", set())
            if merges == {BACKGROUND_NICE} or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert merges == {BACKGROUND_NICE}, nices
        # the threads the service serves requests on carry the process's own name
        # ("python", "python3": whichever executable started it)
        own = Path(f"/proc/{engine.proc.pid}/comm").read_text().strip()
        assert nices[own] == {os.getpriority(os.PRIO_PROCESS, 0)}, nices
    finally:
        engine.stop()
