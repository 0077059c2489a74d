"""The curve explorer in Chromium on the demo: density + golden curve, a zoom re-aggregates,
an outlier row highlights its part, exports download, and a shared link reopens the view."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import quiet, screenshot, sideways, sign_in, sticking_out, tab_rows
from tests.servers import AppProcess

ANALYST = ("explorer-analyst@plant.example", "analyst password long enough")


def _analyst(live_app: AppProcess) -> tuple[str, str]:
    live_app.cli("create-user", "--email", ANALYST[0], "--cluster", "demo_plant", "--role",
                 "analyst", "--password-stdin", stdin=ANALYST[1] + "\n")
    return ANALYST


def test_explore_zoom_click_export_and_share(page: Page, live_app: AppProcess) -> None:
    sign_in(page, live_app.url, *_analyst(live_app))
    page.goto(f"{live_app.url}/clusters/1/explorer")
    image = page.locator("#explorer-graph .imagelayer image").first
    expect(image).to_be_visible(timeout=30_000)
    expect(page.locator("#explorer-outliers-info-div")).to_contain_text("most deviating")
    expect(page.locator("#explorer-graph .legendtext", has_text="Golden")).to_be_visible()
    summary = page.locator("#explorer-summary-div")
    before = summary.inner_text()
    screenshot(page, "explorer")

    box = page.locator("#explorer-graph .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7, steps=5)
    page.mouse.up()
    expect(summary).not_to_have_text(before, timeout=20_000)  # re-aggregated for the zoom
    assert re.search(r"x [0-9.]+…[0-9.]+", summary.inner_text())
    zoomed = summary.inner_text().split(", x ", 1)[1]

    page.locator("#explorer-outliers-table tbody tr").nth(2).locator("td").nth(1).click()
    expect(page.locator("#explorer-part-card")).to_contain_text("Serial")
    # Its features in words, as the dashboard names them, not as they are stored.
    expect(page.locator("#explorer-part-card")).to_contain_text("Peak force")
    expect(page.locator("#explorer-part-card")).not_to_contain_text("peak_force")
    screenshot(page, "explorer-zoomed-part")

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as outliers:
        page.click("#explorer-export-outliers-button")
    assert outliers.value.suggested_filename == "outliers.csv"
    text = open(outliers.value.path(), encoding="utf-8").read()
    assert text.startswith("rank,curve_id,serial") and text.count("\n") > 10
    with page.expect_download() as curves:
        page.click("#explorer-export-csv-button")
    assert "curve_id" in open(curves.value.path(), encoding="utf-8").readline()

    page.click("#explorer-share-button")
    share = page.locator("#explorer-share-input")
    expect(share).to_have_value(re.compile(r"^http://[\w.:]+/clusters/1/explorer\?s=1[\w-]+$"))
    page.goto(share.input_value())
    expect(page.locator("#explorer-part-card")).to_contain_text("Serial", timeout=30_000)
    expect(summary).to_contain_text(zoomed.split(",")[0], timeout=30_000)


def test_dragging_a_window_on_the_chart_updates_the_what_if(page: Page,
                                                            live_app: AppProcess) -> None:
    sign_in(page, live_app.url, *_analyst(live_app))
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
        timeout=30_000)
    page.get_by_role("tab", name="Evaluation").click()
    page.click("#explorer-add-window-button")
    expect(page.locator("#explorer-whatif-result")).to_contain_text("NOK", timeout=20_000)
    cell = page.locator("#explorer-objects-table td[data-dash-column='x0']").first
    before = cell.inner_text()
    shape = page.locator("#explorer-graph .shapelayer path").first
    expect(shape).to_be_visible()
    # the mouse acts only inside the viewport: bring the whole chart into it first (the
    # window sits over the golden band, which can be below the fold at 1280 × 860)
    page.locator("#explorer-graph").scroll_into_view_if_needed()
    box = shape.bounding_box()
    assert box is not None
    # grab the window in its middle and move it to the left
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] - 60, middle[1], steps=6)
    page.mouse.up()
    expect(cell).not_to_have_text(before, timeout=20_000)
    assert float(cell.inner_text()) < float(before)
    expect(page.locator("#explorer-whatif-result")).to_contain_text("of ")
    screenshot(page, "explorer-drag-window")


def test_a_batch_beyond_the_listed_ones_is_found_by_typing(page: Page,
                                                           live_app: AppProcess) -> None:
    sign_in(page, live_app.url, *_analyst(live_app))
    # every page: curves imported by other tests of the session may come first
    items: list[dict[str, str]] = []
    while True:
        found = page.request.get(f"{live_app.url}/api/v1/clusters/1/curves", params={
            "process": "press-fit", "limit": 100, "offset": len(items)}).json()
        items += found["items"]
        if not found["items"] or len(items) >= found["total"]:
            break
    newest = max((i for i in items if i["batch"].startswith("LOT-")), key=lambda i: i["batch"])
    page.goto(f"{live_app.url}/clusters/1/explorer")
    summary = page.locator("#explorer-summary-div")
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
        timeout=30_000)
    before = summary.inner_text()
    page.click("#explorer-batches-select")
    options = page.locator("[role=listbox] [role=option]")
    expect(options.first).to_be_visible()
    assert newest["batch"] not in options.all_inner_texts()  # newest: sorts late
    page.keyboard.type(newest["batch"].lower())
    found = options.filter(has_text=newest["batch"])
    expect(found).to_have_count(1, timeout=20_000)
    screenshot(page, "explorer-batch-search")
    found.click()
    page.keyboard.press("Escape")
    expect(summary).not_to_have_text(before, timeout=20_000)
    expect(page.locator("#explorer-batches-select")).to_contain_text(newest["batch"])


def test_a_resize_while_a_zoom_is_on_its_way_keeps_the_zoom(page: Page,
                                                            live_app: AppProcess) -> None:
    """Plotly reports a resize as a relayout 0.1 s later; it must not make Dash drop the
    answer to a zoom that is still on its way (the view would stay stretched)."""
    sign_in(page, live_app.url, *_analyst(live_app))
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-outliers-table td").first).to_be_visible(timeout=30_000)

    def slow_zoom(route: Route) -> None:
        if '"xaxis.range' in (route.request.post_data or ""):
            time.sleep(0.5)
        route.continue_()
    page.route("**/_dash-update-component", slow_zoom)
    page.evaluate("""() => {
        const graph = document.querySelector('#explorer-graph .js-plotly-plot');
        Plotly.Plots.resize(graph);
        Plotly.relayout(graph, {'xaxis.range': [3, 6], 'yaxis.range': [5, 20]});
    }""")
    expect(page.locator("#explorer-summary-div")).to_contain_text("x 3…6", timeout=20_000)


REASON = re.compile(r"(late|early) (knee|drop) at x [0-9.e-]+ \([+-][0-9.e-]+\)"
                    r"|peak \d+ % (high|low) at x [0-9.e-]+|noisy.*|missing segment x .+"
                    r"|ends early at x .+|starts late at x .+"
                    r"|extra peak at x .+|dip at x .+|(high|low) around x .+"
                    r"|offset [+-]\d+ % of the range|unusual mix of .+|jagged.*"
                    r"|within the usual variation|shape differs|missing samples"
                    r"|shape differs from its (\d+ )?nearest (OK )?curves"
                    r"( at x [0-9.e-]+–[0-9.e-]+ \([+-]\d+ % of the range\))?")


def test_each_outlier_says_why_at_every_screen_size(page: Page, live_app: AppProcess) -> None:
    sign_in(page, live_app.url, *_analyst(live_app))
    page.goto(f"{live_app.url}/clusters/1/explorer")
    table = page.locator("#explorer-outliers-table")
    expect(table.locator("td").first).to_be_visible(timeout=60_000)
    # Up to yesterday: the live feed adds curves today, and the page and the API below must
    # rank the same set (a curve arriving between the two moved close ranks).
    info = page.locator("#explorer-outliers-info-div")
    everything = info.inner_text()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    page.fill("#explorer-end-input", yesterday.isoformat())
    expect(info).not_to_have_text(everything, timeout=60_000)
    expect(table.locator("th", has_text="Why")).to_be_visible()
    expect(page.locator("#explorer-outliers-info-div")).to_contain_text("aligned in x")
    reasons = table.locator("td[data-dash-column='reason']").all_inner_texts()
    scores = [float(s) for s in table.locator("td[data-dash-column='score']").all_inner_texts()]
    assert len(reasons) == 12 and all(REASON.fullmatch(r) for r in reasons), reasons
    assert reasons[0] != "within the usual variation" and scores == sorted(scores, reverse=True)
    # the API's outlier route ranks the same curves the same way, with the same words
    ids = [int(c) for c in table.locator("td[data-dash-column='curve_id']").all_inner_texts()]
    ranked = page.request.post(f"{live_app.url}/api/v1/clusters/1/outliers?limit=12",
                               data={"filter": {"end": f"{yesterday}T23:59:59.999999+00:00"}},
                               headers={"Origin": live_app.url}
                               ).json()["items"]
    assert [(i["curve_id"], i["reason"]) for i in ranked] == list(zip(ids, reasons, strict=True))
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        table.scroll_into_view_if_needed()
        expect(table.locator("td[data-dash-column='reason']").first).to_be_visible()
        screenshot(page, f"explorer-outliers-{width}x{height}")


def test_the_side_tabs_stay_one_row_and_the_golden_form_fits_its_card(
        page: Page, live_app: AppProcess) -> None:
    """The walk of 2026-12-04 (docs/walks/) found "Export" on a second row of the side tabs
    at 1440 px, and the golden curve's name field and "Save version" squeezed past the card."""
    sign_in(page, live_app.url, *_analyst(live_app))
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-outliers-table td").first).to_be_visible(timeout=60_000)
    for width, height in ((1440, 900), (1280, 860), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.get_by_role("tab", name="Golden curve").click()
        expect(page.locator("#explorer-golden-save-button")).to_be_visible()
        quiet(page, for_ms=300)
        assert tab_rows(page, "#explorer-side-tabs") == 1, width
        assert sideways(page) <= 0, width
        assert sticking_out(page) == [], width
        card = page.locator("#explorer-side-tabs").locator("xpath=ancestor::div[contains("
                                                           "@class, 'card')][1]")
        edge = card.bounding_box()
        for part in ("#explorer-golden-name-input", "#explorer-golden-save-button"):
            box = page.locator(part).bounding_box()
            assert edge and box and box["x"] + box["width"] <= edge["x"] + edge["width"], part
        if width >= 1280:  # all four tabs are seen whole, none scrolled away
            export = page.get_by_role("tab", name="Export").bounding_box()
            assert edge and export and export["x"] + export["width"] <= edge["x"] + edge["width"]
        screenshot(page, f"explorer-golden-form-{width}x{height}")
