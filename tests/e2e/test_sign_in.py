"""A person signs in, sees the navigation and the demo cluster, signs out, and is refused."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import page_session, screenshot, sign_in
from tests.servers import AppProcess


def test_sign_in_navigate_sign_out(page: Page, live_app: AppProcess,
                                   admin_login: tuple[str, str]) -> None:
    page.goto(live_app.url + "/")
    expect(page).to_have_url(live_app.url + "/login")
    screenshot(page, "login")
    sign_in(page, live_app.url, *admin_login)
    expect(page.locator("#nav-user-label")).to_have_text("admin@lyceum.local")
    for link in ("Overview", "Engine", "Roles"):
        expect(page.locator("#shell-navbar")).to_contain_text(link)
    card = page.locator("#overview-cluster-1-card")
    expect(card).to_contain_text("Demo plant")
    expect(card).to_contain_text("running")
    expect(card).to_contain_text("Curves")
    screenshot(page, "overview")

    page.click("#nav-engine-link")
    expect(page.locator("#engine-volumes-table")).to_contain_text("archive")
    screenshot(page, "engine")

    cookies = page.context.cookies()
    page.click("#nav-signout-button")
    expect(page.locator("#login-notice")).to_have_text("You have signed out.")
    page.goto(live_app.url + "/engine")
    expect(page).to_have_url(live_app.url + "/login?next=/engine")
    # The old session cookie is dead server-side, not only deleted in this browser.
    session = requests.Session()
    for cookie in cookies:
        session.cookies.set(cookie["name"], cookie["value"])
    assert session.post(live_app.url + "/_dash-update-component", json={},
                        headers={"Origin": live_app.url}).status_code == 401


def test_wrong_password_shows_message(page: Page, live_app: AppProcess) -> None:
    sign_in(page, live_app.url, "admin@lyceum.local", "not-the-password")
    expect(page.locator("#login-error")).to_have_text(
        "The e-mail address or password is incorrect.")
    screenshot(page, "login-error")


def test_raw_callback_post_without_session_is_refused(live_app: AppProcess) -> None:
    response = requests.post(live_app.url + "/_dash-update-component",
                             json={"output": "overview-clusters-div.children", "inputs": []})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert requests.get(live_app.url + "/healthz").json()["status"] == "ok"


def test_viewer_sees_no_admin_pages(page: Page, live_app: AppProcess) -> None:
    result = live_app.cli("create-user", "--email", "vera.viewer@example.com", "--cluster",
                          "demo_plant", "--role", "viewer", "--password-stdin",
                          stdin="viewer password 123\n")
    assert result.returncode == 0, result.stderr
    sign_in(page, live_app.url, "vera.viewer@example.com", "viewer password 123")
    expect(page.locator("#overview-cluster-1-card")).to_contain_text("you: viewer")
    expect(page.locator("#shell-navbar")).not_to_contain_text("Engine")
    page.goto(live_app.url + "/engine")
    expect(page.locator("#shell-content")).to_contain_text("Only administrators can do this.")
    screenshot(page, "viewer-denied")
    # The callback behind the page refuses too, when posted directly with the viewer's cookie.
    session = page_session(page)
    body = {"output": "..engine-summary-div.children...engine-volumes-div.children..."
                      "engine-databases-div.children...engine-error-div.children..",
            "outputs": [{"id": i, "property": "children"} for i in
                        ("engine-summary-div", "engine-volumes-div", "engine-databases-div",
                         "engine-error-div")],
            "inputs": [{"id": "engine-load-interval", "property": "n_intervals", "value": 0}],
            "changedPropIds": ["engine-load-interval.n_intervals"], "state": []}
    response = session.post(live_app.url + "/_dash-update-component", json=body,
                            headers={"Origin": live_app.url})
    assert response.status_code == 200
    text = response.text
    assert "Only administrators can do this." in text and "archive" not in text
