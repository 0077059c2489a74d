"""The suite hands its longest test files out first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.file_order import (
    UNKNOWN_COST_S,
    costs_from_durations,
    file_of,
    load_costs,
    longest_first,
    main,
)


@dataclass
class Node:
    nodeid: str


def test_files_go_longest_first_with_their_tests_together_and_in_order() -> None:
    items = [Node("tests/a.py::one"), Node("tests/b.py::one"), Node("tests/a.py::two"),
             Node("tests/c.py::one"), Node("tests/d.py::one[x]"), Node("tests/b.py::two")]
    costs = {"tests/a.py": 1.0, "tests/b.py": 90.0, "tests/d.py": 30.0}
    assert [n.nodeid for n in longest_first(items, costs)] == [
        "tests/b.py::one", "tests/b.py::two", "tests/d.py::one[x]",
        "tests/c.py::one",  # unknown: UNKNOWN_COST_S, above a's 1 s
        "tests/a.py::one", "tests/a.py::two"]
    assert UNKNOWN_COST_S > 1.0
    assert file_of("tests/x/test_y.py::Test::test_z[a::b]") == "tests/x/test_y.py"


def test_costs_are_summed_per_file_from_a_durations_report(tmp_path: Path) -> None:
    report = ["============ slowest durations ============",
              "70.42s call     tests/e2e/test_x.py::test_a",
              "2.50s setup    tests/e2e/test_x.py::test_a",
              "0.10s teardown tests/e2e/test_x.py::test_b[1-2]",
              "1.00s call     tests/test_y.py::test_c",
              "(30 durations < 0.005s hidden.  Use -vv to show these durations.)"]
    assert costs_from_durations(report) == {"tests/e2e/test_x.py": 73.02,
                                            "tests/test_y.py": 1.0}
    assert load_costs(tmp_path / "none.json") == {}
    kept = tmp_path / "costs.json"
    kept.write_text(json.dumps({"tests/test_y.py": 3}))
    assert load_costs(kept) == {"tests/test_y.py": 3.0}


def test_the_recorded_costs_name_files_of_the_suite() -> None:
    costs = load_costs()
    root = Path(__file__).resolve().parents[1]
    assert len(costs) > 100
    missing = [name for name in costs if not (root / name).exists()]
    assert len(missing) <= len(costs) // 10, missing  # refresh with python -m tests.file_order


def test_main_asks_for_a_report() -> None:
    assert main([]) == 2
