"""Team, invitations, API tokens, audit log and roles in the real app and browser."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import cut_texts, quiet, screenshot, sideways, sign_in, sticking_out
from tests.servers import AppProcess


def role_picker(user_id: int) -> str:
    return f'[id=\'{{"type":"team-member-role","user":{user_id}}}\']'


def test_admin_manages_team_invites_and_tokens(page: Page, browser: Browser,
                                               live_app: AppProcess,
                                               admin_login: tuple[str, str]) -> None:
    created = live_app.cli("create-user", "--email", "tess@example.com", "--cluster",
                           "demo_plant", "--role", "viewer", "--password-stdin",
                           stdin="tess password 12\n")
    assert created.returncode == 0, created.stderr
    sign_in(page, live_app.url, *admin_login)
    page.goto(live_app.url + "/clusters/1/team")
    expect(page.locator("#team-members-div")).to_contain_text("tess@example.com")
    expect(page.locator("#team-alert-div")).to_be_empty()  # drawing pickers changes nothing
    # tess's own row: other tests of the session add members to this cluster too
    row = page.locator("#team-members-div tr", has_text="tess@example.com")
    picker_id = row.locator("select").first.get_attribute("id")
    assert picker_id is not None
    tess = int(picker_id.split('"user":')[1].rstrip("}"))
    page.select_option(role_picker(tess), "admin")
    expect(page.locator("#team-alert-div")).to_contain_text("Role changed.")
    quiet(page)  # the table is drawn again, which runs the pickers' callback once more
    admins = [v for v in page.locator("#team-members-div select").evaluate_all(
        "els => els.map(e => e.value)") if v == "admin"]
    page.select_option(role_picker(tess), "viewer")
    if len(admins) == 1:  # the only admin (run alone): refused, picker reset
        expect(page.locator("#team-alert-div")).to_contain_text("at least one admin")
        expect(page.locator(role_picker(tess))).to_have_value("admin")
    else:  # other tests of the session made admins of this cluster: allowed
        expect(page.locator(role_picker(tess))).to_have_value("viewer")
    # the role change answers (and redraws the team, forms included) before the next step:
    # an add sent meanwhile would have its message replaced by the slower "Role changed."
    quiet(page)
    page.fill("#team-add-email-input", "nobody@example.com")
    page.click("#team-add-button")
    expect(page.locator("#team-alert-div")).to_contain_text("No active account")

    # Invite: no SMTP here, so the page says so and shows the link once.
    page.fill("#team-invite-email-input", "newbie@example.com")
    page.select_option("#team-invite-role-select", "analyst")
    page.click("#team-invite-button")
    expect(page.locator("#team-invite-copy")).to_contain_text("E-mail is not configured")
    link = page.locator("#team-invite-link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/invite/inv_[\w-]+", link)
    expect(page.locator("#team-invitations-div")).to_contain_text("newbie@example.com")
    screenshot(page, "team")

    guest = browser.new_context().new_page()
    guest.goto(link)
    expect(guest.locator("#invite-summary")).to_contain_text("as analyst")
    screenshot(guest, "invite")
    guest.fill("#invite-password", "newbie password 1")
    guest.fill("#invite-password-again", "newbie password 1")
    guest.click("#invite-submit")
    expect(guest.locator("#nav-user-label")).to_have_text("newbie@example.com")
    guest.goto(link)
    expect(guest.locator("#invite-invalid")).to_contain_text("already used")
    guest.context.close()

    page.reload()
    expect(page.locator("#team-members-div")).to_contain_text("newbie@example.com")
    expect(page.locator("#team-invitations-div")).to_contain_text("No open invitations")

    # API tokens: the secret once, then it works until revoked.
    page.goto(live_app.url + "/clusters/1/tokens")
    expect(page.locator("#tokens-table-div")).to_be_visible()
    page.fill("#tokens-name-input", "line 3 ingest")
    page.select_option("#tokens-role-select", "analyst")
    page.select_option("#tokens-expiry-select", "7")
    page.click("#tokens-create-button")
    secret = page.locator("#tokens-secret-value").inner_text()
    assert secret.startswith("lyc_")
    expect(page.locator("#tokens-table-div")).to_contain_text(secret[:12])
    screenshot(page, "tokens")
    page.set_viewport_size({"width": 390, "height": 844})  # the table scrolls in its card
    assert sideways(page) <= 0 and sticking_out(page) == []
    screenshot(page, "tokens-390")
    page.set_viewport_size({"width": 1280, "height": 860})
    auth = {"Authorization": f"Bearer {secret}"}
    assert requests.get(f"{live_app.url}/api/v1/clusters/1", headers=auth,
                        timeout=10).json()["your_role"] == "analyst"
    page.reload()
    expect(page.locator("#tokens-table-div")).not_to_contain_text(secret)
    page.locator("#tokens-table-div button", has_text="Revoke").first.click()
    expect(page.locator("#tokens-alert-div")).to_contain_text("revoked")
    assert requests.get(f"{live_app.url}/api/v1/clusters/1", headers=auth,
                        timeout=10).status_code == 401

    # The audit log shows all of it, and the chain verifies.
    page.goto(live_app.url + "/audit")
    expect(page.locator("#audit-table-div")).to_contain_text("invitation.accept")
    page.select_option("#audit-action-select", "token.revoke")
    expect(page.locator("#audit-position-div")).to_have_text("1–1 of 1")
    page.click("#audit-verify-button")
    expect(page.locator("#audit-chain-ok")).to_contain_text("intact")
    screenshot(page, "audit")
    page.select_option("#audit-action-select", "any")
    expect(page.locator("#audit-position-div")).not_to_have_text("1–1 of 1")
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert cut_texts(page, "#audit-filters-row") == [], width
        # Rows stay a line or two high: the table scrolls sideways in its card instead of
        # squeezing the detail to a word a line (rows were 400-570 px tall at 820 px).
        tallest = page.locator("#audit-table-div tbody tr").evaluate_all(
            "rows => Math.max(...rows.map(r => r.getBoundingClientRect().height))")
        assert tallest < 120, (width, tallest)
        screenshot(page, f"audit-{width}")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(live_app.url + "/roles")
    expect(page.locator("#roles-matrix-table")).to_contain_text("Decommission the cluster")
    screenshot(page, "roles")


#: The widths (px) of the team page's e-mail fields and the room inside their card.
FIELD_WIDTHS = """() => {
    const body = document.querySelector('#team-manage-div').closest('.card-body');
    const style = getComputedStyle(body);
    const room = body.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight);
    return [room, ...['#team-add-email-input', '#team-invite-email-input'].map(
        id => document.querySelector(id).getBoundingClientRect().width)];
}"""


def test_the_email_fields_read_whole_at_every_size(page: Page, live_app: AppProcess,
                                                    admin_login: tuple[str, str]) -> None:
    """The walk at 390 px (issue 16): beside their role pickers the fields were ~130 px and
    their placeholders read "name@plant.e"; on a phone they take the card's width."""
    sign_in(page, live_app.url, *admin_login)
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_app.url + "/clusters/1/team")
        expect(page.locator("#team-invite-email-input")).to_be_visible()
        room, add, invite = page.evaluate(FIELD_WIDTHS)
        assert cut_texts(page, "#team-manage-div") == [], width
        assert sticking_out(page) == [], width
        if width < 576:  # a row of its own
            assert add >= room - 1 and invite >= room - 1, (room, add, invite)
        assert add >= 200 and invite >= 200, (width, room, add, invite)
        screenshot(page, f"team-forms-{width}")


def test_viewer_sees_the_team_but_cannot_change_it(page: Page, live_app: AppProcess) -> None:
    created = live_app.cli("create-user", "--email", "vera@example.com", "--cluster",
                           "demo_plant", "--role", "viewer", "--password-stdin",
                           stdin="vera password 12\n")
    assert created.returncode == 0, created.stderr
    sign_in(page, live_app.url, "vera@example.com", "vera password 12")
    page.goto(live_app.url + "/clusters/1/team")
    expect(page.locator("#team-members-div")).to_contain_text("vera@example.com")
    expect(page.locator("#team-manage-div")).to_contain_text("Only the cluster's admins")
    # said once: the invitations card does not repeat it (the walk of 2026-12-04 saw it twice)
    expect(page.locator("text=Only the cluster's admins can add")).to_have_count(1)
    expect(page.locator("#team-invitations-div")).to_have_text(
        "Open invitations are listed for the cluster's admins.")
    expect(page.locator("#team-members-div select")).to_have_count(0)
    # The address typed (the navigation has no link for a viewer): the refusal every page
    # gives, and no filters, table or export under it.
    page.goto(live_app.url + "/audit")
    expect(page.get_by_text("Not available to you")).to_be_visible()
    expect(page.locator("body")).to_contain_text("The audit log is for administrators of a "
                                                 "cluster.")
    expect(page.locator("#audit-action-select")).to_have_count(0)
    expect(page.locator("#audit-export-link")).to_have_count(0)
    screenshot(page, "audit-denied")


def test_admin_issues_a_reset_link_and_the_member_changes_the_password(
        page: Page, browser: Browser, live_app: AppProcess,
        admin_login: tuple[str, str]) -> None:
    created = live_app.cli("create-user", "--email", "rita@example.com", "--cluster",
                           "demo_plant", "--role", "analyst", "--password-stdin",
                           stdin="forgotten password 1\n")
    assert created.returncode == 0, created.stderr
    sign_in(page, live_app.url, *admin_login)
    page.goto(live_app.url + "/clusters/1/team")
    row = page.locator("#team-members-div tr", has_text="rita@example.com")
    row.get_by_role("button", name="Reset link").click()
    expect(page.locator("#team-reset-copy")).to_contain_text("Reset link for rita@example.com")
    link = page.locator("#team-reset-link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/reset/rst_[\w-]+", link)

    rita = browser.new_context().new_page()
    rita.goto(link)
    expect(rita.locator("#reset-summary")).to_contain_text("rita@example.com")
    rita.fill("#reset-password", "remembered password 2")
    rita.fill("#reset-password-again", "remembered password 2")
    rita.click("#reset-submit")
    expect(rita.locator("#login-notice")).to_have_text("Your password is set. Sign in with it.")
    sign_in(rita, live_app.url, "rita@example.com", "remembered password 2")
    rita.click("#shell-account-link")
    expect(rita.locator("#account-summary")).to_contain_text("rita@example.com")
    rita.fill("#account-current", "not my password")
    rita.fill("#account-new", "third password 333")
    rita.fill("#account-new-again", "third password 333")
    rita.click("#account-submit")
    expect(rita.locator("#account-error")).to_have_text("The current password is incorrect.")
    rita.fill("#account-current", "remembered password 2")
    rita.fill("#account-new", "third password 333")
    rita.fill("#account-new-again", "third password 333")
    rita.click("#account-submit")
    expect(rita.locator("#account-notice")).to_contain_text("Password changed.")
    screenshot(rita, "account")
    rita.context.close()
