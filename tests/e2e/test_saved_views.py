"""Views saved to a project from the dashboard and the explorer reopen as they were saved."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess


def pid(kind: str, page: str) -> str:
    """The CSS selector of a save-to-project element (pattern ids are JSON in the DOM)."""
    return f'[id=\'{{"page":"{page}","type":"{kind}"}}\']'


def test_dashboard_view_saved_to_a_project_reopens(page: Page, live_app: AppProcess,
                                                   admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    expect(page.locator("#nav-user-label")).to_be_visible()
    created = page.request.post(f"{live_app.url}/api/v1/clusters/1/projects",
                                data={"name": "Saved views", "project_type": "custom"},
                                headers={"Origin": live_app.url})
    assert created.status == 201, created.text()
    page.goto(f"{live_app.url}/clusters/1/dashboard")
    page.select_option("#dashboard-window-select", "7d")
    page.click(pid("save-to-project-open", "dashboard"))
    expect(page.locator(pid("save-to-project-project", "dashboard"))).to_contain_text(
        "Saved views")
    page.select_option(pid("save-to-project-project", "dashboard"), label="Saved views")
    page.fill(pid("save-to-project-name", "dashboard"), "Last week")
    page.click(pid("save-to-project-save", "dashboard"))
    expect(page.locator(pid("save-to-project-feedback", "dashboard"))).to_contain_text("Saved")
    screenshot(page, "dashboard-saved")
    project = created.json()["id"]
    assets = page.request.get(f"{live_app.url}/api/v1/clusters/1/projects/{project}").json()
    saved = [a for a in assets["assets"] if a["name"] == "Last week"]
    assert saved, assets
    page.goto(f"{live_app.url}{saved[0]['url']}")
    expect(page.locator("#dashboard-window-select")).to_have_value("7d")


ANALYST = ("personal-views@plant.example", "personal views password")
VIEWER = ("personal-viewer@plant.example", "personal viewer password")


def test_an_analyst_keeps_personal_views_that_reopen_exactly(page: Page,
                                                             live_app: AppProcess) -> None:
    for (email, password), role in ((ANALYST, "analyst"), (VIEWER, "viewer")):
        live_app.cli("create-user", "--email", email, "--cluster", "demo_plant", "--role",
                     role, "--password-stdin", stdin=password + "\n")
    sign_in(page, live_app.url, *ANALYST)
    expect(page.locator("#nav-user-label")).to_be_visible()
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
        timeout=30_000)
    quiet(page)
    opened = page.url
    page.select_option("#explorer-range-select", "7d")
    page.wait_for_function("(u) => window.location.href !== u", arg=opened)
    quiet(page)
    saved_address = page.url
    page.fill(pid("personal-views-name", "explorer"), "Last week")
    page.click(pid("personal-views-save", "explorer"))
    expect(page.locator(pid("personal-views-feedback", "explorer"))).to_contain_text(
        "Saved “Last week”.")
    page.select_option("#explorer-range-select", "24h")  # another view
    page.wait_for_function("(u) => window.location.href !== u", arg=saved_address)
    page.click(f"{pid('personal-views-menu', 'explorer')} button")
    page.locator(".dropdown-item", has_text="Last week").click()
    expect(page.locator("#explorer-range-select")).to_have_value("7d", timeout=20_000)
    quiet(page)
    assert page.url == saved_address
    screenshot(page, "explorer-personal-view")

    page.context.clear_cookies()
    sign_in(page, live_app.url, *VIEWER)
    expect(page.locator("#nav-user-label")).to_be_visible()
    page.goto(saved_address)
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
        timeout=30_000)
    quiet(page)
    expect(page.locator(pid("personal-views-box", "explorer"))).to_be_hidden()
