"""The trace page in Chromium on the demo: type the start of a serial, pick a suggestion,
and see the part's curves drawn over the golden curve (legend entries, the values the API
returns), its features and time line; screenshots at three sizes."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess

SIZES = {"desktop": (1440, 900), "tablet": (820, 1180), "phone": (390, 844)}


def _api(page: Page, live_app: AppProcess, method: str, path: str,
         body: Any = None) -> Any:
    headers = {"Origin": live_app.url}
    url = f"{live_app.url}/api/v1/clusters/1/{path}"
    response = page.request.post(url, data=body, headers=headers) if method == "POST" \
        else page.request.get(url, headers=headers)
    assert response.ok, response.text()[:300]
    return response.json()


def _serial_with_press_fit(page: Page, live_app: AppProcess) -> dict[str, Any]:
    """A demo serial that has a press-fit curve, and its record from the API."""
    for item in _api(page, live_app, "GET", "parts?search=LC-&limit=25")["items"]:
        if item["n_curves"]:
            record = _api(page, live_app, "GET", f"parts/{item['serial']}")
            if any(c["process"] == "press-fit" for c in record["curves"]):
                return record
    raise AssertionError("no demo serial with a press-fit curve")


def test_search_a_serial_and_see_its_curves_over_the_golden_curve(
        page: Page, live_app: AppProcess, admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.wait_for_url(f"{live_app.url}/")
    _api(page, live_app, "POST", "golden-curves",
         {"filter": {"process": "press-fit"}, "name": "press-fit reference"})
    record = _serial_with_press_fit(page, live_app)
    serial = record["serial"]

    page.goto(f"{live_app.url}/clusters/1/trace")
    expect(page.locator(".empty-state")).to_contain_text("Trace a part")
    page.locator("#trace-search-input").click()
    page.keyboard.type(serial[:-1], delay=60)
    expect(page.locator("#trace-search-input")).to_have_value(serial[:-1])
    option = page.locator(".trace-suggestion", has_text=serial).first
    expect(option).to_be_visible(timeout=20_000)
    option.click()
    page.wait_for_url(f"**/clusters/1/trace?serial={serial}")

    expect(page.locator("#trace-summary-div")).to_contain_text(serial, timeout=30_000)
    press = page.locator(".js-plotly-plot", has=page.locator(".legendtext",
                                                              has_text="press-fit reference"))
    expect(press).to_have_count(1, timeout=30_000)
    curve = next(c for c in record["curves"] if c["process"] == "press-fit")
    legend = press.locator(".legendtext")
    expect(legend.filter(has_text="golden: press-fit reference v1")).to_be_visible()
    expect(legend.filter(has_text="golden band")).to_be_visible()
    expect(legend.filter(has_text=f"{curve['station']} · ")).to_be_visible()
    drawn = press.evaluate("el => el.data.map(t => ({name: t.name, x: t.x, y: t.y}))")
    line = next(t for t in drawn if t["name"] and t["name"].startswith(curve["station"]))
    assert line["x"] == curve["x"] and line["y"] == curve["y"]
    centre = next(t for t in drawn if t["name"] and t["name"].startswith("golden:"))
    assert centre["y"] == curve["golden"]["center"] and len(centre["y"]) > 50
    colours = press.evaluate("el => Array.from(el.querySelectorAll('.scatterlayer .trace "
                             "path.js-line')).map(p => getComputedStyle(p).stroke)")
    assert "rgb(184, 134, 11)" in colours  # the golden centre's colour

    n_processes = len({c["process"] for c in record["curves"]})
    expect(page.locator("#trace-charts-div .js-plotly-plot")).to_have_count(n_processes)
    timeline = page.locator("#trace-timeline-table")
    expect(timeline).to_contain_text("press-fit curve at")
    expect(timeline).to_contain_text("part result at")
    first_feature = curve["features"][0]["feature"]
    expect(page.locator("#trace-features-table")).to_contain_text(first_feature)
    quiet(page)
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        quiet(page, for_ms=400)
        screenshot(page, f"trace-{name}")


def test_a_deep_link_opens_the_part_and_an_unknown_serial_says_so(
        page: Page, live_app: AppProcess, admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.wait_for_url(f"{live_app.url}/")
    record = _serial_with_press_fit(page, live_app)
    page.goto(f"{live_app.url}/clusters/1/trace?serial={record['serial']}")
    expect(page.locator("#trace-summary-div")).to_contain_text(record["serial"],
                                                               timeout=30_000)
    page.goto(f"{live_app.url}/clusters/1/trace?serial=NO-SUCH-PART")
    expect(page.locator("#trace-error-div")).to_contain_text(
        "No part with that serial on this cluster.", timeout=30_000)
    page.fill("#trace-search-input", record["serial"])
    page.press("#trace-search-input", "Enter")
    expect(page.locator("#trace-summary-div")).to_contain_text(record["serial"],
                                                               timeout=30_000)
