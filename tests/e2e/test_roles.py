"""Every role sees only what it can do (or it disabled, with the reason); the small form
defects stay fixed; long cluster operations show their progress and disable their buttons.
Drawn things are checked (texts, disabled states), with screenshots at three sizes."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import page_session, quiet, screenshot, sideways, sign_in, sticking_out
from tests.servers import AppProcess

#: The first thing looked for on a page: the machine is shared, pages take a while to fill.
LOAD_MS = 45_000
SIZES = {"desktop": (1440, 900), "tablet": (820, 1180), "phone": (390, 844)}
EXPLORER_SAVE = '[id=\'{"page":"explorer","type":"save-to-project-open"}\']'
DASHBOARD_SAVE = '[id=\'{"page":"dashboard","type":"save-to-project-open"}\']'
EXPORTS = ("#explorer-export-csv-button", "#explorer-export-parquet-button",
           "#explorer-export-outliers-button", "#explorer-export-all-button")


def member(live_app: AppProcess, role: str) -> tuple[str, str]:
    """A member of the demo cluster with ``role`` (made once per app)."""
    email, password = f"{role}-walk@example.com", f"{role} walk password"
    made = live_app.cli("create-user", "--email", email, "--cluster", "demo_plant", "--role",
                        role, "--password-stdin", stdin=password + "\n")
    assert made.returncode == 0 or "exists" in made.stderr, made.stderr
    return email, password


def shots(page: Page, name: str) -> None:
    """The page at the three sizes, for people to look at; at each the page fits the window
    and nothing sticks out of its card."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        quiet(page)
        screenshot(page, f"{name}-{size}")
        assert sideways(page) <= 0, (name, size)
        assert sticking_out(page) == [], (name, size)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_a_viewer_sees_exports_and_saving_disabled_and_no_audit_link(
        page: Page, live_app: AppProcess) -> None:
    sign_in(page, live_app.url, *member(live_app, "viewer"))
    expect(page.locator("#nav-user-label")).to_be_visible()
    expect(page.locator("#nav-audit-link")).to_have_count(0)
    page.goto(f"{live_app.url}/clusters/1/explorer")
    note = page.locator("#explorer-role-note-text")
    expect(note).to_have_text("You are a viewer on this cluster: saving to a project needs "
                              "editor; saving a golden curve version needs editor; exporting "
                              "curves needs analyst (those buttons are disabled).",
                              timeout=LOAD_MS)
    expect(page.locator(EXPLORER_SAVE)).to_be_disabled()
    expect(page.locator(EXPLORER_SAVE)).to_have_attribute(
        "title", "Saving to a project needs the editor role on this cluster; you are a viewer.")
    page.click("text=Export")
    for button in EXPORTS:
        expect(page.locator(button)).to_be_disabled()
        assert float(page.locator(button).evaluate("b => getComputedStyle(b).opacity")) < 0.7
    page.click("text=Golden curve")
    expect(page.locator("#explorer-golden-save-button")).to_be_disabled()
    shots(page, "roles-viewer-explorer")
    page.goto(f"{live_app.url}/clusters/1/dashboard")
    expect(page.locator(DASHBOARD_SAVE)).to_be_disabled(timeout=LOAD_MS)
    expect(page.locator("#dashboard-role-note-text")).to_contain_text(
        "saving to a project needs editor")


def test_an_analyst_exports_but_cannot_save_versions_or_to_projects(
        page: Page, live_app: AppProcess) -> None:
    sign_in(page, live_app.url, *member(live_app, "analyst"))
    expect(page.locator("#nav-user-label")).to_be_visible()
    expect(page.locator("#nav-audit-link")).to_have_count(0)
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-role-note-text")).to_have_text(
        "You are an analyst on this cluster: saving to a project needs editor; saving a "
        "golden curve version needs editor (those buttons are disabled).", timeout=LOAD_MS)
    expect(page.locator(EXPLORER_SAVE)).to_be_disabled()
    page.click("text=Export")
    for button in EXPORTS:
        expect(page.locator(button)).to_be_enabled()
        # Told apart from the viewer's disabled ones at a glance: full strength, in blue.
        look = page.locator(button).evaluate(
            "b => [getComputedStyle(b).opacity, getComputedStyle(b).color]")
        red, _green, blue = map(int, re.findall(r"\d+", look[1])[:3])
        assert float(look[0]) == 1 and blue > red + 100, look
    shots(page, "roles-analyst-explorer")
    # On a desktop the dashboard's view buttons and "Save to project" share one row; the
    # role's note beside them pushed "Save to project" onto a row of its own.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_app.url}/clusters/1/dashboard")
    expect(page.locator("#dashboard-role-note-text")).to_contain_text("saving to a project",
                                                                      timeout=LOAD_MS)
    save_view = page.get_by_role("button", name="Save view")
    expect(save_view).to_be_visible()
    tops = [round(b["y"] + b["height"] / 2) for b in (
        save_view.bounding_box(), page.locator(DASHBOARD_SAVE).bounding_box()) if b]
    assert len(tops) == 2 and abs(tops[0] - tops[1]) <= 4, tops


def test_an_editor_may_use_them_all_and_an_admin_reads_the_audit_log(
        page: Page, browser: Browser, live_app: AppProcess,
        admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *member(live_app, "editor"))
    expect(page.locator("#nav-user-label")).to_be_visible()
    expect(page.locator("#nav-audit-link")).to_have_count(0)
    page.goto(f"{live_app.url}/clusters/1/explorer")
    expect(page.locator("#explorer-summary-div")).not_to_be_empty(timeout=LOAD_MS)
    expect(page.locator(EXPLORER_SAVE)).to_be_enabled()
    expect(page.locator("#explorer-golden-save-button")).to_be_enabled()
    expect(page.locator("#explorer-role-note-text")).to_be_empty()
    admin = browser.new_context().new_page()
    sign_in(admin, live_app.url, *member(live_app, "admin"))
    expect(admin.locator("#nav-audit-link")).to_be_visible()
    admin.context.close()
    owner = browser.new_context().new_page()
    sign_in(owner, live_app.url, *admin_login)
    expect(owner.locator("#nav-audit-link")).to_be_visible()
    owner.goto(f"{live_app.url}/roles")
    expect(owner.locator("#roles-matrix-table")).to_contain_text(
        "Run read-only SQL in the console and download its results")
    shots(owner, "roles-matrix")
    owner.context.close()


def test_the_small_form_defects_stay_fixed(page: Page, live_app: AppProcess,
                                           admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.goto(f"{live_app.url}/clusters")
    expect(page.locator("#clusters-status-select option:checked")).to_have_text("Any status")
    expect(page.locator("#clusters-type-select option:checked")).to_have_text("Any type")
    expect(page.locator("#clusters-list-table")).to_contain_text("demo", timeout=LOAD_MS)
    page.select_option("#clusters-status-select", "failed")
    expect(page.locator("#clusters-table-div")).to_contain_text("No cluster matches")
    page.select_option("#clusters-status-select", "any")
    expect(page.locator("#clusters-list-table")).to_be_visible()
    shots(page, "roles-cluster-list")

    page.goto(f"{live_app.url}/clusters/1/tokens")
    expect(page.locator("#tokens-table-div")).to_be_visible(timeout=LOAD_MS)
    page.click("#tokens-create-button")
    alert = page.locator("#tokens-alert-div .alert")
    expect(alert).to_have_text("Not created: Give the token a name of 1 to 120 characters.")
    expect(page.locator("text=Give the token a name")).to_have_count(1)

    page.goto(f"{live_app.url}/clusters/1/projects")
    expect(page.locator("#projects-create-button")).to_be_visible(timeout=LOAD_MS)
    page.fill("#projects-description-input", "Night shift")
    page.click("#projects-create-button")
    expect(page.locator("#projects-error-div")).to_have_text(
        "Not created: Give the project a name of 1 to 120 characters.")
    expect(page.locator("text=Give the project a name")).to_have_count(1)
    expect(page.locator("#projects-description-input")).to_have_value("Night shift")
    page.fill("#projects-name-input", "Roles walk project")
    page.click("#projects-create-button")
    expect(page.locator("#projects-list-div")).to_contain_text("Roles walk project")
    expect(page.locator("#projects-description-input")).to_have_value("")
    expect(page.locator("#projects-name-input")).to_have_value("")
    expect(page.locator("#projects-error-div")).to_be_empty()


def test_a_limit_change_runs_as_an_operation_and_the_page_follows(
        page: Page, live_app: AppProcess, admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.goto(f"{live_app.url}/clusters/1")
    expect(page.locator("#cluster-status-badge")).to_have_text("running", timeout=LOAD_MS)
    threads = page.locator('[id=\'{"name":"max_threads","type":"cluster-edit-field"}\']')
    threads.fill("1")
    page.click("#cluster-limits-save-button")
    outcome = page.locator("#cluster-operation")
    expect(outcome).to_contain_text("Limit change done: Query limits stored: 1 threads",
                                    timeout=LOAD_MS)
    expect(page.locator("#cluster-limit-max_threads")).to_contain_text("max_threads 1")
    expect(page.locator("#cluster-limits-save-button")).to_be_enabled()
    expect(threads).to_have_value("1")
    shots(page, "roles-cluster-operation")
    # Bad input: the message, and no operation begins.
    threads.fill("0")
    page.click("#cluster-limits-save-button")
    expect(page.locator("#cluster-limits-alert-div")).to_contain_text("Not applied: Use 1 to")
    expect(outcome).to_contain_text("Limit change done")


def test_a_retention_change_shows_its_progress_and_disables_the_buttons(
        page: Page, live_app: AppProcess, admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.goto(f"{live_app.url}/clusters/1")
    expect(page.locator("#cluster-status-badge")).to_have_text("running", timeout=LOAD_MS)
    page.locator('[id=\'{"name":"warm_after_days","type":"cluster-edit-field"}\']').fill("5")
    page.click("#cluster-retention-save-button")
    # While it runs: the bar, the reason, every manage button disabled.
    expect(page.locator("#cluster-operation-bar")).to_be_visible(timeout=LOAD_MS)
    expect(page.locator("#cluster-manage-busy-text")).to_contain_text(
        "Retention change running")
    for button in ("#cluster-retention-save-button", "#cluster-limits-save-button",
                   "#cluster-rotate-button", "#cluster-decommission-button"):
        expect(page.locator(button)).to_be_disabled()
    expect(page.locator("#cluster-retention-save-button")).to_have_text("Applying retention…")
    shots(page, "roles-cluster-retention-running")
    # When it ends: the outcome, the card's new values, the buttons back.
    expect(page.locator("#cluster-operation")).to_contain_text("Retention change done",
                                                               timeout=120_000)
    expect(page.locator("#cluster-config-div")).to_contain_text("warm after 5 d")
    expect(page.locator("#cluster-retention-save-button")).to_be_enabled()


def _api(page: Page, live_app: AppProcess) -> requests.Session:
    """The page's signed-in session, for the API."""
    return page_session(page, origin=live_app.url)


def test_a_decommissioned_cluster_is_hidden_then_purged(page: Page, live_app: AppProcess,
                                                        admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    expect(page.locator("#nav-user-label")).to_be_visible()
    api = _api(page, live_app)
    cluster_admin = member(live_app, "admin")[0]
    members = api.get(f"{live_app.url}/api/v1/clusters/1/members", timeout=30).json()
    me = next(m["user_id"] for m in members["items"] if m["email"] == cluster_admin)
    made = api.post(f"{live_app.url}/api/v1/clusters", timeout=30, json={
        "name": "roles-retired", "cluster_type": "development", "region_code": "local",
        "members": [{"user_id": me, "role": "admin"}]})
    assert made.status_code == 202, made.text
    cid = made.json()["id"]
    page.goto(f"{live_app.url}/clusters/{cid}")
    expect(page.locator("#cluster-status-badge")).to_have_text("running", timeout=120_000)
    page.fill("#cluster-decommission-name-input", "roles-retired")
    page.click("#cluster-decommission-button")
    expect(page.locator("#cluster-status-badge")).to_have_text("decommissioned",
                                                                timeout=LOAD_MS)
    expect(page.locator("#cluster-operation")).to_contain_text(
        "Decommission done: The database was dropped; the records remain.")
    expect(page.locator("#cluster-retired-text")).to_have_text(
        "Decommissioned: hide it from the overview, or purge what remains below.")
    # Its explorer: the error, and no empty axes under it.
    page.goto(f"{live_app.url}/clusters/{cid}/explorer")
    expect(page.locator("#explorer-error-div")).to_contain_text("Cannot open",
                                                                timeout=LOAD_MS)
    expect(page.locator("#explorer-body-div")).to_be_hidden()
    shots(page, "roles-retired-explorer")
    # Hide it from the overview; it stays on the list.
    page.goto(f"{live_app.url}/")
    expect(page.locator(f"#overview-cluster-{cid}-card")).to_be_visible(timeout=LOAD_MS)
    page.goto(f"{live_app.url}/clusters/{cid}")
    page.click("#cluster-hide-button")
    expect(page.locator("#cluster-hide-button")).to_have_text("Show on the overview",
                                                              timeout=LOAD_MS)
    page.goto(f"{live_app.url}/")
    expect(page.locator("#overview-cluster-1-card")).to_be_visible(timeout=LOAD_MS)
    expect(page.locator(f"#overview-cluster-{cid}-card")).to_have_count(0)
    page.goto(f"{live_app.url}/clusters")
    expect(page.locator(f"#clusters-row-{cid}")).to_contain_text("decommissioned",
                                                                 timeout=LOAD_MS)
    expect(page.locator(f"#clusters-row-{cid}")).not_to_contain_text("$")
    # Purge: a wrong name changes nothing; the right one purges, the audit log stays.
    page.goto(f"{live_app.url}/clusters/{cid}")
    page.fill("#cluster-purge-name-input", "roles")
    page.click("#cluster-purge-button")
    expect(page.locator("#cluster-purge-alert-div")).to_have_text(
        "Not purged: Type the cluster's name exactly to confirm.", timeout=LOAD_MS)
    shots(page, "roles-retired-console")
    page.fill("#cluster-purge-name-input", "roles-retired")
    page.click("#cluster-purge-button")
    expect(page.locator("#cluster-status-badge")).to_have_text("purged", timeout=LOAD_MS)
    expect(page.locator("#cluster-operation")).to_contain_text("Purge done: Purged")
    expect(page.locator("#cluster-retired-text")).to_contain_text("the audit log and the "
                                                                  "team remain")
    audit = api.get(f"{live_app.url}/api/v1/audit?cluster_id={cid}&limit=500", timeout=30)
    assert {"cluster.create", "cluster.decommission", "cluster.hide", "cluster.purge"} <= {
        item["action"] for item in audit.json()["items"]}


def test_a_report_disables_its_button_until_it_is_ready(page: Page, live_app: AppProcess,
                                                        admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.goto(f"{live_app.url}/clusters/1/projects")
    page.fill("#projects-name-input", "Report walk", timeout=LOAD_MS)
    page.click("#projects-create-button")
    page.locator("#projects-list-div a", has_text="Report walk").click(timeout=LOAD_MS)
    start = page.locator("#project-report-start-button")
    expect(start).to_be_enabled(timeout=LOAD_MS)
    start.click()
    expect(start).to_be_disabled()
    expect(page.locator("#project-report-done")).to_be_visible(timeout=120_000)
    expect(page.locator("#project-report-start-button")).to_be_enabled()
