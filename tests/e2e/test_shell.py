"""The frame on every screen: the top bar collapses into a menu on tablets and phones, opens
and closes, closes on a new page, and no page scrolls sideways because of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess

SIZES = [(1440, 900), (820, 1180), (390, 844)]


def sideways(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits)."""
    return int(page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_top_bar_fits_and_collapses_below_992px(page: Page, live_app: AppProcess,
                                                   admin_login: tuple[str, str],
                                                   width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_app.url, *admin_login)
    expect(page.locator("#shell-navbar")).to_be_visible()
    toggle, signout = page.locator("#shell-navbar-toggle"), page.locator("#nav-signout-button")
    if width >= 992:
        expect(toggle).to_be_hidden()
        expect(signout).to_be_in_viewport()
    else:
        expect(toggle).to_be_visible()
        expect(signout).to_be_hidden()
        bar = page.locator("#shell-navbar").bounding_box()
        assert bar is not None and bar["height"] < 80, bar  # one row, not 270 px
        toggle.click()
        expect(signout).to_be_in_viewport()
        expect(page.locator("#nav-clusters-link")).to_be_visible()
        screenshot(page, f"shell-menu-open-{width}")
        page.click("#nav-clusters-link")
        expect(page.locator("#clusters-list-table")).to_contain_text("Demo plant")
        expect(signout).to_be_hidden()  # the new page closed the menu
    quiet(page, for_ms=300)
    assert sideways(page) <= 0
    for path in ("/", "/clusters", "/clusters/1", "/clusters/1/dashboard"):
        page.goto(f"{live_app.url}{path}")
        expect(page.locator("#shell-navbar")).to_be_visible()
        quiet(page)
        assert sideways(page) <= 0, (path, width)
    screenshot(page, f"shell-dashboard-{width}")
