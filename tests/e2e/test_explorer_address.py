"""The explorer's whole view lives in the address: each change writes it, reload and
Back/Forward restore exactly what was drawn (filter chips, zoomed axes, evaluation objects),
a share link is absolute and reopens the same view, and a forged address opens the default
view under a clear message."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess

ANALYST = ("explorer-address@plant.example", "explorer address password")
IMAGE = "#explorer-graph .imagelayer image"
SHAPES = "#explorer-graph .shapelayer path"
SIZES = ((1440, 900), (820, 1180), (390, 844))


def _open(page: Page, app: AppProcess) -> None:
    app.cli("create-user", "--email", ANALYST[0], "--cluster", "demo_plant", "--role",
            "analyst", "--password-stdin", stdin=ANALYST[1] + "\n")
    sign_in(page, app.url, *ANALYST)
    page.goto(f"{app.url}/clusters/1/explorer")
    expect(page.locator(IMAGE).first).to_be_visible(timeout=30_000)
    quiet(page)


def _axes(page: Page) -> dict[str, Any]:
    """The drawn x and y ranges and the objects' names on the figure."""
    found: dict[str, Any] = page.evaluate("""() => {
        const g = document.querySelector('#explorer-graph .js-plotly-plot');
        return {x: g._fullLayout.xaxis.range, y: g._fullLayout.yaxis.range,
                shapes: (g.layout.shapes || []).length};
    }""")
    return found


def _close(a: list[float], b: list[float]) -> bool:
    span = abs(b[1] - b[0]) or 1.0
    return all(abs(p - q) < span * 0.02 for p, q in zip(a, b, strict=True))


def _choose(page: Page, select_id: str, option: str) -> None:
    page.click(f"#{select_id}")
    page.locator("[role=listbox] [role=option]").filter(has_text=option).first.click()
    page.keyboard.press("Escape")


def _zoom(page: Page) -> None:
    box = page.locator("#explorer-graph .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7, steps=5)
    page.mouse.up()


def _changed(page: Page, before: str) -> str:
    """Wait until the address differs from ``before``; the new address."""
    page.wait_for_function("(before) => window.location.href !== before", arg=before)
    quiet(page)
    return page.url


def test_reload_back_forward_and_share_restore_what_is_drawn(page: Page,
                                                             live_app: AppProcess) -> None:
    _open(page, live_app)
    assert re.search(r"/clusters/1/explorer\?s=1[\w-]+$", page.url), page.url
    first = page.url
    page.evaluate("() => { window.__sameDocument = true; }")

    _choose(page, "explorer-results-select", "NOK")
    filtered = _changed(page, first)
    chips = page.locator("#explorer-results-select")
    expect(chips).to_contain_text("NOK")

    _zoom(page)
    zoomed_url = _changed(page, filtered)
    zoomed = _axes(page)

    page.get_by_role("tab", name="Evaluation").click()
    page.click("#explorer-add-window-button")
    expect(page.locator("#explorer-whatif-result")).to_contain_text("NOK", timeout=20_000)
    with_object = _changed(page, zoomed_url)
    expect(page.locator(SHAPES)).to_have_count(1)
    # every change was a new history entry of the same document (no page load)
    assert page.evaluate("() => window.__sameDocument === true")
    screenshot(page, "explorer-address-before-reload")

    page.reload()
    expect(page.locator(IMAGE).first).to_be_visible(timeout=30_000)
    quiet(page)
    assert page.url == with_object
    expect(chips).to_contain_text("NOK")
    expect(page.locator(SHAPES)).to_have_count(1)
    shown = _axes(page)
    assert _close(shown["x"], zoomed["x"]) and _close(shown["y"], zoomed["y"]), (shown, zoomed)
    page.get_by_role("tab", name="Evaluation").click()
    expect(page.locator("#explorer-objects-table")).to_contain_text("W1")
    # the outlier table judges by the object without pressing Apply
    expect(page.locator("#explorer-outliers-info-div")).to_contain_text("Evaluation objects")

    page.go_back()
    page.wait_for_function("(u) => window.location.href === u", arg=zoomed_url)
    expect(page.locator(SHAPES)).to_have_count(0, timeout=20_000)
    quiet(page)
    expect(chips).to_contain_text("NOK")
    shown = _axes(page)
    assert _close(shown["x"], zoomed["x"]), (shown, zoomed)

    page.go_back()
    page.wait_for_function("(u) => window.location.href === u", arg=filtered)
    page.wait_for_function("""(zx) => {
        const g = document.querySelector('#explorer-graph .js-plotly-plot');
        return g && Math.abs(g._fullLayout.xaxis.range[0] - zx) > 1e-6;
    }""", arg=zoomed["x"][0])
    quiet(page)
    expect(chips).to_contain_text("NOK")

    page.go_back()
    page.wait_for_function("(u) => window.location.href === u", arg=first)
    expect(chips).not_to_contain_text("NOK", timeout=20_000)

    page.go_forward()
    page.go_forward()
    page.go_forward()
    page.wait_for_function("(u) => window.location.href === u", arg=with_object)
    expect(page.locator(SHAPES)).to_have_count(1, timeout=20_000)
    quiet(page)
    expect(chips).to_contain_text("NOK")

    page.get_by_role("tab", name="Export").click()
    page.click("#explorer-share-button")
    share = page.locator("#explorer-share-input")
    expect(share).to_have_value(re.compile(r"^http://[\w.:]+/clusters/1/explorer\?s=1[\w-]+$"))
    link = share.input_value()
    assert link == with_object
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        expect(page.locator("#explorer-share-button")).to_be_visible()
        screenshot(page, f"explorer-address-share-{width}")

    other = page.context.new_page()
    other.goto(link)
    expect(other.locator(IMAGE).first).to_be_visible(timeout=30_000)
    quiet(other)
    expect(other.locator("#explorer-results-select")).to_contain_text("NOK")
    expect(other.locator(SHAPES)).to_have_count(1)
    shown = _axes(other)
    assert _close(shown["x"], zoomed["x"]) and _close(shown["y"], zoomed["y"]), (shown, zoomed)
    other.close()


def test_a_forged_address_opens_the_default_view_under_a_message(page: Page,
                                                                  live_app: AppProcess) -> None:
    _open(page, live_app)
    page.goto(f"{live_app.url}/clusters/1/explorer?s=1AAAA")
    expect(page.locator("#explorer-error-div")).to_contain_text("The explorer link is not valid")
    expect(page.locator(IMAGE).first).to_be_visible(timeout=30_000)
    quiet(page)
    # the address now names the view shown (replaced: Back leaves the forged address)
    assert "s=1AAAA" not in page.url and "?s=1" in page.url
    page.goto(f"{live_app.url}/clusters/1/explorer?s=" + "A" * 7_700)
    expect(page.locator("#explorer-error-div")).to_contain_text("too long")
