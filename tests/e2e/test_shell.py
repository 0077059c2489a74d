"""The frame on every screen: the top bar collapses into a menu on tablets and phones, opens
and closes, closes on a new page, and no page scrolls sideways because of it."""

from __future__ import annotations

import re

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


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1024, 768)])
def test_the_top_bar_is_one_row_from_992px(page: Page, live_app: AppProcess,
                                           admin_login: tuple[str, str],
                                           width: int, height: int) -> None:
    """Brand, page links, part search and the user menu on one row; between 992 and 1400 px
    the links and "Account" are icons named for screen readers and in their tooltips."""
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_app.url, *admin_login)
    signout = page.locator("#nav-signout-button")
    expect(signout).to_be_in_viewport()
    expect(signout).to_have_text("Sign out")
    expect(page.locator("#shell-part-search-input")).to_be_visible()
    bar = page.locator("#shell-navbar").bounding_box()
    assert bar is not None and bar["height"] < 70, bar  # one row (it was 143 px at 1024)
    brand = page.locator("#shell-navbar .navbar-brand").bounding_box()
    button = signout.bounding_box()
    assert brand is not None and button is not None
    assert abs(button["y"] - brand["y"]) < 20, (brand, button)  # on the brand's row
    # its name stays, as words or for screen readers (after the icon font's glyph)
    clusters = page.locator("#shell-navbar").get_by_role("link", name=re.compile(r"^\W*Clusters$"))
    expect(clusters).to_have_id("nav-clusters-link")
    words = page.locator("#nav-clusters-link .nav-words")
    if width < 1400:
        expect(words).not_to_be_in_viewport()  # the icon alone is drawn
        expect(page.locator("#shell-navbar [title=Clusters]")).to_have_count(1)
        expect(page.locator("#shell-account-link")).to_have_attribute("title", "Account")
    else:
        expect(words).to_be_visible()
        expect(page.locator("#nav-user-label")).to_contain_text("admin@lyceum.local")
    quiet(page, for_ms=300)
    assert sideways(page) <= 0
    screenshot(page, f"shell-navbar-{width}x{height}")
    clusters.click()
    expect(page.locator("#clusters-list-table")).to_contain_text("Demo plant")
