"""The deployment duty keeping density partials current: the tables are added to a cluster
made before they existed, imported curves are built inline, a cluster that already holds
many curves is backfilled as an operation with progress, and the explorer then draws from
the partials."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from data.analytics.curves import CurveQuery
from services.clusters import operations
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.explorer import curve_queries, partials, partials_follower, population
from services.explorer import view as explorer_view
from services.explorer.state import ExplorerState
from tests import plants
from tests.services.import_helpers import import_bytes, make_cluster
from tests.waiting import wait_until

RIVETING = (plants.process("riveting"),)


def _grid_curves(rt: Runtime, cluster_id: int) -> int:
    grid = partials.ready_grid(for_cluster(rt, cluster_id), "riveting")
    return grid.curves if grid is not None else 0


def _with_riveting(rt: Runtime, ch_database: str, tmp_path: Path, *, curves: int) -> int:
    """A new cluster holding ``curves`` imported riveting curves; its id."""
    cluster_id = make_cluster(rt, ch_database)
    table = plants.curve_table(curves=curves, processes=RIVETING)
    assert import_bytes(rt, cluster_id, tmp_path, plants.to_csv(table)).status == "done"
    return cluster_id


def test_an_old_cluster_gets_the_tables_and_imported_curves_their_partials(
        runtime: Runtime, ch_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    for table in ("density_months_mv", "density_months", "density_partials",
                  "density_grids"):  # a cluster made before them
        runtime.ch.command(f"DROP TABLE {ch_database}.{table}")
    table = plants.curve_table(curves=5, processes=RIVETING)
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(table)).status == "done"
    clock = [1000.0]
    follower = partials_follower.PartialsFollower(runtime, clock=lambda: clock[0])
    follower.work()
    assert _grid_curves(runtime, cluster_id) == 5  # no grid yet: built at once
    [item] = partials_follower.due(for_cluster(runtime, cluster_id))
    assert not item.behind

    more = plants.curve_table(curves=3, processes=RIVETING, serial_prefix="TN", seed=5)
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(more)).status == "done"
    follower.work()
    assert _grid_curves(runtime, cluster_id) == 5  # a few new curves wait to settle
    monkeypatch.setattr(population, "MAX_SAMPLES", 1)  # as if too big to hold
    dens = curve_queries.density(for_cluster(runtime, cluster_id),
                                 CurveQuery(process="riveting"), color_by="result",
                                 x_range=None, y_range=None, width=400, height=200)
    assert dens.stored_cells is not None and dens.n_curves == 8  # drawn from their samples
    clock[0] += partials_follower.SETTLE_S - 1
    follower.work()
    assert _grid_curves(runtime, cluster_id) == 5
    clock[0] += 1
    follower.work()
    assert _grid_curves(runtime, cluster_id) == 8


def test_a_cluster_holding_many_curves_is_backfilled_as_an_operation(
        runtime: Runtime, ch_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster_id = _with_riveting(runtime, ch_database, tmp_path, curves=6)
    monkeypatch.setattr(partials_follower, "OPERATION_CURVES", 2)
    monkeypatch.setattr(partials, "CHUNK_CURVES", 2)  # progress in three steps
    partials_follower.PartialsFollower(runtime).work()

    def ended() -> operations.OperationView | None:
        found = operations.latest(runtime, cluster_id)
        return found if found is not None and not found.running else None
    done = wait_until(ended, within=120, message="the backfill did not end")
    assert done is not None
    assert (done.kind, done.state, done.done, done.total) == ("density", "done", 6, 6)
    assert done.message == "Density partials of riveting built from 6 curves."
    assert done.label == "Density partials build"
    assert _grid_curves(runtime, cluster_id) == 6

    monkeypatch.setattr(population, "MAX_SAMPLES", 1)  # as if too big to hold
    session = for_cluster(runtime, cluster_id)
    dens = curve_queries.density(session, CurveQuery(process="riveting"), color_by="result",
                                 x_range=None, y_range=None, width=400, height=200)
    assert dens.stored_cells is not None and dens.n_curves == 6
    assert sum(float(img.sum()) for img in dens.images) > 0


@pytest.mark.parametrize(("due", "work"), [
    (partials_follower.Due("p", curves=100, built=100, new=0), 0),
    (partials_follower.Due("p", curves=130, built=100, new=20), 30),  # 10 late, 20 new
    (partials_follower.Due("p", curves=95, built=100, new=5), 95),    # some gone: all again
    (partials_follower.Due("p", curves=50, built=0, new=50), 50),     # no grid yet
])
def test_the_work_of_a_catch_up_counts_late_curves_and_rebuilds(
        due: partials_follower.Due, work: int) -> None:
    assert due.work == work


@pytest.mark.parametrize(("due", "urgent"), [
    (partials_follower.Due("p", curves=120, built=100, new=20), False),  # new ones: tail
    (partials_follower.Due("p", curves=100 + partials_follower.SETTLE_CURVES, built=100,
                           new=partials_follower.SETTLE_CURVES), True),  # many gathered
    (partials_follower.Due("p", curves=130, built=100, new=20), True),   # 10 late
    (partials_follower.Due("p", curves=95, built=100, new=0), True),     # some gone
    (partials_follower.Due("p", curves=50, built=0, new=50), True),      # no grid yet
])
def test_only_a_few_new_curves_above_the_watermark_may_wait(
        due: partials_follower.Due, urgent: bool) -> None:
    assert due.urgent is urgent


def test_switched_off_the_explorer_reads_no_partials_built_before(
        runtime: Runtime, ch_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Partials built while they were on miss every curve since: off, none are read."""
    cluster_id = _with_riveting(runtime, ch_database, tmp_path, curves=5)
    partials_follower.PartialsFollower(runtime).work()
    assert _grid_curves(runtime, cluster_id) == 5
    monkeypatch.setattr(population, "MAX_SAMPLES", 1)  # as if too big to hold
    state = ExplorerState(process="riveting")
    on = explorer_view.draw(runtime, cluster_id, state, width=400, height=200, selected=[])
    assert on.density.stored_cells is not None
    runtime.settings = replace(runtime.settings, explorer_partials=False)
    off = explorer_view.draw(runtime, cluster_id, state, width=400, height=200, selected=[])
    assert off.density.stored_cells is None and off.density.n_curves == 5
    zoomed = replace(state, x_range=on.density.x_range)
    dens, _, _ = explorer_view.zoom(runtime, cluster_id, zoomed, width=400, height=200,
                                    outliers=[], selected=[])
    assert dens.stored_cells is None
