"""The compiled kernels on small exact cases, and concurrent launches from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from services.explorer import density_kernel as kernel


def _draw(curves: list[tuple[list[float], list[float]]], *, view: tuple[float, ...],
          width: int = 10, height: int = 10) -> tuple[np.ndarray, int]:
    x = np.concatenate([np.asarray(c[0], dtype=np.float32) for c in curves])
    y = np.concatenate([np.asarray(c[1], dtype=np.float32) for c in curves])
    starts = np.concatenate([[0], np.cumsum([len(c[0]) for c in curves])]).astype(np.int64)
    bounds = np.array([[min(c[0]), max(c[0]), min(c[1]), max(c[1])] for c in curves],
                      dtype=np.float32)
    ordered = np.array([bool(np.all(np.diff(c[0]) >= 0)) for c in curves])
    x0, x1, y0, y1 = view
    images, n = kernel.rasterise(x, y, starts, np.zeros(len(curves), dtype=np.int16), ordered,
                                 bounds, np.array([x0, width / (x1 - x0), y0,
                                                   height / (y1 - y0)]),
                                 1, width, height, kernel.threads())
    return images[0], n


def test_each_curve_weighs_one_per_column_whatever_its_sampling() -> None:
    dense = (list(np.linspace(0, 10, 500)), list(np.linspace(0, 10, 500)))
    sparse = ([0.0, 10.0], [10.0, 0.0])
    image, n = _draw([dense, sparse], view=(0, 10, 0, 10))
    assert n == 2
    assert np.allclose(image.sum(axis=0), 2.0, atol=1e-5)  # two curves in every column


def test_a_curve_going_back_and_a_single_point_are_drawn_and_outsiders_skipped() -> None:
    back = ([1.0, 8.0, 2.0], [5.0, 5.0, 5.0])       # x goes back: no bisection shortcut
    point = ([4.5], [7.5])
    outside = ([20.0, 30.0], [1.0, 2.0])
    image, n = _draw([back, point, outside], view=(0, 10, 0, 10))
    assert n == 2
    assert image[5, 1:8].min() > 0 and image[7, 4] == 1.0
    assert image[:, 9].sum() == 0.0


def test_concurrent_launches_from_many_threads_give_the_same_image() -> None:
    curves = [(list(np.linspace(0, 10, 50)), list(np.sin(np.linspace(0, 10, 50)) * 4 + 5 + i))
              for i in range(3)]
    expected, _ = _draw(curves, view=(0, 10, 0, 12), width=40, height=30)
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: _draw(curves, view=(0, 10, 0, 12), width=40,
                                              height=30)[0], range(32)))
    assert all(np.array_equal(f, expected) for f in found)


def test_profiles_leave_empty_bins_empty() -> None:
    x = np.array([0.0, 1.0, 2.0, 9.0], dtype=np.float32)
    y = np.array([1.0, 3.0, 5.0, 7.0], dtype=np.float32)
    mean, low, high = kernel.profiles(x, y, np.array([0, 4], dtype=np.int64),
                                      np.zeros(1, dtype=np.int64), 0.0, 10.0, 5)
    assert mean[0, 0] == 2.0 and low[0, 0] == 1.0 and high[0, 0] == 3.0
    assert np.isnan(mean[0, 2]) and mean[0, 4] == 7.0


def test_profiles_stop_where_x_goes_back() -> None:
    """The second curve returns from x 8 to 2: its return is not averaged into bins 1-3."""
    x = np.array([0.0, 1.0, 2.0, 9.0, 0.0, 4.0, 8.0, 7.9, 6.0, 2.0], dtype=np.float32)
    y = np.array([1.0, 3.0, 5.0, 7.0, 0.0, 4.0, 8.0, 8.0, 0.0, 0.0], dtype=np.float32)
    mean, low, _high = kernel.profiles(x, y, np.array([0, 4, 10], dtype=np.int64),
                                       np.array([1], dtype=np.int64), 0.0, 10.0, 5)
    assert mean[0, 2] == 4.0 and mean[0, 3] == 8.0  # 7.9 is within 2 % of the range
    assert np.isnan(mean[0, 1]) and low[0, 3] == 8.0  # 2.0 and 6.0 (the return) left out


def test_small_draws_with_many_groups_use_one_thread() -> None:
    cells = 10 * 800 * 470
    assert kernel.threads_for(1_500_000, cells) == 1
    assert kernel.threads_for(15_000_000, cells) == kernel.threads()
