"""The explorer analysis behind the API on a hand-made process: strict filter and object
parsing with exact messages, verdicts next to recorded results with the flips counted,
paging in curve-id order, and the outlier ranking putting the odd curves first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.explorer import analysis
from services.explorer.state import MAX_OBJECTS, EvalObject, ExplorerState
from tests.services.explorer.conftest import CROSS, CURVES, T0


@pytest.mark.parametrize(("data", "message"), [
    ([], "filter: expected a JSON object."),
    ({"process": "press", "table": "parts"}, "Unknown filter key: table."),
    ({"lines": "L1"}, "lines: expected a list of values."),
    ({"process": 3}, "process: expected a name."),
    ({"results": ["BAD"]}, "results: must be one of OK, WARNING, NOK."),
    ({"start": "2026-06-02T00:00:00Z", "end": "2026-06-01T00:00:00Z"},
     "The date range is backwards: the start is after the end."),
])
def test_a_bad_filter_is_refused_with_its_message(data: Any, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        analysis.parse_filter(data)
    assert str(refused.value) == message


def test_a_filter_becomes_an_explorer_state() -> None:
    assert analysis.parse_filter(None) == ExplorerState()
    state = analysis.parse_filter({"process": "press", "lines": ["L1"], "results": ["NOK"]})
    assert (state.process, state.lines, state.results) == ("press", ("L1",), ("NOK",))


@pytest.mark.parametrize(("data", "message"), [
    ([], f"objects: a list of 1 to {MAX_OBJECTS} evaluation objects."),
    ({"kind": "window"}, f"objects: a list of 1 to {MAX_OBJECTS} evaluation objects."),
    ([{"kind": "window"}] * (MAX_OBJECTS + 1),
     f"objects: a list of 1 to {MAX_OBJECTS} evaluation objects."),
    (["window"], "objects: each object is a JSON object."),
    ([{"kind": "threshold", "name": "a", "x0": 0, "x1": 1, "sql": "DROP"}],
     "objects: unknown field sql."),
    ([{"kind": "threshold", "name": "a", "x0": 1, "x1": 0}], "Object a: x0 must be below x1."),
    ([{"kind": "threshold", "name": "a", "x0": 0, "x1": 1}] * 2,
     "objects: every evaluation object needs its own name."),
])
def test_bad_objects_are_refused_with_their_message(data: Any, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        analysis.parse_objects(data)
    assert str(refused.value) == message


def test_objects_take_defaults() -> None:
    (found,) = analysis.parse_objects([{"kind": "threshold", "name": "a", "x0": 0, "x1": 1,
                                        "y0": 0.5, "y1": 0.5}])
    assert found == EvalObject(kind="threshold", name="a", x0=0.0, x1=1.0, y0=0.5, y1=0.5)


def test_verdicts_sit_next_to_the_recorded_results(mod_runtime: Runtime,
                                                   cluster_id: int) -> None:
    state = ExplorerState(process="press")
    found = analysis.evaluate(mod_runtime, cluster_id, state, objects=(CROSS,), golden_id=None,
                              show="all", limit=50, offset=0)
    assert (found["n_curves"], found["n_nok"], found["n_recorded_nok"]) == (7, 2, 2)
    assert (found["n_ok_to_nok"], found["n_nok_to_ok"], found["total"]) == (1, 1, 7)
    assert found["objects"] == ["crosses half"] and found["golden"] is None
    assert [(i["curve_id"], i["recorded"], i["verdict"], i["failing_object"], i["flip"])
            for i in found["items"]] == [
        (1, "OK", "OK", None, None), (2, "OK", "OK", None, None), (3, "OK", "OK", None, None),
        (4, "OK", "OK", None, None), (5, "NOK", "NOK", "crosses half", None),
        (6, "NOK", "OK", None, "nok_to_ok"), (7, "OK", "NOK", "crosses half", "ok_to_nok")]
    assert found["items"][0]["serial"] == "S1" and found["items"][0]["station"] == "ST1"
    flips = analysis.evaluate(mod_runtime, cluster_id, state, objects=(CROSS,),
                              golden_id=None, show="flips", limit=1, offset=1)
    assert flips["total"] == 2 and [i["curve_id"] for i in flips["items"]] == [7]
    noks = analysis.evaluate(mod_runtime, cluster_id, state, objects=(CROSS,),
                             golden_id=None, show="nok", limit=50, offset=0)
    assert [i["curve_id"] for i in noks["items"]] == [5, 7]


def test_evaluation_refuses_an_unknown_view_and_an_empty_filter(mod_runtime: Runtime,
                                                                cluster_id: int) -> None:
    with pytest.raises(ValidationError, match="^show: one of all, nok, flips.$"):
        analysis.evaluate(mod_runtime, cluster_id, ExplorerState(process="press"),
                          objects=(CROSS,), golden_id=None, show="some", limit=5, offset=0)
    with pytest.raises(NotFound, match="^No curves match these filters.$"):
        analysis.evaluate(mod_runtime, cluster_id, ExplorerState(
            process="press", start=T0 + timedelta(days=1)), objects=(CROSS,),
            golden_id=None, show="all", limit=5, offset=0)
    with pytest.raises(ValidationError, match="^Unknown line: choose values from the list.$"):
        analysis.evaluate(mod_runtime, cluster_id, ExplorerState(process="press",
                                                                 lines=("L9",)),
                          objects=(CROSS,), golden_id=None, show="all", limit=5, offset=0)


def test_outliers_rank_the_odd_curves_first_in_stable_pages(mod_runtime: Runtime,
                                                            cluster_id: int) -> None:
    state = ExplorerState(process="press")
    found = analysis.outliers(mod_runtime, cluster_id, state, golden_id=None, limit=7,
                              offset=0)
    ranked = [i["curve_id"] for i in found["items"]]
    assert found["total"] == 7 and sorted(ranked) == list(CURVES)
    assert set(ranked[:2]) == {5, 7} and [i["rank"] for i in found["items"]] == list(
        range(1, 8))
    assert found["golden"]["name"] == "(built from the filtered OK curves)"
    assert found["items"][0]["area_outside"] > 0 and found["items"][0]["reason"]
    page = analysis.outliers(mod_runtime, cluster_id, state, golden_id=None, limit=3,
                             offset=2)
    assert [i["curve_id"] for i in page["items"]] == ranked[2:5]
    assert [i["rank"] for i in page["items"]] == [3, 4, 5]


def test_a_golden_curve_request_is_checked_before_anything_is_saved(
        mod_runtime: Runtime, cluster_id: int) -> None:
    state = ExplorerState(process="press")
    for kwargs, message in [
        ({"source": "nok", "band": 2.0, "name": "g", "method": "mean"},
         "^source: ok \\(the filtered curves judged OK\\) or all.$"),
        ({"source": "ok", "band": True, "name": "g", "method": "mean"}, "^band: a number.$"),
        ({"source": "ok", "band": 2.0, "name": 5, "method": "mean"},
         "^name and method are text.$")]:
        with pytest.raises(ValidationError, match=message):
            analysis.build_golden(mod_runtime, cluster_id, state, actor=None, **kwargs)
