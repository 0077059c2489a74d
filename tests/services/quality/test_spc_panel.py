"""The SPC panel on the small demo in real chDB: two panels on a subgroup index, limits from
each kind of baseline, violations with links to their curves, capability, attribute charts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.demo import plant as demo_data
from services.quality import spc, spc_panel
from services.quality.kpis import View
from services.quality.spc_baseline import parse_baseline
from tests.access_world import register_cluster

DB = "spc_panel_demo"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
SPEC = ("kN", 16.0, 24.0)
FEATURE = {"process": "press-fit", "feature": "bore_diameter"}
FIRST_ID = 50_000_000
SHIFTED = 8  # the subgroup (1-based) moved up by 4σ in the window


def _synthetic() -> list[tuple[int, datetime, float]]:
    """100 baseline values (N(20, 1), 10 days back) and 100 in the window (2 days back)
    whose 8th subgroup of 5 is shifted up by 4."""
    rng = np.random.default_rng(16)
    rows = []
    for i, value in enumerate(rng.normal(20.0, 1.0, 100)):
        rows.append((FIRST_ID + i, NOW - timedelta(days=10) + timedelta(minutes=10 * i),
                     float(value)))
    for i, value in enumerate(rng.normal(20.0, 1.0, 100)):
        shift = 4.0 if i // 5 == SHIFTED - 1 else 0.0
        rows.append((FIRST_ID + 100 + i, NOW - timedelta(days=2) + timedelta(minutes=10 * i),
                     float(value + shift)))
    return rows


@pytest.fixture(scope="module")
def demo_db(ch: ClickHouse) -> Iterator[str]:
    """The small demo plus a synthetic feature with known values, loaded once."""
    demo_data.load_demo(ch, DB, size="small", now=NOW)
    values = ", ".join(f"({c}, {c}, '{t:%Y-%m-%d %H:%M:%S}', 'press-fit', 'Line 1', "
                       f"'OP10 Press-fit', 'P-1', 'bore_diameter', {v!r}, 'mm')"
                       for c, t, v in _synthetic())
    ch.command(f"INSERT INTO {DB}.curve_features VALUES {values}")
    yield DB
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture
def cluster_id(runtime: Runtime, demo_db: str) -> int:
    return register_cluster(runtime, demo_db, name="SPC plant")


def _panel(runtime: Runtime, cluster_id: int, kind: str = "xbar_r", baseline: str = "7d",
           first: str | None = None, last: str | None = None,
           excluded: frozenset[int] = frozenset()) -> spc_panel.SpcPanel:
    return spc_panel.feature_panel(
        for_cluster(runtime, cluster_id), View(cluster_id, "7d"), now=NOW, **FEATURE,
        kind=kind, baseline=parse_baseline(baseline, first, last), spec=SPEC,
        excluded=excluded)


def _window() -> np.ndarray:
    return np.array([v for c, _, v in _synthetic() if c >= FIRST_ID + 100]).reshape(20, 5)


def _base() -> np.ndarray:
    return np.array([v for c, _, v in _synthetic() if c < FIRST_ID + 100]).reshape(20, 5)


def test_xbar_r_has_two_panels_on_one_index_with_limits_from_the_baseline(
        runtime: Runtime, cluster_id: int) -> None:
    panel = _panel(runtime, cluster_id)
    assert not panel.note, panel.note
    location, spread = panel.series
    assert (location.label, spread.label) == ("X̄", "R")
    assert len(location.values) == len(spread.values) == len(panel.points) == 20
    assert [len(p["curves"]) for p in panel.points] == [5] * 20
    assert panel.times == sorted(panel.times)
    assert panel.baseline.startswith("Limits from the 7 days before the window: 20 subgroups, ")
    base, rbar = _base(), float(np.ptp(_base(), axis=1).mean())
    assert location.center[0] == pytest.approx(base.mean())
    assert location.ucl[0] == pytest.approx(base.mean() + spc.a2(5) * rbar)
    assert spread.center[0] == pytest.approx(rbar)
    assert spread.ucl[0] == pytest.approx(spc.d4_factor(5) * rbar)
    assert location.values == pytest.approx(_window().mean(axis=1).tolist())
    beyond = [v for v in panel.violations if v.rule == "nelson1" and v.chart == "X̄"]
    assert [v.subgroup for v in beyond] == [SHIFTED]
    assert beyond[0].number == "N1" and beyond[0].time == panel.times[SHIFTED - 1]
    assert beyond[0].explorer and beyond[0].explorer.startswith(
        f"/clusters/{cluster_id}/explorer?s=")


def test_capability_uses_within_and_overall_sigma(runtime: Runtime, cluster_id: int) -> None:
    cap = _panel(runtime, cluster_id).capability
    window = _window()
    within = np.ptp(window, axis=1).mean() / spc.d2(5)
    overall = window.std(ddof=1)
    assert cap is not None and cap.n == 100 and not cap.note
    assert cap.sigma_within == pytest.approx(within)
    assert cap.sigma_overall == pytest.approx(overall)
    assert cap.cp == pytest.approx(8 / (6 * within))
    assert cap.pp == pytest.approx(8 / (6 * overall))
    mean = window.mean()
    assert cap.ppk == pytest.approx(min(24 - mean, mean - 16) / (3 * overall))


def test_xbar_s_and_imr_panels(runtime: Runtime, cluster_id: int) -> None:
    xs = _panel(runtime, cluster_id, kind="xbar_s")
    assert [s.label for s in xs.series] == ["X̄", "S"] and len(xs.times) == 10
    sbar = _base().reshape(10, 10).std(axis=1, ddof=1).mean()
    assert xs.series[1].ucl[0] == pytest.approx(spc.b4(10) * sbar)
    imr = _panel(runtime, cluster_id, kind="imr")
    assert [s.label for s in imr.series] == ["Individual", "MR"] and len(imr.times) == 100
    assert imr.series[1].values[0] is None
    mrbar = np.abs(np.diff(_base().ravel())).mean()
    assert imr.series[0].ucl[0] - imr.series[0].center[0] == pytest.approx(2.660 * mrbar,
                                                                            rel=1e-3)


def test_subgroup_baseline_and_exclusions_change_the_limits(runtime: Runtime,
                                                             cluster_id: int) -> None:
    whole = _panel(runtime, cluster_id, baseline="subgroups", first="1", last="10")
    assert whole.baseline.startswith("Limits from subgroups 1–10: 10 subgroups, ")
    assert whole.series[0].center[0] == pytest.approx(_window()[:10].mean())
    first = whole.points[0]["curves"]
    cut = _panel(runtime, cluster_id, baseline="subgroups", first="1", last="10",
                 excluded=frozenset(first[:1]))
    assert cut.excluded == [0]
    assert ": 9 subgroups, " in cut.baseline and ", 1 excluded. Caution: " in cut.baseline
    assert cut.series[0].center[0] == pytest.approx(_window()[1:10].mean())
    assert cut.capability is not None and cut.capability.n == 95
    with pytest.raises(ValidationError, match="The window has 20 subgroups"):
        _panel(runtime, cluster_id, baseline="subgroups", first="1", last="2000")


def test_date_baseline_and_too_little_data(runtime: Runtime, cluster_id: int) -> None:
    day = (NOW - timedelta(days=10)).date()
    dated = _panel(runtime, cluster_id, baseline="dates", first=day.isoformat(),
                   last=(day + timedelta(days=1)).isoformat())
    assert dated.baseline.startswith(f"Limits from {day} to {day + timedelta(days=1)}: ")
    assert not dated.note
    empty = _panel(runtime, cluster_id, baseline="dates", first="2020-01-01",
                   last="2020-01-02")
    assert empty.note.startswith("Not enough data in the baseline") and not empty.series


def test_attribute_charts_have_stepped_limits(runtime: Runtime, cluster_id: int) -> None:
    s = for_cluster(runtime, cluster_id)
    for kind in ("p", "np", "u", "c"):
        panel = spc_panel.attribute_panel(s, View(cluster_id, "7d"), now=NOW, kind=kind,
                                          baseline=parse_baseline("30d"))
        assert not panel.note, panel.note
        (series,) = panel.series
        sizes = [p["n"] for p in panel.points]
        assert len(series.values) == len(sizes) == len(panel.times) > 2
        assert series.stepped == (kind != "c" and len(set(sizes)) > 1)
        assert all(lo <= c <= hi for lo, c, hi in zip(series.lcl, series.center, series.ucl,
                                                       strict=True))
    with pytest.raises(ValidationError, match="p, np, u or c"):
        spc_panel.attribute_panel(s, View(cluster_id, "7d"), now=NOW, kind="x",
                                  baseline=parse_baseline("7d"))
