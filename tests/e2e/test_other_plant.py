"""A plant unlike the demo, in the real app and Chromium: a new cluster gets tests/plants.py's
curves through the ingest API (Parquet and JSON) and the import page (CSV); its dashboard's
filters, KPIs, SPC on a computed feature and alert-rule form show ITS names and units, and no
demo name appears on its pages (screenshots at three sizes). The explorer shows curves
ingested while it is open within 5 s."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
import requests
from playwright.sync_api import Page, expect

from services.demo import plant as demo_plant
from services.demo.curves import PROCESS_SPECS, PROCESSES
from services.explorer.state import ExplorerState, explorer_url
from tests import plants
from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess
from tests.waiting import wait_until

SLOW = 60_000
SIZES = {"desktop": (1440, 900), "tablet": (820, 1180), "phone": (390, 844)}
DEMO_NAMES = sorted({*PROCESSES, *demo_plant.LINES, *demo_plant.PRODUCTS,
                     *(s.station for s in PROCESS_SPECS.values()),
                     *(f for s in PROCESS_SPECS.values() for f, _ in s.features)})
CLUSTER = {"name": "Fastener works", "cluster_type": "development", "region_code": "local",
           "nodes": 1, "vcpu_per_node": 4, "memory_gb_per_node": 16,
           "storage": {"hot_gb": 50, "warm_gb": 100, "cold_gb": 200, "archive_gb": 500},
           "retention": {"warm_after_days": 7, "cold_after_days": 30,
                         "archive_after_days": 180, "delete_after_days": 730},
           # the first admin (made at first start) administers the new cluster
           "members": [{"user_id": 1, "role": "admin"}]}


@dataclass(frozen=True)
class Plant:
    """The app, its admin (signed-in HTTP session and login) and the new cluster's id."""

    app: AppProcess
    http: requests.Session
    login: tuple[str, str]
    cluster_id: int
    curves: pa.Table


def _of(table: pa.Table, *names: str) -> pa.Table:
    return table.filter(pa.array([p in names for p in table["process"].to_pylist()]))


def _ingest(plant_app: AppProcess, http: requests.Session, cluster_id: int, table: pa.Table,
            *, batch: str, kind: str = "curves") -> None:
    sent = http.post(f"{plant_app.url}/api/v1/clusters/{cluster_id}/ingest",
                     params={"kind": kind, "batch_id": batch}, data=plants.to_parquet(table),
                     headers={"Content-Type": "application/vnd.apache.parquet"}, timeout=120)
    assert sent.status_code == 201, sent.text[:500]


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plant]:
    """An app of its own with the test plant in a new cluster (API ingest: Parquet, JSON)."""
    app = AppProcess(tmp_path_factory.mktemp("plant") / "instance")
    app.start()
    try:
        found = re.search(r"password: (\S+)", app.output())
        assert found, app.output()
        login = ("admin@lyceum.local", found.group(1))
        http = app.signed_in(*login)
        made = http.post(f"{app.url}/api/v1/clusters", json=CLUSTER, timeout=60)
        assert made.status_code == 202, made.text
        cluster_id = int(made.json()["id"])
        wait_until(lambda: http.get(f"{app.url}/api/v1/clusters/{cluster_id}/status",
                                    timeout=30).json()["status"] == "running",
                   within=120, every=0.5, message="the new cluster did not start")
        table = plants.curve_table(curves=24, seed=23)
        _ingest(app, http, cluster_id, _of(table, "riveting", "leak-test"), batch="rl-1")
        crimp = _of(table, "crimping").to_pylist()
        sent = http.post(f"{app.url}/api/v1/clusters/{cluster_id}/ingest", timeout=120,
                         json={"batch_id": "crimp-1", "kind": "curves", "rows": crimp})
        assert sent.status_code == 201, sent.text[:500]
        _ingest(app, http, cluster_id, plants.parts_table(table), batch="parts-1",
                kind="parts")
        yield Plant(app, http, login, cluster_id, table)
    finally:
        app.stop()


def _no_demo_name(page: Page) -> None:
    text = page.locator("body").inner_text()
    assert [n for n in DEMO_NAMES if n in text] == []


def _options(page: Page, selector: str) -> list[str]:
    """The labels of a select's options (not its placeholder, which has no value)."""
    found: list[str] = page.evaluate(
        "(sel) => [...document.querySelectorAll(sel + ' option')].filter(o => o.value)"
        ".map(o => o.textContent)", selector)
    return found


def test_a_csv_import_of_a_new_process_through_the_import_page(
        page: Page, plant: Plant, tmp_path: Path) -> None:
    sign_in(page, plant.app.url, *plant.login)
    page.goto(f"{plant.app.url}/clusters/{plant.cluster_id}/import")
    expect(page.locator("#import-format-div")).to_contain_text("sample number")
    path = tmp_path / "weld.csv"
    path.write_bytes(plants.to_csv(_of(plant.curves, "spot-weld")))
    page.set_input_files("#import-upload input[type=file]", str(path))
    expect(page.locator("#import-mapping-div")).to_contain_text("TP-00000", timeout=SLOW)
    page.click("#import-start-button")
    expect(page.locator("#import-status-badge")).to_have_text("done", timeout=SLOW)
    _no_demo_name(page)
    screenshot(page, "other-plant-import-done")


def test_dashboard_shows_the_plants_names_units_and_spc_on_a_computed_feature(
        page: Page, plant: Plant) -> None:
    sign_in(page, plant.app.url, *plant.login)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        # the last 24 h against the 7 days before: the plant's 3 days of curves fill both
        page.goto(f"{plant.app.url}/clusters/{plant.cluster_id}/dashboard")
        expect(page.locator("#dashboard-line-select")).to_contain_text("Hall North",
                                                                       timeout=SLOW)
        assert _options(page, "#dashboard-line-select") == ["All lines", *sorted(plants.LINES)]
        assert _options(page, "#dashboard-station-select")[0] == "All stations"
        stations = set(_options(page, "#dashboard-station-select")[1:])
        ingested = _of(plant.curves, "riveting", "leak-test", "crimping")  # (+ the CSV's)
        assert set(ingested["station"].to_pylist()) <= stations
        assert stations <= set(plant.curves["station"].to_pylist())
        feature = page.locator("#dashboard-spc-feature-select")
        expect(feature).to_contain_text("Peak y (riveting) · N", timeout=SLOW)
        feature.select_option("riveting::peak_y")
        page.select_option("#dashboard-spc-kind-select", "imr")
        # the chart of the chosen feature: its unit on the y axis, a point per curve
        page.wait_for_function(
            "() => { const g = document.querySelector('#dashboard-spc-graph .js-plotly-plot');"
            " const t = g && g.layout.yaxis && g.layout.yaxis.title;"
            " return !!t && /\\(N\\)$/.test(t.text || '') && g.data[0].y.length >= 3; }",
            timeout=SLOW)
        summary = page.locator("#dashboard-spc-summary-div")
        expect(summary).to_contain_text("Cp n/a", timeout=SLOW)  # no limits yet: no Cp
        expect(page.locator("#dashboard-specs-editor-div")).to_contain_text("no spec limits")
        kpi = page.locator('[id=\'{"kpi":"yield","type":"dashboard-kpi-value"}\']')
        expect(kpi).to_contain_text("%", timeout=SLOW)
        page.click("summary:has-text('Add a rule')")  # the alert-rule form (editors)
        expect(page.locator("#dashboard-rule-feature-select")).to_contain_text(
            "Slope 10 90 (leak-test)", timeout=SLOW)
        rule_features = _options(page, "#dashboard-rule-feature-select")
        assert "Slope 10 90 (leak-test) · mbar/s" in rule_features
        assert all(any(p.name in f for p in plants.PROCESSES) for f in rule_features)
        if size == "desktop":  # an SPC alert rule on a computed feature
            page.fill("#dashboard-rule-name-input", "Rivet force drifts")
            page.select_option("#dashboard-rule-kind-select", "spc_rule")
            page.select_option("#dashboard-rule-feature-select", "riveting::peak_y")
            page.click("#dashboard-rule-add-button")
            expect(page.locator("#dashboard-rules-div")).to_contain_text(
                "Rivet force drifts · peak_y (riveting) over 60 min · warning", timeout=SLOW)
        quiet(page)
        _no_demo_name(page)
        screenshot(page, f"other-plant-dashboard-{size}")


def test_the_explorer_shows_curves_ingested_while_it_is_open(page: Page, plant: Plant) -> None:
    sign_in(page, plant.app.url, *plant.login)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(plant.app.url + explorer_url(plant.cluster_id,
                                           ExplorerState(process="riveting")))
    expect(page.locator("#explorer-process-select")).to_contain_text("riveting", timeout=SLOW)
    summary = page.locator("#explorer-summary-div")
    expect(summary).to_contain_text("24 curves", timeout=SLOW)
    _no_demo_name(page)
    screenshot(page, "other-plant-explorer")
    more = plants.curve_table(curves=5, seed=29, serial_prefix="TL",
                              processes=(plants.process("riveting"),))
    _ingest(plant.app, plant.http, plant.cluster_id, more, batch="rl-2")
    finished = time.monotonic()
    expect(summary).to_contain_text("29 curves", timeout=SLOW)
    seen_after = time.monotonic() - finished
    assert seen_after < 5.0, seen_after
    screenshot(page, "other-plant-explorer-after-ingest")
