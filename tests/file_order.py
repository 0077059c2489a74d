"""The order in which the suite's test files are handed to pytest-xdist's processes: the
longest first, so that no long file starts last and runs alone while the other process has
nothing left (decision 0021).

pytest-xdist (``--dist loadfile``) gives each free process the next file of the collection.
Its default order (``--loadscope-reorder``: files with the most tests first) put the browser
files, few tests of a minute each, at the end. The costs are each file's seconds in a whole
run, kept in ``file_costs.json``; a file that is not there counts :data:`UNKNOWN_COST_S`.
Refresh them from a run's ``--durations=0`` output with
``python -m tests.file_order <pytest output> [more outputs…]``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

COSTS = Path(__file__).with_name("file_costs.json")
#: What a file missing from the costs counts (seconds): about a unit test file's.
UNKNOWN_COST_S = 2.0
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s (?:call|setup|teardown)\s+(\S+?)::")


class _Item(Protocol):
    @property
    def nodeid(self) -> str: ...


Item = TypeVar("Item", bound=_Item)


def file_of(nodeid: str) -> str:
    """The test file of a node id (``tests/x/test_y.py::test_z[1]`` → ``tests/x/test_y.py``)."""
    return nodeid.split("::", 1)[0]


def load_costs(path: Path = COSTS) -> dict[str, float]:
    """The recorded seconds per test file (none when the file is missing)."""
    if not path.exists():
        return {}
    return {str(name): float(seconds) for name, seconds in json.loads(path.read_text()).items()}


def longest_first(items: Sequence[Item], costs: dict[str, float]) -> list[Item]:
    """``items`` with their files in descending cost (ties: collection order); the tests of
    a file stay together and in their order."""
    files: dict[str, list[Item]] = {}
    for item in items:
        files.setdefault(file_of(item.nodeid), []).append(item)
    order = sorted(files, key=lambda name: -costs.get(name, UNKNOWN_COST_S))
    return [item for name in order for item in files[name]]


def costs_from_durations(lines: Iterable[str]) -> dict[str, float]:
    """Seconds per test file, summed over the setup, call and teardown lines of pytest's
    ``--durations=0`` report."""
    costs: dict[str, float] = {}
    for line in lines:
        found = _DURATION.match(line.strip())
        if found:
            name = found.group(2)
            costs[name] = costs.get(name, 0.0) + float(found.group(1))
    return costs


def main(argv: Sequence[str]) -> int:
    """Write ``file_costs.json`` from the pytest outputs named in ``argv``."""
    if not argv:
        sys.stderr.write("usage: python -m tests.file_order <pytest --durations=0 output> …\n")
        return 2
    costs: dict[str, float] = {}
    for name in argv:
        with open(name, encoding="utf-8") as lines:
            for test_file, seconds in costs_from_durations(lines).items():
                costs[test_file] = max(costs.get(test_file, 0.0), seconds)
    ordered = dict(sorted(((k, round(v, 1)) for k, v in costs.items()), key=lambda kv: -kv[1]))
    COSTS.write_text(json.dumps(ordered, indent=1) + "\n")
    sys.stdout.write(f"{len(ordered)} files, {sum(ordered.values()):.0f} s in all → {COSTS}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
