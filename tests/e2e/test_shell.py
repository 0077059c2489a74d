"""The frame on every screen: the top bar collapses into a menu on tablets and phones, opens
and closes, closes on a new page, and no page scrolls sideways because of it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sideways, sign_in, sticking_out, tab_rows
from tests.servers import AppProcess

SIZES = [(1440, 900), (820, 1180), (390, 844)]
#: Every page an administrator opens (the demo cluster is cluster 1), with what shows it drawn.
PAGES = [("/", "#nav-user-label"), ("/clusters", "#clusters-list-table"),
         ("/clusters/new", "#wizard-stepper-div"), ("/clusters/1", "#cluster-snippet-tabs"),
         ("/clusters/1/sql", "#shell-cluster-nav"),
         ("/clusters/1/team", "#team-members-div tr"),
         ("/clusters/1/tokens", "#shell-cluster-nav"),
         ("/clusters/1/import", "#shell-cluster-nav"),
         ("/clusters/1/projects", "#shell-cluster-nav"),
         ("/clusters/1/trace", "#trace-search-input"),
         ("/audit", "#shell-navbar"), ("/engine", "#engine-volumes-table td"),
         ("/roles", "#roles-matrix-table td")]


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


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_page_fits_and_nothing_sticks_out_of_its_card(
        page: Page, live_app: AppProcess, admin_login: tuple[str, str],
        width: int, height: int) -> None:
    """The walk of 2026-12-04 (docs/walks/) found the team's members, the engine's volumes and
    the roles' matrix wider than a phone (the page scrolled sideways by 184-349 px), the team's
    role pickers too narrow to show their role, and the console's snippet tabs on two lines."""
    live_app.cli("create-user", "--email", "fits@plant.example", "--cluster", "demo_plant",
                 "--role", "analyst", "--password-stdin", stdin="fits walk password\n")
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_app.url, *admin_login)
    expect(page.locator("#shell-navbar")).to_be_visible()
    for path, drawn in PAGES:
        page.goto(f"{live_app.url}{path}")
        expect(page.locator(drawn).first).to_be_attached()
        quiet(page)
        assert sideways(page) <= 0, (path, width)
        assert sticking_out(page) == [], (path, width)
        if path == "/clusters/1":
            assert tab_rows(page, "#cluster-snippet-tabs") == 1
            # The cluster's pages: one row (on a phone it scrolls sideways within itself).
            assert tab_rows(page, "#cluster-nav-1 .cluster-nav") == 1, width
            expect(page.locator("#cluster-snippet-tabs")).to_contain_text("Node.js")
            # Every tab whole inside the card, not scrolled to (the walks saw "Node" cut).
            assert page.locator("#cluster-snippet-tabs").evaluate(
                "row => row.scrollWidth <= row.clientWidth"), width
        if path == "/clusters/1/team":
            pickers = page.locator("#team-members-div select").evaluate_all(
                "all => all.map(s => s.getBoundingClientRect().width)")
            assert pickers and min(pickers) >= 96, pickers  # "analyst" shows whole
        if path in ("/clusters/1/team", "/engine", "/roles"):
            screenshot(page, f"shell-fits{path.replace('/', '-')}-{width}")
