"""The archive outlier bench's own arithmetic (``bench/ucr_archive.py``) on a tiny fixture:
the ``.ts`` reader, the pick of OK and defect series, the two baselines and precision@k. No
network: the fixture is written here, the wheel is a zip made here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from ucr_archive import (
    by_euclid,
    by_peak,
    parse_ts,
    pick,
    precision_at,
    read_wheel_set,
)

TS = """# a tiny set: two classes of ramps
@problemName Tiny
@univariate true
@equalLength true
@classLabel true a b
@data
0,1,2,3:a
0,1,2,4:a
0,1,2,3.5:a
0,1,9,3:b
"""


def test_parse_reads_values_and_labels() -> None:
    got = parse_ts(TS, name="Tiny")
    assert got.values.tolist() == [[0, 1, 2, 3], [0, 1, 2, 4], [0, 1, 2, 3.5], [0, 1, 9, 3]]
    assert got.labels == ["a", "a", "a", "b"]
    assert got.class_sizes() == {"a": 3, "b": 1}
    assert got.of_class("b").tolist() == [[0, 1, 9, 3]]


@pytest.mark.parametrize(("line", "message"), [
    ("0,1,2:0,1,2:a", "expected one dimension and a label"),
    ("0,?,2,3:a", "missing values are not supported"),
    ("0,1,2:a", "3 values, the first series has 4"),
])
def test_parse_refuses_what_it_does_not_read(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ts(TS + line + "\n", name="Tiny")


def test_parse_refuses_a_file_without_series() -> None:
    with pytest.raises(ValueError, match="no series after @data"):
        parse_ts("@problemName Empty\n@data\n", name="Empty")


def test_read_wheel_set_joins_train_and_test(tmp_path: Path) -> None:
    wheel = tmp_path / "aeon-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("aeon/datasets/data/Tiny/Tiny_TRAIN.ts", TS)
        archive.writestr("aeon/datasets/data/Tiny/Tiny_TEST.ts", "@data\n5,5,5,5:b\n")
    got = read_wheel_set(wheel, "Tiny")
    assert got.values.shape == (5, 4)
    assert got.labels == ["a", "a", "a", "b", "b"]


def test_pick_takes_the_counts_asked_and_shuffles_with_the_seed() -> None:
    data = parse_ts(TS + "".join(f"0,1,{i},3:a\n" for i in range(10)), name="Tiny")
    values, is_bad = pick(data, "a", "b", seed=3, n_ok=5, n_bad=1)
    assert values.shape == (6, 4) and int(is_bad.sum()) == 1
    assert values[is_bad].tolist() == [[0, 1, 9, 3]]
    again, _ = pick(data, "a", "b", seed=3, n_ok=5, n_bad=1)
    assert np.array_equal(values, again)
    everything, _ = pick(data, "a", "b", seed=0, n_ok=100, n_bad=1)
    assert len(everything) == 14  # all 13 of class a, fewer than asked
    with pytest.raises(ValueError, match="class b has 1 series, 2 needed"):
        pick(data, "a", "b", seed=0, n_bad=2)


def test_baselines_and_precision() -> None:
    values = np.array([[0, 1, 2], [0, 1, 2.1], [0, 5, 2], [0, 1, 1.9], [3, 3, 3]], dtype=float)
    reference = np.array([True, True, False, True, False])
    # |peak − 2.0|: 3, 1, then 0.1 twice (index order), then 0
    assert by_peak(values, reference).tolist() == [2, 4, 1, 3, 0]
    euclid = by_euclid(values, reference).tolist()
    assert euclid[:2] == [2, 4]
    assert precision_at(euclid, {2, 4}) == 1.0
    assert precision_at([0, 2, 1], {2, 4}) == 0.5
    assert precision_at([0, 2, 1], {2, 4}, k=3) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="k must be positive"):
        precision_at([0], set())
