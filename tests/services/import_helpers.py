"""Helpers for import tests: a real cluster database and CSV bodies."""

from __future__ import annotations

from pathlib import Path

from data.analytics.ch_schema import schema_statements
from data.metadata.models import DatabaseCluster
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.imports.import_job import JobView, create_job, run_import

ACTOR = Actor(label="tester")
CURVE_HEADER = "serial,process,ts,idx,x,y,x_unit,y_unit,line,station,product,batch,result\n"
PART_HEADER = "serial,ts,line,station,product,batch,shift,result,first_pass,defect_mode\n"


def make_cluster(rt: Runtime, database: str, *, name: str | None = None,
                 schema: bool = True) -> int:
    """A running cluster row over a real database with the manufacturing schema."""
    for statement in schema_statements(database, fresh=True) if schema else []:
        rt.ch.command(statement)
    with rt.db.session() as session:
        cluster = DatabaseCluster(
            name=name or f"Plant {database}", database_name=database,
            cluster_type="manufacturing", region_code="local", status="running")
        session.add(cluster)
        session.flush()
        return cluster.id


def curve_rows(serials: int, points: int, *, start: int = 0) -> str:
    """Press-fit curves in the import format: ``serials`` curves of ``points`` samples."""
    lines = []
    for s in range(start, start + serials):
        for i in range(points):
            lines.append(f"S-{s:06d},press-fit,2026-11-20T08:{s % 60:02d}:00Z,{i},"
                         f"{i * 0.01:.3f},{i * 0.02:.3f},mm,kN,Line 1,OP10,Housing,B1,OK\n")
    return "".join(lines)


def import_bytes(rt: Runtime, cluster_id: int, tmp: Path, body: bytes, *,
                 kind: str = "curves", name: str = "data.csv",
                 mapping: dict[str, str] | None = None) -> JobView:
    """Write ``body`` to a file and run its import synchronously."""
    fmt = "parquet" if name.endswith(".parquet") else "csv"
    path = tmp / f"upload-{abs(hash(body)) % 10**9}.{fmt}"
    path.write_bytes(body)
    job = create_job(rt, cluster_id=cluster_id, actor=ACTOR, file_name=name, kind=kind,
                     fmt=fmt, path=path, mapping=mapping)
    return run_import(rt, job.id)


def table_count(rt: Runtime, database: str, table: str) -> int:
    """Rows in one of the cluster's tables."""
    return int(rt.ch.scalar(f"SELECT count() FROM {database}.{table}"))
