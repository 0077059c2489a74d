"""A crash at 10 %, 50 % and 90 % of an import leaves nothing, and the file imports again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import ROOT, EngineProcess
from tests.services.import_child import POINTS, SERIALS


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineProcess]:
    """An engine service of the test's own, over the instance the children use."""
    process = EngineProcess(tmp_path / "instance")
    process.start()
    yield process
    process.stop()


def _child(engine: EngineProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LYCEUM_ENGINE_PORT": str(engine.port),
           "LYCEUM_ENGINE_KEY": engine.key}
    return subprocess.run([sys.executable, "-m", "tests.services.import_child",
                           str(engine.instance), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("fraction", ["0.1", "0.5", "0.9"])
def test_killed_import_leaves_no_rows_and_reimports(engine: EngineProcess, fraction: str) -> None:
    setup = _child(engine, "setup")
    assert setup.returncode == 0, setup.stderr
    killed = _child(engine, "kill", fraction)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    done = _child(engine, "recover")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["recovered"] == 1
    # the crash left a staging table; at 90 % the copy into curves had already run
    assert seen["before"]["stages"] == 2  # samples and per-curve staging tables
    assert seen["before"]["samples"] == 0
    assert seen["before"]["curves"] == (SERIALS if fraction == "0.9" else 0)
    assert seen["failed"]["status"] == "failed"
    assert seen["failed"]["message"].startswith("The import was interrupted")
    assert seen["after_crash"] == {"curves": 0, "samples": 0, "stages": 0}
    assert seen["reimport"] == "done"
    assert seen["after_reimport"] == {"curves": SERIALS, "samples": SERIALS * POINTS,
                                      "stages": 0}
