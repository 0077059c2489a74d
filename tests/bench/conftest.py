"""The bench scripts import one another as top-level modules (each puts ``bench/`` on the
path, as ``python bench/<script>.py`` does); their tests do the same."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
