"""Admins walk the wizard and deploy a real cluster; others are refused, forged ids too."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import page_session, quiet, screenshot, sign_in
from tests.servers import AppProcess


def field(name: str) -> str:
    """The CSS selector of a wizard input (pattern-matching ids are JSON in the DOM)."""
    return f'[id=\'{{"name":"{name}","type":"wizard-field"}}\']'


def feedback(name: str) -> str:
    """The CSS selector of the message under a wizard input."""
    return f'[id=\'{{"name":"{name}","type":"wizard-feedback"}}\']'


def test_admin_walks_the_wizard_and_deploys(page: Page, live_app: AppProcess,
                                            admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.click("#nav-clusters-link")
    expect(page.locator("#clusters-list-table")).to_contain_text("Demo plant")
    page.click("#clusters-new-button")
    expect(page.locator("#wizard-stepper-div")).to_contain_text("Basics")
    page.click("#wizard-next-button")  # empty name: refused with a message next to the field
    expect(page.locator(feedback("name"))).to_be_visible()
    page.fill(field("name"), "Line 3 press shop")
    expect(page.locator("#wizard-body-div code")).to_have_text("line_3_press_shop")
    total_before = page.locator("#wizard-estimate-total").inner_text()
    page.get_by_text("Development").click()  # the estimate follows the preset live
    expect(page.locator("#wizard-estimate-total")).not_to_have_text(total_before)
    screenshot(page, "wizard-basics")
    page.click("#wizard-next-button")
    expect(page.locator(field("nodes"))).to_have_value("1")
    page.fill(field("memory_gb_per_node"), "500")
    page.click("#wizard-next-button")
    expect(page.locator(feedback("memory_gb_per_node"))).to_be_visible()
    page.fill(field("memory_gb_per_node"), "16")
    screenshot(page, "wizard-resources")
    page.click("#wizard-next-button")
    expect(page.locator(field("warm_after_days"))).to_be_visible()
    page.reload()  # the draft lives on the server
    expect(page.locator(field("warm_after_days"))).to_be_visible()
    screenshot(page, "wizard-team")
    page.click("#wizard-next-button")
    expect(page.locator("#wizard-body-div")).to_contain_text("line_3_press_shop")
    screenshot(page, "wizard-review")
    page.click("#wizard-deploy-button")
    expect(page.locator("#cluster-status-badge")).to_have_text("running", timeout=30_000)
    # The new secret waits, shown on every refresh, until the admin says it was saved.
    expect(page.locator("#cluster-secret-alert")).to_contain_text("Save this secret now")
    secret = page.locator("#cluster-secret-value").inner_text()
    assert len(secret) >= 43
    expect(page.locator("#cluster-usage-table")).to_contain_text("archive")
    expect(page.locator("#cluster-health-score")).to_be_visible()
    expect(page.locator("#shell-cluster-nav")).to_contain_text("Console")
    screenshot(page, "cluster-console")
    page.reload()  # a page (or a response) lost before saving it loses nothing
    expect(page.locator("#cluster-status-badge")).to_have_text("running")
    expect(page.locator("#cluster-secret-value")).to_have_text(secret)
    page.click("#cluster-secret-saved-button")
    expect(page.locator("#cluster-secret-note-div")).to_contain_text("erased from the app")
    expect(page.locator("#cluster-secret-alert")).to_have_count(0)
    page.reload()  # saved: never shown again
    expect(page.locator("#cluster-status-badge")).to_have_text("running")
    expect(page.locator("#cluster-manage-div")).to_contain_text("Rotate credential")
    expect(page.locator("#cluster-secret-alert")).to_have_count(0)

    # A lost secret is recovered by rotating: ticked to confirm, then a new one waits.
    page.click("#cluster-rotate-button")
    expect(page.locator("#cluster-rotate-alert-div")).to_contain_text("Tick the box")
    expect(page.locator("#cluster-secret-alert")).to_have_count(0)
    page.check("#cluster-rotate-confirm-checkbox")
    page.click("#cluster-rotate-button")
    expect(page.locator("#cluster-operation")).to_contain_text(
        "Credential rotation done: Rotated: the old secret no longer works")
    expect(page.locator("#cluster-secret-alert")).to_contain_text("rotated credential")
    expect(page.locator("#cluster-secret-value")).not_to_have_text(secret)
    # The refresh that follows a change must not draw the box again: a button replaced under
    # the admin's click loses the click (the box then stayed although "saved" was pressed).
    saved_button = page.locator("#cluster-secret-saved-button").element_handle()
    quiet(page)
    assert saved_button.evaluate("button => button.isConnected")
    page.click("#cluster-secret-saved-button")
    expect(page.locator("#cluster-secret-alert")).to_have_count(0)

    # Retention is changed with ALTER TABLE … MODIFY TTL; a bad order is refused.
    edit = '[id=\'{"name":"%s","type":"cluster-edit-field"}\']'
    page.fill(edit % "cold_after_days", "2")
    page.click("#cluster-retention-save-button")
    expect(page.locator("#cluster-retention-alert-div")).to_contain_text("Not applied")
    page.fill(edit % "cold_after_days", "21")
    page.click("#cluster-retention-save-button")
    # A job with progress: the card and the button follow when it ends, without a reload.
    expect(page.locator("#cluster-operation")).to_contain_text("Retention change done",
                                                               timeout=60_000)
    expect(page.locator("#cluster-operation")).to_contain_text("Retention applied to all")
    expect(page.locator("#cluster-config-div")).to_contain_text("cold after 21 d")
    expect(page.locator("#cluster-retention-save-button")).to_be_enabled()

    # Decommission needs the exact name; then the database is gone and the record stays.
    page.fill("#cluster-decommission-name-input", "line 3 press shop")
    page.click("#cluster-decommission-button")
    expect(page.locator("#cluster-decommission-alert-div")).to_contain_text("exactly")
    page.fill("#cluster-decommission-name-input", "Line 3 press shop")
    page.click("#cluster-decommission-button")
    expect(page.locator("#cluster-status-badge")).to_have_text("decommissioned")
    screenshot(page, "cluster-decommissioned")


def test_analyst_cannot_open_the_wizard_or_decommission(page: Page,
                                                       live_app: AppProcess) -> None:
    result = live_app.cli("create-user", "--email", "ana@example.com", "--cluster",
                          "demo_plant", "--role", "analyst", "--password-stdin",
                          stdin="analyst password 1\n")
    assert result.returncode == 0, result.stderr
    sign_in(page, live_app.url, "ana@example.com", "analyst password 1")
    expect(page.locator("#nav-user-label")).to_have_text("ana@example.com")
    page.goto(live_app.url + "/clusters/new")
    expect(page.locator("#shell-content")).to_contain_text("Only administrators can do this.")
    page.goto(live_app.url + "/clusters/1")
    expect(page.locator("#cluster-status-badge")).to_have_text("running")
    expect(page.locator("#cluster-manage-div")).to_contain_text("Only cluster admins")
    session = page_session(page)
    body = {"output": "..cluster-decommission-alert-div.children...cluster-poll-interval."
                      "n_intervals..",
            "outputs": [{"id": "cluster-decommission-alert-div", "property": "children"},
                        {"id": "cluster-poll-interval", "property": "n_intervals"}],
            "inputs": [{"id": "cluster-decommission-button", "property": "n_clicks",
                        "value": 1}],
            "state": [{"id": "cluster-decommission-name-input", "property": "value",
                       "value": "Demo plant"},
                      {"id": "cluster-id-store", "property": "data", "value": "1"}],
            "changedPropIds": ["cluster-decommission-button.n_clicks"]}
    response = session.post(live_app.url + "/_dash-update-component", json=body,
                            headers={"Origin": live_app.url})
    assert "This needs the admin role" in response.text
    # A forged cluster id in the URL: a cluster the analyst is not a member of, or garbage.
    for forged in ("2", "999", "1%20OR%201=1"):
        page.goto(f"{live_app.url}/clusters/{forged}")
        expect(page.locator("#shell-content")).to_contain_text("Not available to you")
    assert requests.get(live_app.url + "/healthz").status_code == 200
