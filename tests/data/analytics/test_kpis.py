"""Dashboard queries on a small known plant (times in Unix ms): yield and attribute buckets
either side of the window start, defect modes now and before, station states and hours,
feature values, NOK shares and curves, out-of-spec curves, the newest part and ids."""

from __future__ import annotations

from typing import TypedDict

import pytest

from data.analytics import kpis
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows
from tests.data.analytics.plant_rows import T0_MS, read_back

MIN = 60_000
#: The window [T0 + 1 h, T0 + 2 h) and the one before it, in hour buckets.
LO, START, HI = T0_MS, T0_MS + 60 * MIN, T0_MS + 120 * MIN
HOSTILE = "L1' OR '1'='1"


class _Window(TypedDict):
    lo: int
    start: int
    hi: int
    bucket_s: int


HOURS: _Window = {"lo": LO, "start": START, "hi": HI, "bucket_s": 3600}


def test_yield_buckets_from_parts_or_a_stations_curves(plant: ClusterSession) -> None:
    assert kpis.yield_buckets(plant, **HOURS) == [(-1, 3, 2, 1, 1), (0, 2, 0, 0, 1)]
    assert kpis.yield_buckets(plant, **HOURS, line="L2") == [(0, 2, 0, 0, 1)]
    assert kpis.yield_buckets(plant, **HOURS, station="OP10") == [
        (-1, 3, 2, None, 1), (0, 1, 0, None, 0)]
    assert kpis.yield_buckets(plant, **HOURS, line=HOSTILE) == []
    assert kpis.yield_buckets(plant, lo=LO, start=START, hi=LO + 10 * MIN, bucket_s=600) == [
        (-6, 1, 1, 1, 0)]  # hi is exclusive: the part at 10 min is outside


def test_attribute_buckets(plant: ClusterSession) -> None:
    assert kpis.attribute_buckets(plant, **HOURS) == [(-1, 3, 1, 1), (0, 2, 1, 1)]
    assert kpis.attribute_buckets(plant, **HOURS, station="OP20") == [(-1, 1, 0, 0),
                                                                       (0, 1, 1, 1)]


def test_defect_modes_now_and_in_the_previous_window(plant: ClusterSession) -> None:
    assert kpis.defect_modes(plant, lo=LO, start=START, hi=HI) == [("burr", 1, 0),
                                                                   ("crack", 0, 1)]
    assert kpis.defect_modes(plant, lo=LO, start=START, hi=HI, line="L1") == [("crack", 0, 1)]
    assert kpis.defect_modes(plant, lo=LO, start=START, hi=HI, station="OP20") == [
        ("burr", 1, 0)]


def test_station_states_and_hours(plant: ClusterSession) -> None:
    assert [tuple(r) for r in kpis.station_states(plant, hi=T0_MS + 100 * MIN)] == [
        ("L1", "OP10", "stopped", "jam", read_back(30)),
        ("L1", "OP20", "running", "", read_back(5)),
        ("L2", "OP10", "changeover", "P2", read_back(90))]
    assert [tuple(r)[:3] for r in kpis.station_states(plant, hi=T0_MS + 20 * MIN,
                                                        line="L1")] == [
        ("L1", "OP10", "running"), ("L1", "OP20", "running")]
    assert [tuple(r) for r in kpis.station_hours(plant, lo=LO, hi=HI)] == [
        ("OP10", read_back(0), 3, 1), ("OP10", read_back(60), 1, 0),
        ("OP20", read_back(0), 1, 0), ("OP20", read_back(60), 1, 1)]


def test_feature_values_are_the_newest_in_time_order(plant: ClusterSession) -> None:
    assert [tuple(r) for r in kpis.feature_values(plant, process="press", feature="peak",
                                                  lo=LO, hi=HI, limit=2)] == [
        (read_back(20), 12.0, 13), (read_back(70), 28.0, 14)]
    assert [r[2] for r in kpis.feature_values(plant, process="press", feature="peak",
                                              lo=LO, hi=HI, line="L1")] == [11, 12, 13]
    assert kpis.feature_values(plant, process="press", feature=HOSTILE, lo=LO, hi=HI) == []


def test_nok_share_and_curves(plant: ClusterSession) -> None:
    assert kpis.nok_fraction(plant, lo=LO, hi=HI) == (2, 5)
    assert kpis.nok_fraction(plant, lo=LO, hi=HI, line="L1") == (1, 3)
    assert kpis.nok_fraction(plant, lo=HI, hi=HI + MIN) == (0, 0)
    assert kpis.nok_curve_ids(plant, lo=LO, hi=HI) == [(22, "screw"), (12, "press")]
    assert kpis.nok_curve_ids(plant, lo=LO, hi=HI, station="OP10") == [(12, "press")]
    assert kpis.nok_curve_ids(plant, lo=LO, hi=HI, limit=1) == [(22, "screw")]


@pytest.mark.parametrize(("lsl", "usl", "limit", "want"), [
    (15.0, 25.0, 200, (3, [14, 13, 12], 90.0)),
    (None, 25.0, 200, (2, [14, 12], 90.0)),
    (15.0, None, 200, (1, [13], 12.0)),
    (15.0, 25.0, 1, (3, [14], 90.0)),
    (0.0, 100.0, 200, (0, [], None)),
])
def test_outside_spec(plant: ClusterSession, lsl: float | None, usl: float | None, limit: int,
                      want: tuple[int, list[int], float | None]) -> None:
    assert kpis.outside_spec(plant, process="press", feature="peak", lo=LO, hi=HI, lsl=lsl,
                             usl=usl, limit=limit) == want


def test_newest_part_and_largest_ids(cluster_session: ClusterSession) -> None:
    assert kpis.latest_ts(cluster_session) is None
    assert kpis.max_ids(cluster_session) == (0, 0)
    plant_rows.insert(cluster_session)
    assert kpis.latest_ts(cluster_session) == read_back(80)
    assert kpis.max_ids(cluster_session) == (5, 22)
