"""The explorer's count texts: each names its set, and the chart's and the table's agree
(or say why not); caps are named with where and why."""

from __future__ import annotations

import numpy as np
import pytest

from services.core.runtime import Runtime
from services.explorer import evaluation, view
from services.explorer.curve_queries import Density
from services.explorer.golden import Golden
from services.explorer.state import ExplorerState
from services.explorer.view import TOP_OUTLIERS, Analysis, outlier_note, summary_text

GRID = np.zeros(3)


def _analysis(*, ranked: int, rows: int, ok: int, saved: bool = False,
              matching: int | None = None, bounded: str = "", from_ok: bool = True,
              orange: int = 20) -> Analysis:
    gold = Golden(x=GRID, center=GRID, lower=GRID, upper=GRID, n_curves=ok,
                  method="median-percentile", band=5.0, id=4 if saved else None,
                  name="PH-200" if saved else "", version=2 if saved else 0)
    return Analysis(golden=gold, rows=[{}] * rows, top_lines={i: ([], []) for i in range(orange)},
                    n_nok_objects=3, n_ranked=ranked, limit=500, n_matching=matching,
                    bounded=bounded, from_ok=from_ok)


def test_a_golden_curve_of_curves_none_of_which_is_ok_says_so() -> None:
    # The result filter on NOK: the unsaved golden curve is the median of those NOK curves.
    note = outlier_note(_analysis(ranked=14, rows=14, ok=14, from_ok=False), drawn=14,
                        objects=False)
    assert "OK curves among them" not in note
    assert note.startswith("All 14 filtered curves ranked against the golden curve built "
                           "from all 14 of them (none is OK, so “usual” means usual among "
                           "these curves, not among good parts)")


def test_the_table_and_the_chart_count_the_same_filtered_set() -> None:
    note = outlier_note(_analysis(ranked=308, rows=308, ok=292), drawn=308, objects=False)
    assert note.startswith("All 308 filtered curves ranked against the golden curve built "
                           "from the 292 OK curves among them")
    assert "the table lists all 308" in note
    assert "against the usual curves most like it" in note
    assert f"at most {TOP_OUTLIERS}" in note
    assert "drawn from" not in note and "Evaluation objects" not in note


@pytest.mark.parametrize(("orange", "words"), [
    (20, "The first 20 outside the usual variation are drawn in orange (at most 20, so the "
         "chart stays readable)."),
    (1, "The one outside the usual variation is drawn in orange"),
    (0, "None is outside the usual variation, so none is drawn in orange.")])
def test_only_curves_outside_the_usual_variation_are_drawn_in_orange(orange: int,
                                                                     words: str) -> None:
    note = outlier_note(_analysis(ranked=31, rows=31, ok=29, orange=orange), drawn=31,
                        objects=False)
    assert words in note


def test_a_capped_table_says_where_and_why() -> None:
    note = outlier_note(_analysis(ranked=12_345, rows=500, ok=12_000), drawn=12_345,
                        objects=True)
    assert "All 12,345 filtered curves ranked" in note
    assert "the table lists the 500 most deviating (it holds at most 500 rows" in note
    assert "Evaluation objects: 3 of them NOK." in note


def test_curves_that_arrived_after_the_drawing_are_named() -> None:
    note = outlier_note(_analysis(ranked=308, rows=308, ok=292, saved=True), drawn=302,
                        objects=False)
    assert "saved golden curve PH-200 v2, built from 292 curves" in note
    assert "The chart was drawn from 302 filtered curves; 6 arrived since" in note


def test_a_bounded_ranking_says_which_share_it_ranked_and_why() -> None:
    """A ranking stopped by its time bound names the sample (the words come from
    ``outlier_profiles.Read.words``) and compares the chart with every filtered curve."""
    words = ("an even sample of 5,120 of the 100,000 filtered curves (5 %: blocks of 64 "
             "consecutive curves spread over all of them): reading every curve's samples "
             "from the database would take about 75 s here, and the ranking after a draw "
             "reads for at most 2.5 s")
    note = outlier_note(_analysis(ranked=5_120, rows=500, ok=4_915, matching=100_000,
                                  bounded=words), drawn=100_000, objects=True)
    assert note.startswith(f"Ranked {words}; these curves ranked against the golden curve "
                           "built from the 4,915 OK curves among them")
    assert "All " not in note and "drawn from" not in note
    assert "Evaluation objects: 3 of the ranked curves NOK." in note
    later = outlier_note(_analysis(ranked=5_120, rows=500, ok=4_915, matching=100_004,
                                   bounded=words), drawn=100_000, objects=False)
    assert "The chart was drawn from 100,000 filtered curves; 4 arrived since" in later


def test_the_chart_summary_names_the_filtered_set_and_the_view() -> None:
    dens = Density(x_range=(0.0, 12.0), y_range=(0.0, 30.0), groups=["OK"], images=[],
                   n_curves=302, n_in_view=117)
    assert summary_text(dens).startswith(
        "302 filtered curves drawn as lines, 117 of them in this view")


def test_the_draw_builds_no_golden_curve_and_the_ranking_places_objects_over_its_band(
        mod_runtime: Runtime, cluster_id: int) -> None:
    """The first draw places a new object in the middle of the view (no golden curve is
    built for it: that costs most of a draw); the ranking that follows places it over
    the automatic golden band of the OK curves (four rising along y = x, one flat at 0.2:
    the band spans 0.2 up to the rising curves at the window's end, x = 0.625)."""
    state = ExplorerState(process="press")
    drawing = view.draw(mod_runtime, cluster_id, state, width=200, height=100, selected=[])
    (x0, x1), (y0, y1) = drawing.density.x_range, drawing.density.y_range
    assert drawing.place == evaluation.placement(None, (x0, x1), (y0, y1))
    result = view.analyse(mod_runtime, cluster_id, state, width=200,
                          ranges=((x0, x1), (y0, y1)))
    assert result.place is not None
    assert result.place["x"] == drawing.place["x"]
    assert result.place == evaluation.placement(result.golden, (x0, x1), (y0, y1))
    lo, hi = result.place["y"]
    assert lo < 0.2 and 0.625 < hi < 0.7 and result.place != drawing.place
    assert view.analyse(mod_runtime, cluster_id, state, width=200).place is None


def test_the_ranking_says_its_golden_curve_is_built_from_the_ok_curves(
        mod_runtime: Runtime, cluster_id: int) -> None:
    every = view.analyse(mod_runtime, cluster_id, ExplorerState(process="press"), width=200)
    assert every.from_ok and every.golden.n_curves == 5  # the five OK curves of the seven
    # (With none OK, Analysis.from_ok is False and the note says so: see the test above.)


def test_a_links_highlighted_curves_are_drawn_until_one_is_clicked(
        mod_runtime: Runtime, cluster_id: int) -> None:
    # An alert's link highlights its curves; 5 is NOK, and one id is no curve of the cluster.
    state = ExplorerState(process="press", highlight=(2, 5, 999_999))
    drawing = view.draw(mod_runtime, cluster_id, state, width=200, height=100, selected=[])
    assert sorted(drawing.selected) == [2, 5]
    # The filters leave 5 out: it is not drawn, and nothing fails.
    oks = state.with_(results=("OK",))
    assert sorted(view.draw(mod_runtime, cluster_id, oks, width=200, height=100,
                            selected=[]).selected) == [2]
    # The link opens with the first one's part and every highlighted line.
    row, _feats, lines = view.part(mod_runtime, cluster_id, state, curve_id=2, width=200,
                                   highlights=True)
    assert row["curve_id"] == 2 and sorted(lines) == [2, 5]
    assert list(view.part(mod_runtime, cluster_id, state, curve_id=2, width=200)[2]) == [2]
    # A click replaces them (as it replaces the highlight in the page's address) ...
    clicked = view.draw(mod_runtime, cluster_id, state, width=200, height=100, selected=[7])
    assert list(clicked.selected) == [7]
    # ... and a zoom draws what is shown.
    zoomed = state.with_(x_range=(0.0, 0.5), y_range=(0.0, 1.0))
    _dens, _out, shown = view.zoom(mod_runtime, cluster_id, zoomed, width=200, height=100,
                                   outliers=[], selected=[])
    assert sorted(shown) == [2, 5]
    _dens, _out, shown = view.zoom(mod_runtime, cluster_id, zoomed, width=200, height=100,
                                   outliers=[], selected=[7])
    assert list(shown) == [7]
