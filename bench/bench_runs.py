"""Results of bench runs kept beside docs/benchmarks.md (one JSON file per bench), so a
section can show rows measured by different runs (one size per run, when a size takes an
hour) without losing the rows it does not measure again. Each row says which run it came
from (``run``: UTC time; ``load``: the load average at its start and end)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from benchdoc import DOC


def runs_file(name: str, *, doc: Path = DOC) -> Path:
    """The results file of bench ``name`` (``docs/benchmarks-<name>.json``)."""
    return doc.parent / f"benchmarks-{name}.json"


def stamp(result: dict[str, Any], *, load_at_start: float) -> dict[str, Any]:
    """``result`` with the run's time (now, UTC) and the load average at its start and
    now."""
    return {**result, "run": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load": [round(load_at_start, 1), round(os.getloadavg()[0], 1)]}


def load(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Every kept row: kind → curves (as text) → result (``{}`` when there is no file)."""
    if not path.exists():
        return {}
    found = json.loads(path.read_text())
    if not isinstance(found, dict) or not all(isinstance(v, dict) for v in found.values()):
        raise ValueError(f"{path}: expected an object of kinds, each an object of results")
    return found


def keep(path: Path, kind: str, result: dict[str, Any]) -> None:
    """Keep ``result`` (it has ``n``, the curve count) as the ``kind`` row of its size,
    replacing that size's earlier row and keeping the others."""
    if not isinstance(result.get("n"), int) or result["n"] <= 0:
        raise ValueError("a result needs its curve count as a positive integer 'n'")
    kept = load(path)
    kept.setdefault(kind, {})[str(result["n"])] = result
    path.write_text(json.dumps(kept, indent=1, sort_keys=True, default=list) + "\n")


def rows(path: Path, kind: str) -> list[dict[str, Any]]:
    """The kept ``kind`` rows, fewest curves first."""
    return sorted(load(path).get(kind, {}).values(), key=lambda r: int(r["n"]))
