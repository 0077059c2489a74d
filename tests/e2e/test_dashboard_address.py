"""The live dashboard's view lives in the address: choosing a window, a line or a chart
writes it, reload and Back/Forward show those choices again (and the panels they draw), and
a forged address opens the default view under a clear message."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess

VIEWER = ("dashboard-address@plant.example", "dashboard address password")
WINDOW, KIND, LINE = "#dashboard-window-select", "#dashboard-spc-kind-select", \
    "#dashboard-line-select"


def _open(page: Page, app: AppProcess, query: str = "") -> None:
    sign_in(page, app.url, *VIEWER)
    expect(page.locator("#nav-user-label")).to_be_visible()
    page.goto(f"{app.url}/clusters/1/dashboard{query}")
    expect(page.locator("#dashboard-parts-span")).not_to_have_text("—", timeout=30_000)
    quiet(page)


def _moved(page: Page, before: str) -> str:
    page.wait_for_function("(b) => window.location.href !== b", arg=before)
    quiet(page)
    return page.url


def test_choices_survive_reload_and_back_forward(page: Page, live_app: AppProcess) -> None:
    live_app.cli("create-user", "--email", VIEWER[0], "--cluster", "demo_plant", "--role",
                 "viewer", "--password-stdin", stdin=VIEWER[1] + "\n")
    _open(page, live_app)
    first = page.url
    assert "spc_feature=" in first and "window=" not in first, first

    page.select_option(WINDOW, "7d")
    week = _moved(page, first)
    assert "window=7d" in week
    offered = page.locator(f"{LINE} option").evaluate_all("os => os.map(o => o.value)")
    line = next(v for v in offered if v not in ("", "all"))
    page.select_option(LINE, line)
    lined = _moved(page, week)
    page.select_option(KIND, "imr")
    imr = _moved(page, lined)
    assert "spc_kind=imr" in imr
    expect(page.locator("#dashboard-spc-graph")).to_contain_text("MR", timeout=30_000)
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        expect(page.locator(WINDOW)).to_be_visible()
        screenshot(page, f"dashboard-address-{width}")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.reload()
    expect(page.locator(WINDOW)).to_have_value("7d", timeout=30_000)
    expect(page.locator(KIND)).to_have_value("imr")
    expect(page.locator(LINE)).to_have_value(line)
    assert page.url == imr

    page.go_back()
    expect(page.locator(KIND)).to_have_value("xbar_r", timeout=20_000)
    expect(page.locator(LINE)).to_have_value(line)
    page.go_back()
    expect(page.locator(LINE)).to_have_value("all", timeout=20_000)
    expect(page.locator(WINDOW)).to_have_value("7d")
    page.go_back()
    expect(page.locator(WINDOW)).to_have_value("24h", timeout=20_000)
    page.go_forward()
    expect(page.locator(WINDOW)).to_have_value("7d", timeout=20_000)
    quiet(page)
    assert page.url == week


def test_a_forged_address_shows_the_default_view_and_why(page: Page,
                                                          live_app: AppProcess) -> None:
    live_app.cli("create-user", "--email", VIEWER[0], "--cluster", "demo_plant", "--role",
                 "viewer", "--password-stdin", stdin=VIEWER[1] + "\n")
    _open(page, live_app, "?window=1y&line=%27%20OR%201%3D1")
    expect(page.locator("#dashboard-view-error-div")).to_contain_text(
        "This dashboard link names choices this cluster does not have (window)")
    expect(page.locator(WINDOW)).to_have_value("24h")
    assert not re.search(r"window=|line=", page.url), page.url
