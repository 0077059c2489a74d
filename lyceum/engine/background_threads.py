"""The engine's own background threads (merges, moves between tiers, clean-up) at the lowest
CPU priority, like a cluster's background statements (decision 0014).

Statements say their priority (``os_thread_priority``), but the engine's merges run on
threads of its own, at the priority the process started with. Under sustained ingest they
took up to 40 % of the CPU at nice 0, above the dashboard's queries (nice 10): the refresh
waited on merges. These threads only ever do background work (ClickHouse names them by their
executor), so the service lowers their priority when it finds them, and looks again every
:data:`EVERY_S` seconds for threads started since. They still take every idle cycle.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

#: ClickHouse's names (``comm``) of threads that run only background work: the merge and
#: mutation executor, moves between storage tiers, common clean-up, the schedule pool.
BACKGROUND_NAMES: tuple[str, ...] = ("MergeMutate", "Move", "Common", "BgSchPool")
#: Seconds between two looks for new background threads.
EVERY_S = 5.0
TASKS = Path("/proc/self/task")


def background_threads(tasks: Path = TASKS,
                       names: Iterable[str] = BACKGROUND_NAMES) -> list[int]:
    """The ids of this process's threads whose name starts with one of ``names``."""
    wanted = tuple(names)
    found = []
    for task in tasks.iterdir():
        try:
            name = (task / "comm").read_text().strip()
        except OSError:  # the thread ended meanwhile
            continue
        if name.startswith(wanted):
            found.append(int(task.name))
    return found


def lower_background_threads(nice: int, tasks: Path = TASKS) -> int:
    """Give every background thread of the engine the priority ``nice``; how many changed."""
    changed = 0
    for tid in background_threads(tasks):
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) != nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
                changed += 1
        except OSError:  # ended meanwhile, or not allowed: the threads keep their priority
            continue
    return changed


def keep_background_threads_low(nice: int, *, every_s: float = EVERY_S) -> threading.Event:
    """Lower the background threads now and every ``every_s`` seconds in a daemon thread,
    until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                lower_background_threads(nice)
            except OSError:
                log.exception("could not lower the engine's background threads")
            if stop.wait(every_s):
                return

    threading.Thread(target=loop, name="lyceum-bg-nice", daemon=True).start()
    return stop
