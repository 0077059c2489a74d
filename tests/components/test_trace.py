"""The trace page's figures and tables: the golden band under the part's curves, legend
entries that name the station, time and result, units on the axes, the time line rows."""

from __future__ import annotations

from typing import Any

from components import trace as ui
from components.explorer_figure import RESULT_COLORS
from services.explorer.trace import PartCurve, PartTrace, timeline


def _curve(cid: int, *, result: str = "NOK", golden: dict[str, Any] | None = None) -> PartCurve:
    meta = {"curve_id": cid, "part_id": 7, "serial": "RV-0001",
            "ts": f"2026-05-0{cid}T10:00:00",
            "process": "riveting", "line": "L-A", "station": f"RIV-{cid}", "product": "P",
            "batch": "B", "result": result, "defect_mode": "", "x_name": "displacement",
            "x_unit": "mm", "y_name": "force", "y_unit": "N", "n_points": 3}
    return PartCurve(meta=meta, x=[0.0, 1.0, 2.0], y=[0.0, 5.0, 3.0],
                     features=[{"curve_id": cid, "process": "riveting", "feature": "peak_y",
                                "value": 5.0, "unit": "N"}], golden=golden)


GOLDEN = {"id": 3, "name": "rivet ref", "version": 2, "x": [0.0, 1.0, 2.0],
          "center": [0.0, 4.0, 3.0], "lower": [-1.0, 3.0, 2.0], "upper": [1.0, 5.0, 4.0]}


def test_one_curve_over_its_golden_band_in_its_result_colour() -> None:
    fig = ui.make_figure([_curve(1, golden=GOLDEN)])
    names = [t.name for t in fig.data]
    assert names == [None, "golden band", "golden: rivet ref v2",
                     "RIV-1 · 2026-05-01 10:00:00 · NOK"]
    assert fig.data[1].fill == "tonexty" and list(fig.data[2].y) == GOLDEN["center"]
    assert fig.data[3].line.color == RESULT_COLORS["NOK"] and list(fig.data[3].y) == [0, 5, 3]
    assert fig.layout.xaxis.title.text == "displacement [mm]"
    assert fig.layout.yaxis.title.text == "force [N]" and fig.layout.showlegend is True


def test_several_curves_get_their_own_colours_and_no_golden_means_no_band() -> None:
    fig = ui.make_figure([_curve(1), _curve(2, result="OK")])
    assert [t.name.split(" · ")[0] for t in fig.data] == ["RIV-1", "RIV-2"]
    assert fig.data[0].line.color != fig.data[1].line.color


def test_the_record_lays_out_summary_charts_time_line_and_features() -> None:
    found = PartTrace(serial="RV-0001", part_ids=[7], curves=[_curve(1, golden=GOLDEN)],
                      results=[{"ts": "2026-05-01T11:00:00", "station": "END", "result": "NOK"}],
                      readings=[], alerts=[])
    found = PartTrace(**{**found.__dict__, "events": timeline(found)})
    text = str(ui.make_record(found))
    assert "RV-0001" in text and "riveting" in text and "golden curve shown" in text
    rows = ui.make_timeline(found).data
    assert [r["kind"] for r in rows] == ["curve", "result"]
    assert rows[0]["ts"] == "2026-05-01 10:00:00"
    assert ui.make_features(found).data == [{"process": "riveting", "station": "RIV-1",
                                             "feature": "peak_y", "value": 5.0, "unit": "N"}]
