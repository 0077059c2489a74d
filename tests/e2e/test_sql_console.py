"""The cluster console shows a real connection; the SQL console runs, pages, exports and
remembers statements, as drawn in the browser."""

from __future__ import annotations

import io
import re

import pyarrow.parquet as pq
from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess

SIZES = {"desktop": (1440, 900), "tablet": (820, 1180), "phone": (390, 844)}
QUERY = "SELECT number AS n, number * 2 AS twice FROM numbers(60)"


def _demo_cluster(page: Page, url: str) -> str:
    page.goto(f"{url}/clusters")
    link = page.locator("#clusters-list-table a[href^='/clusters/']").first
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/clusters/\d+", href), href
    return href.rsplit("/", 1)[1]


def _cells(page: Page) -> list[str]:
    return page.locator("#sql-result-div tbody tr").first.locator("td").all_inner_texts()


def test_the_connection_panel_and_the_sql_console(page: Page, live_app: AppProcess,
                                                  admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    cluster = _demo_cluster(page, live_app.url)
    page.goto(f"{live_app.url}/clusters/{cluster}")
    panel = page.locator("#cluster-connection-div")
    expect(page.locator("#cluster-connection-url-code")).to_have_text(
        re.compile(r"^https?://[^/]+:\d+$"), timeout=60_000)
    expect(panel).not_to_contain_text("POST /api/v1/clusters")
    expect(page.locator("#cluster-snippet-clickhouse-connect-code")).to_contain_text(
        "clickhouse_connect.get_client(")
    panel.get_by_role("tab", name="curl").click()
    expect(page.locator("#cluster-snippet-curl-code")).to_contain_text("X-ClickHouse-User")
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        quiet(page)
        screenshot(page, f"cluster-connection-{name}")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.click("#cluster-sql-console-link")
    expect(page).to_have_url(re.compile(rf"/clusters/{cluster}/sql$"))
    expect(page.locator("#sql-role-note-div")).to_contain_text("You are admin")
    parts = page.locator("#sql-schema-div summary button", has_text=re.compile(r"^parts$"))
    expect(parts).to_be_visible()
    parts.click()  # a click inserts the name into the editor
    expect(page.locator("#sql-editor-textarea")).to_have_value("parts")

    editor = page.locator("#sql-editor-textarea")
    style = editor.evaluate("e => { const s = getComputedStyle(e); "
                            "return [s.fontFamily, s.backgroundColor]; }")
    assert "monospace" in style[0] and style[1] == "rgb(30, 31, 36)", style
    page.fill("#sql-editor-textarea", QUERY)
    page.click("#sql-run-button")
    expect(page.locator("#sql-summary-div")).to_contain_text("60 rows")
    expect(page.locator("#sql-summary-div")).to_contain_text("rows read")
    expect(page.locator("#sql-page-label")).to_have_text("Rows 1–25 of 60 · page 1 of 3")
    assert _cells(page) == ["0", "0"]
    page.click("#sql-next-button")
    expect(page.locator("#sql-page-label")).to_have_text("Rows 26–50 of 60 · page 2 of 3")
    assert _cells(page) == ["25", "50"]

    with page.expect_download() as csv_download:
        page.click("#sql-export-csv-button")
    csv = csv_download.value
    assert csv.suggested_filename.endswith(".csv")
    lines = open(csv.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[:3] == ['"n","twice"', "0,0", "1,2"] and len(lines) == 61
    with page.expect_download() as parquet_download:
        page.click("#sql-export-parquet-button")
    with open(parquet_download.value.path(), "rb") as handle:
        table = pq.read_table(io.BytesIO(handle.read()))
    assert table.num_rows == 60 and table.column("twice").to_pylist()[-1] == 118

    history = page.locator("#sql-history-div button").first
    expect(history).to_contain_text(QUERY)
    expect(history).to_contain_text("ok")
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        quiet(page)
        screenshot(page, f"sql-console-{name}")

    page.select_option("#sql-page-size-select", "50")
    expect(page.locator("#sql-page-label")).to_have_text("Rows 1–50 of 60 · page 1 of 2")
    expect(page.locator("#sql-result-div tbody tr")).to_have_count(50)

    page.fill("#sql-editor-textarea", "SELECT * FROM system.users")
    page.press("#sql-editor-textarea", "Control+Enter")  # runs like the button
    expect(page.locator("#sql-error-div")).to_contain_text(
        "Not run: Only the tables of the database")
    expect(page.locator("#sql-result-div")).not_to_contain_text("twice")
    expect(page.locator("#sql-history-div button").first).to_contain_text("refused")
    expect(page.locator("#sql-history-div button").first.locator(".badge")).to_have_class(
        re.compile(r"bg-warning"))
    expect(page.locator("#sql-history-div button").nth(1).locator(".badge")).to_have_class(
        re.compile(r"bg-success"))
    page.locator("#sql-history-div button").nth(1).click()  # reload the earlier query
    expect(page.locator("#sql-editor-textarea")).to_have_value(QUERY)
