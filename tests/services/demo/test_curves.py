"""The demo plant's curve generators: point counts in the process's range, increasing axes,
good curves judged OK, borderline ones WARNING, every defect NOK with a telling feature,
and the per-part judgement picking the curve that decided the part."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from services.demo import curves
from services.demo.curves import PROCESS_SPECS, PROCESSES, generate_curves, judging_curves

N = 200


def _modes(process: str) -> np.ndarray:
    """``N`` good curves, ``N`` borderline ones and ``N`` of each defect."""
    return np.repeat(np.arange(len(PROCESS_SPECS[process].modes)), N)


@pytest.mark.parametrize("process", PROCESSES)
def test_curves_have_their_processs_points_and_an_increasing_axis(process: str) -> None:
    found = generate_curves(process, _modes(process), np.random.default_rng(1))
    low, high = PROCESS_SPECS[process].points
    assert found.n_points.min() >= low and found.n_points.max() <= high
    assert len(found.x) == len(found.y) == int(found.n_points.sum())
    steps = np.diff(found.x.astype(np.float64))
    inside = np.ones(len(steps), dtype=bool)
    inside[found.starts[1:] - 1] = False  # the step from one curve to the next
    assert (steps[inside] >= 0).all()
    assert found.x.dtype == np.float32 and np.isfinite(found.y).all()


@pytest.mark.parametrize("process", PROCESSES)
def test_good_borderline_and_defect_curves_are_judged_as_such(process: str) -> None:
    modes = _modes(process)
    found = generate_curves(process, modes, np.random.default_rng(2))
    ok, warning, defect = modes == 0, modes == 1, modes >= 2
    assert (found.result[ok] == 0).mean() > 0.97
    assert (found.result[warning] == 1).mean() > 0.97
    assert (found.result[defect] == 2).all() and (found.mode[defect] == modes[defect]).all()
    assert set(found.features) == {name for name, _unit in PROCESS_SPECS[process].features}


def test_each_defect_shows_in_its_feature() -> None:
    rng = np.random.default_rng(3)
    press = generate_curves(curves.PRESS_FIT, _modes(curves.PRESS_FIT), rng)
    peak, modes = press.features["peak_force"], _modes(curves.PRESS_FIT)
    assert peak[modes == 2].max() < curves.PEAK_FORCE_OK[0]  # missing part
    assert peak[modes == 3].min() > curves.PEAK_FORCE_OK[1]  # oversize part
    screw = generate_curves(curves.SCREW_DRIVING, _modes(curves.SCREW_DRIVING), rng)
    torque, modes = screw.features["final_torque"], _modes(curves.SCREW_DRIVING)
    assert torque[modes == 4].max() < curves.SNUG_TORQUE  # missing screw
    assert np.isnan(screw.features["snug_angle"][modes == 4]).all()
    oven = generate_curves(curves.TEMPERATURE, _modes(curves.TEMPERATURE), rng)
    modes = _modes(curves.TEMPERATURE)
    assert oven.features["max_temperature"][modes == 2].min() > curves.MAX_TEMPERATURE_OK
    assert oven.features["soak_time"][modes == 3].max() < curves.SOAK_TIME_OK


def test_scale_moves_the_process_level() -> None:
    modes = np.zeros(N, dtype=np.int64)
    base = generate_curves(curves.SCREW_DRIVING, modes, np.random.default_rng(4))
    high = generate_curves(curves.SCREW_DRIVING, modes, np.random.default_rng(4),
                           scale=np.full(N, 1.2))
    ratio = np.median(high.features["final_torque"]) / np.median(base.features["final_torque"])
    assert ratio == pytest.approx(1.2, rel=0.02)


def test_the_same_seed_gives_the_same_curves() -> None:
    modes = _modes(curves.TEMPERATURE)[:50]
    a = generate_curves(curves.TEMPERATURE, modes, np.random.default_rng(5))
    b = generate_curves(curves.TEMPERATURE, modes, np.random.default_rng(5))
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)


def test_summary_and_samples_describe_the_same_curves() -> None:
    found = generate_curves(curves.PRESS_FIT, np.zeros(3, dtype=np.int64),
                            np.random.default_rng(6))
    summary = found.summary()
    s = found.starts
    assert summary["x_min"][1] == found.x[s[1]:s[2]].min()
    assert summary["y_max"][2] == found.y[s[2]:].max()
    table = found.samples_table(process=curves.PRESS_FIT, curve_id=np.array([7, 8, 9]),
                                t_ms=np.array([1000, 2000, 3000]))
    assert table.num_rows == len(found.x)
    idx = table.column("idx").to_numpy()
    assert idx[0] == 0 and idx[s[1]] == 0 and idx[s[1] - 1] == found.n_points[0] - 1
    assert table.column("curve_id").to_pylist()[s[2]] == 9
    assert table.column("ts").to_pylist()[s[1]].timestamp() == 2.0


def test_a_part_is_judged_by_its_worst_first_station_or_its_last() -> None:
    # part 0: OK, NOK at station 1, NOK at 2 -> NOK by the curve of station 1 (index 1)
    # part 1: OK at stations 0, 1, 2 -> OK by the last station (index 5)
    # part 2: WARNING at station 2 only -> WARNING by index 8
    part = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    result = np.array([0, 2, 2, 0, 0, 0, 0, 0, 1])
    station = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    worst, judged = judging_curves(part, result, station, n_parts=3)
    assert worst.tolist() == [2, 0, 1] and judged.tolist() == [1, 5, 8]


def test_arrow_helpers_encode_codes_and_times() -> None:
    assert curves.texts(np.array([2, 0]), curves.RESULTS).to_pylist() == ["NOK", "OK"]
    cats = curves.categories(np.array([1, 1]), ["a", "b"])
    assert cats.type.value_type == "string" and cats.to_pylist() == ["b", "b"]
    assert curves.timestamps(np.array([0])).type.tz == "UTC"
    merged = curves.concat_tables([
        pa.table({"c": curves.categories(np.array([0]), ["x"])}),
        pa.table({"c": curves.categories(np.array([0]), ["y"])})])
    assert merged.column("c").to_pylist() == ["x", "y"] and merged.column("c").num_chunks == 1
