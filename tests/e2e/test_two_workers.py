"""The explorer's polled jobs in Chromium on an app served by two web processes, as ``make
run`` serves it on two cores: the page's polls reach either process, and the outlier
ranking and the export of every filtered curve still arrive (their state is published in
the shared cache, not kept by the process that started them)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import app_fixture, sign_in
from tests.servers import AppProcess

two_workers = app_fixture("two_workers", "The small demo served by two web processes.",
                          workers=2)


def test_rankings_and_an_export_arrive_whichever_process_answers(
        page: Page, two_workers: AppProcess) -> None:
    sign_in(page, two_workers.url, *two_workers.first_admin())
    info = page.locator("#explorer-outliers-info-div")
    for _ in range(3):  # three rankings, each polled until it is in
        page.goto(f"{two_workers.url}/clusters/1/explorer")
        expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
            timeout=60_000)
        expect(info).to_contain_text("most deviating", timeout=60_000)
        assert "no longer kept" not in info.inner_text()
        expect(page.locator("#explorer-outliers-table tbody tr").first).to_be_visible()

    page.get_by_role("tab", name="Export").click()
    page.click("#explorer-export-all-button")
    link = page.locator("#explorer-export-all-link")
    expect(link).to_be_visible(timeout=90_000)
    expect(page.locator("#explorer-export-all-progress")).to_contain_text("100 %")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("curves-all.")
    with open(download.value.path(), encoding="utf-8", errors="replace") as exported:
        assert "curve_id" in exported.readline()
