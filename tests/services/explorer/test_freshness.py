"""New data is visible at once: after an import finishes, the explorer's next view holds the
new curves (from ClickHouse while the in-memory copy is topped up), says it is indexing, and
draws lines again once the copy caught up. The plant is tests/plants.py's, not the demo."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.explorer import freshness, population
from services.explorer import view as explorer_view
from services.explorer.state import ExplorerState
from tests import plants
from tests.services.import_helpers import import_bytes, make_cluster

RIVETING = (plants.process("riveting"),)


def _drawn(rt: Runtime, cluster_id: int) -> tuple[int, bool]:
    """(curves in the image, drawn as lines from memory)."""
    dens = explorer_view.draw(rt, cluster_id, ExplorerState(process="riveting"), width=200,
                              height=100, selected=[]).density
    return dens.n_curves, dens.n_in_view is not None


def test_imported_curves_are_in_the_next_view_and_indexing_is_said(
        runtime: Runtime, ch_database: str, tmp_path: Path) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    first = plants.curve_table(curves=3, processes=RIVETING)
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(first)).status == "done"
    session = for_cluster(runtime, cluster_id)
    assert population.get(session, "riveting", wait=True) is not None
    assert _drawn(runtime, cluster_id) == (3, True)
    assert freshness.freshness(runtime, cluster_id, "riveting").indexing is False

    more = plants.curve_table(curves=4, processes=RIVETING, serial_prefix="TN", seed=5)
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(more)).status == "done"
    finished = time.monotonic()
    seen = freshness.freshness(runtime, cluster_id, "riveting")
    count, as_lines = _drawn(runtime, cluster_id)
    assert time.monotonic() - finished < 5.0
    assert count == 7 and not as_lines  # from ClickHouse while the copy is topped up
    assert seen.indexing and "indexed" in seen.note

    assert population.get(session, "riveting", wait=True) is not None  # the top-up
    after = freshness.freshness(runtime, cluster_id, "riveting")
    assert after.version == seen.version and not after.indexing and after.note == ""
    assert _drawn(runtime, cluster_id) == (7, True)


def test_a_new_process_is_offered_at_once(runtime: Runtime, ch_database: str,
                                          tmp_path: Path) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    first = plants.curve_table(curves=2, processes=RIVETING)
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(first)).status == "done"
    assert explorer_view.filter_values(runtime, cluster_id, process=None)["processes"] == [
        "riveting"]
    weld = plants.curve_table(curves=2, processes=(plants.process("spot-weld"),))
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_parquet(weld),
                        name="weld.parquet").status == "done"
    assert freshness.freshness(runtime, cluster_id, "riveting").processes == (
        "riveting", "spot-weld")
    values = explorer_view.filter_values(runtime, cluster_id, process="spot-weld")
    assert values["processes"] == ["riveting", "spot-weld"]
    assert set(values["stations"]) == set(weld["station"].to_pylist())


@pytest.mark.parametrize("process", [None, "riveting"])
def test_freshness_of_an_empty_cluster(runtime: Runtime, ch_database: str,
                                       process: str | None) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    found = freshness.freshness(runtime, cluster_id, process)
    assert (found.version, found.indexing, found.note, found.processes) == (0, False, "", ())
