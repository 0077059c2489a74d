"""A separate process for the crash tests, killed with SIGKILL mid-import; the engine service
it reaches over HTTP (named by ``LYCEUM_ENGINE_PORT``/``LYCEUM_ENGINE_KEY``) lives on.

``python -m tests.services.import_child <instance> setup|kill <fraction>|recover``
prints one JSON line with what it saw.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from lyceum.settings import load_settings
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.imports import file_format
from services.imports.import_job import create_job, get_job, recover_imports, run_import
from tests.services.import_helpers import CURVE_HEADER, curve_rows, make_cluster, table_count

DATABASE = "crash_plant"
SERIALS, POINTS = 400, 100


def _runtime(instance: Path) -> Runtime:
    engine = {name: os.environ[name] for name in ("LYCEUM_ENGINE_PORT", "LYCEUM_ENGINE_KEY")}
    settings = load_settings({"LYCEUM_INSTANCE": str(instance), "LYCEUM_DEMO": "off", **engine})
    rt = Runtime.open(settings)
    rt.db.migrate()
    return rt


def _start(rt: Runtime, instance: Path) -> int:
    path = instance / "upload.csv"
    path.write_text(CURVE_HEADER + curve_rows(SERIALS, POINTS))
    job = create_job(rt, cluster_id=1, actor=Actor(label="crash"), file_name="plant.csv",
                     kind="curves", fmt="csv", path=path)
    return job.id


def _counts(rt: Runtime) -> dict[str, int]:
    stages = rt.ch.scalar("SELECT count() FROM system.tables WHERE database = {d:String} "
                          "AND startsWith(name, 'import_stage_')", parameters={"d": DATABASE})
    return {"curves": table_count(rt, DATABASE, "curves"),
            "samples": table_count(rt, DATABASE, "curve_samples"), "stages": int(stages)}


def main(instance: Path, mode: str, arg: str = "") -> dict[str, object]:
    """Run one step of the crash scenario."""
    rt = _runtime(instance)
    if mode == "setup":
        return {"cluster": make_cluster(rt, DATABASE), **_counts(rt)}
    if mode == "kill":
        fraction = float(arg)
        file_format.CSV_BLOCK_BYTES = 64 * 1024
        job_id = _start(rt, instance)

        def hook(value: float) -> None:
            if value >= fraction:
                os.kill(os.getpid(), signal.SIGKILL)
        run_import(rt, job_id, on_progress=hook)
        return {"error": "not killed"}
    before = _counts(rt)
    recovered = recover_imports(rt)
    with rt.db.session() as session:
        from data.metadata.imports import list_imports

        last = list_imports(session, cluster_id=1, limit=1)[0]
        failed = {"id": last.id, "status": last.status, "message": last.message}
    after_crash = _counts(rt)
    job = run_import(rt, _start(rt, instance))
    return {"before": before, "recovered": recovered, "failed": failed, "after_crash": after_crash,
            "reimport": get_job(rt, cluster_id=1, job_id=job.id).status,
            "after_reimport": _counts(rt)}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2], *sys.argv[3:])))  # noqa: T201
