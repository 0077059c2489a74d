"""Streaming exports: chunks of bounded size, each format read back, formula cells
neutralised in CSV, a reader that goes away stops the worker, and the bounds refuse."""

from __future__ import annotations

import io
import threading

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from lyceum.errors import ValidationError
from services.core.runtime import Runtime
from services.explorer import export_stream
from services.explorer.state import ExplorerState
from tests.access_world import World
from tests.callbacks.explorer.test_view import world  # noqa: F401
from tests.waiting import wait_until


def test_chunks_hold_about_the_sample_budget_in_id_order() -> None:
    sizes = [(1, 100), (2, 100), (3, 300), (4, 50), (5, 50), (6, 1000), (7, 10)]
    chunks = export_stream.chunked(sizes, samples=250)
    assert chunks == [[1, 2], [3], [4, 5], [6], [7]]
    assert [c for chunk in chunks for c in chunk] == [cid for cid, _n in sizes]
    assert export_stream.chunked([], samples=10) == []


def _tables() -> list[pa.Table]:
    return [pa.table({"curve_id": pa.array([i, i], pa.uint64()),
                      "serial": pa.array([f"=HYPERLINK(\"x{i}\")", f"S{i}"]),
                      "line": pa.array([b"Line 1", b"Line 2"], pa.binary()),
                      "idx": pa.array([0, 1], pa.uint16()),
                      "x": pa.array([0.5, 1.5], pa.float32()),
                      "y": pa.array([2.0, 3.0], pa.float32())}) for i in range(3)]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "arrow"])
def test_every_format_reads_back_whole(fmt: str) -> None:
    sink = io.BytesIO()
    export_stream.write(fmt, iter(_tables()), sink)
    data = sink.getvalue()
    if fmt == "csv":
        frame = pl.read_csv(io.BytesIO(data))
        assert frame["serial"][0] == "'=HYPERLINK(\"x0\")"  # never run as a formula
    elif fmt == "parquet":
        frame = pl.read_parquet(io.BytesIO(data))
        assert frame["serial"][0] == "=HYPERLINK(\"x0\")"  # data formats keep the value
    else:
        found = pl.from_arrow(ipc.open_stream(pa.BufferReader(data)).read_all())
        assert isinstance(found, pl.DataFrame)
        frame = found
    assert frame.height == 6 and frame["curve_id"].to_list() == [0, 0, 1, 1, 2, 2]
    assert frame["line"].to_list()[:2] == ["Line 1", "Line 2"]  # text, not bytes


def test_bad_formats_are_refused() -> None:
    for fmt in ("xlsx", "", None, "CSV", "../csv"):
        with pytest.raises(ValidationError) as caught:
            export_stream.check_format(fmt)
        assert caught.value.user_message == "format: one of csv, parquet, arrow."


def test_a_reader_that_stops_stops_the_worker(mod_runtime: Runtime, world: World,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_stream, "PIECE_BYTES", 512)
    monkeypatch.setattr(export_stream, "CHUNK_SAMPLES", 5_000)
    before = threading.active_count()
    started = export_stream.stream(mod_runtime, world.a, ExplorerState(process="press-fit"),
                                   fmt="csv")
    assert started.n_curves > 10 and started.n_samples > 10_000
    first = next(started.pieces)
    assert first.startswith(b'"curve_id","part_id","serial"')
    assert mod_runtime.pools.running("exports", world.a) == 1
    started.pieces.close()  # type: ignore[attr-defined]
    wait_until(lambda: mod_runtime.pools.running("exports", world.a) == 0, within=10,
               message="the export worker kept running after its reader went away")
    assert threading.active_count() <= before + export_stream_workers(mod_runtime)


def export_stream_workers(runtime: Runtime) -> int:
    """Threads the exports pool may have started."""
    return runtime.settings.pools.exports


def test_too_large_a_set_is_refused_before_anything_runs(
        mod_runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(export_stream, "MAX_SAMPLES", 1000)
    with pytest.raises(ValidationError) as caught:
        export_stream.stream(mod_runtime, world.a, ExplorerState(process="press-fit"),
                             fmt="parquet")
    assert "narrow the filters" in caught.value.user_message
    assert mod_runtime.pools.running("exports", world.a) == 0
