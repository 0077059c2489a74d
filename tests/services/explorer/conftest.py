"""A hand-made process for the explorer's service tests (shared by their modules): seven
curves on one line, four rising OK ones, one flat NOK, one rising NOK, one flat OK."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from services.core.runtime import Runtime
from services.explorer.state import EvalObject
from tests.access_world import register_cluster

DB = "analysis_known"
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
#: curve id -> (recorded result, shape): ``rise`` is y = x, ``flat`` is y = 0.2.
CURVES = {1: ("OK", "rise"), 2: ("OK", "rise"), 3: ("OK", "rise"), 4: ("OK", "rise"),
          5: ("NOK", "flat"), 6: ("NOK", "rise"), 7: ("OK", "flat")}
#: A curve crossing y = 0.5 going up passes; a flat one never does.
CROSS = EvalObject(kind="threshold", name="crosses half", x0=0.0, x1=1.0, y0=0.5, y1=0.5)
CURVE_COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station",
                 "product", "batch", "result", "defect_mode", "x_name", "x_unit", "y_name",
                 "y_unit", "n_points", "x_min", "x_max", "y_min", "y_max"]


@pytest.fixture(scope="module")
def known_db(ch: ClickHouse) -> Iterator[str]:
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    for statement in schema_statements(DB, tiered=False, with_ttl=False, fresh=True):
        ch.command(statement)
    x = np.linspace(0.0, 1.0, 600)  # more points than bins: no empty bin
    curves, samples = [], []
    for cid, (result, shape) in CURVES.items():
        y = x if shape == "rise" else np.full_like(x, 0.2)
        ts = T0 + timedelta(minutes=cid)
        curves.append((cid, cid, f"S{cid}", ts, "press", "L1", "ST1", "P", "B", result,
                       "" if result == "OK" else "burr", "travel", "mm", "force", "kN",
                       len(x), 0.0, 1.0, float(y.min()), float(y.max())))
        samples += [(cid, ts, "press", i, float(a), float(b))
                    for i, (a, b) in enumerate(zip(x, y, strict=True))]
    ch.insert_rows("curves", curves, database=DB, column_names=CURVE_COLUMNS)
    ch.insert_rows("curve_samples", samples, database=DB,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    yield DB
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture(scope="module")
def cluster_id(mod_runtime: Runtime, known_db: str) -> int:
    return register_cluster(mod_runtime, known_db)
