"""The kept results of bench runs (``bench/bench_runs.py``): one row per size and kind, a
run of one size replacing only its own row."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_runs import keep, load, rows, runs_file, stamp


def test_runs_file_sits_beside_the_doc(tmp_path: Path) -> None:
    assert runs_file("million", doc=tmp_path / "benchmarks.md") == \
        tmp_path / "benchmarks-million.json"


def test_a_size_replaces_only_its_own_row(tmp_path: Path) -> None:
    path = tmp_path / "runs.json"
    keep(path, "server", {"n": 100_000, "whole": 0.4})
    keep(path, "server", {"n": 20_000, "whole": 0.2})
    keep(path, "browser", {"n": 100_000, "whole": 0.9})
    keep(path, "server", {"n": 100_000, "whole": 0.3})
    assert rows(path, "server") == [{"n": 20_000, "whole": 0.2}, {"n": 100_000, "whole": 0.3}]
    assert rows(path, "browser") == [{"n": 100_000, "whole": 0.9}]
    assert rows(path, "other") == []


def test_no_file_has_no_rows(tmp_path: Path) -> None:
    assert load(tmp_path / "none.json") == {}
    assert rows(tmp_path / "none.json", "server") == []


@pytest.mark.parametrize("result", [{}, {"n": 0}, {"n": "100000"}, {"n": 1.5}])
def test_a_result_without_its_count_is_refused_and_nothing_written(
        tmp_path: Path, result: dict[str, object]) -> None:
    path = tmp_path / "runs.json"
    keep(path, "server", {"n": 10})
    before = path.read_text()
    with pytest.raises(ValueError, match="curve count as a positive integer 'n'"):
        keep(path, "server", result)
    assert path.read_text() == before


def test_a_file_of_another_shape_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.json"
    path.write_text('{"server": [1, 2]}')
    with pytest.raises(ValueError, match="expected an object of kinds"):
        load(path)


def test_stamp_names_the_run_and_its_load() -> None:
    found = stamp({"n": 5}, load_at_start=3.14)
    assert found["n"] == 5
    assert found["run"].endswith(" UTC")
    assert found["load"][0] == 3.1
    assert isinstance(found["load"][1], float)
