"""The ingest bench's own rules (``bench/ingest_volume.py``): where a slow dashboard refresh
spent its time."""

from __future__ import annotations

from ingest_volume import callback_label, slowest_callbacks


def test_the_slowest_callbacks_are_named_with_p50_p95_and_max() -> None:
    refreshes = [[("kpis", 0.010), ("heatmap", 0.100 * i), ("alerts", 0.005)]
                 for i in range(1, 21)]
    rows = slowest_callbacks(refreshes, top=2)
    assert [r[0] for r in rows] == ["heatmap", "kpis"]
    name, p50, p95, most = rows[0]
    assert (round(p50), round(p95), round(most)) == (1050, 1900, 2000)
    assert slowest_callbacks([]) == []


def test_a_callback_is_named_by_its_first_output() -> None:
    assert callback_label("..dashboard-spc-graph.figure...dashboard-pchart-graph.figure") == (
        "dashboard-spc-graph")
    assert callback_label('..{"kpi":"yield","type":"dashboard-kpi-value"}.children...{"') == (
        "kpi yield")
    assert callback_label("dashboard-heatmap-graph.figure") == "dashboard-heatmap-graph"
