"""The explorer's export of every filtered curve in Chromium: start the job, watch the
progress bar reach 100 %, download the file and read it back whole."""

from __future__ import annotations

import polars as pl
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.servers import AppProcess


def test_export_all_filtered_curves_with_progress(page: Page, live_app: AppProcess,
                                                  admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.wait_for_url(f"{live_app.url}/")
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
        timeout=30_000)
    page.get_by_role("tab", name="Export").click()
    page.select_option("#explorer-export-all-format-select", "parquet")
    page.click("#explorer-export-all-button")
    progress = page.locator("#explorer-export-all-progress")
    expect(progress).to_be_visible(timeout=20_000)
    link = page.locator("#explorer-export-all-link")
    expect(link).to_be_visible(timeout=60_000)
    expect(progress).to_contain_text("100 %")
    status = page.locator("#explorer-export-all-status-div").inner_text()
    n_curves = int(status.split("Ready: ", 1)[1].split(" curves", 1)[0].replace(",", ""))
    expected = page.request.get(f"{live_app.url}/api/v1/clusters/1/curves?process=press-fit"
                                "&limit=1", headers={"Origin": live_app.url}).json()["total"]
    assert 0.9 * expected <= n_curves <= expected  # the live feed adds curves meanwhile
    screenshot(page, "explorer-export-all")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "curves-all.parquet"
    frame = pl.read_parquet(download.value.path())
    assert frame["curve_id"].n_unique() == n_curves
    assert frame.columns[-3:] == ["idx", "x", "y"]
