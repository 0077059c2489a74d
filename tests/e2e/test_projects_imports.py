"""Projects from a template, a PDF report, and a CSV import, in the real app."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import cut_texts, page_session, screenshot, sideways, sign_in, sticking_out
from tests.servers import AppProcess

CSV = ("serial,process,ts,idx,x,y,x_unit,y_unit,line\n"
       + "".join(f"E2E-{s},press-fit,2026-11-20T08:0{s}:00Z,{i},{i * 0.1:.1f},{i * 0.3:.1f},"
                 f"mm,kN,Line 9\n" for s in range(3) for i in range(20)))


def test_editor_creates_a_project_and_a_report(page: Page, live_app: AppProcess,
                                               admin_login: tuple[str, str]) -> None:
    sign_in(page, live_app.url, *admin_login)
    expect(page.locator("#nav-user-label")).to_be_visible()
    # other tests of the session may have made projects here (saved views go into one)
    api = page_session(page)
    made = [p["name"] for p in api.get(f"{live_app.url}/api/v1/clusters/1/projects",
                                       timeout=30).json()["items"]]
    page.goto(f"{live_app.url}/clusters/1/projects")
    listed = page.locator("#projects-list-div")
    for name in made or ["No projects yet"]:  # what is there, or the empty state
        expect(listed).to_contain_text(name)
    if not made:  # it points at the form by its title: the form is beside it or under it
        expect(listed).to_contain_text("Start one from a template in “New project”.")
    page.fill("#projects-name-input", "Press line quality")
    page.select_option("#projects-template-select", "manufacturing_analytics")
    # The picker names the template whole; what it is for reads under it, at every size.
    expect(page.locator("#projects-template-note-div")).to_have_text(
        "Process curves and KPIs across lines and stations.")
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert cut_texts(page, "#projects-form-frame") == [], width
        screenshot(page, f"projects-form-{width}")
    page.click("#projects-create-button")
    expect(page.locator("#projects-list-div")).to_contain_text("Press line quality")
    screenshot(page, "projects-list")
    page.click("text=Press line quality")
    expect(page.locator("#project-detail-assets-div")).to_contain_text("Curve overlay")
    expect(page.locator("#project-detail-assets-div")).to_contain_text("Line overview")
    page.click('[id=\'{"action":"pause","type":"project-detail-action"}\']')
    expect(page.locator("#project-detail-header-div .project-status")).to_have_text("paused")
    page.click('[id=\'{"action":"resume","type":"project-detail-action"}\']')
    expect(page.locator("#project-detail-header-div .project-status")).to_have_text("active")
    page.click("#project-edit-open-button")
    expect(page.locator("#project-edit-name-input")).to_have_value("Press line quality")
    page.fill("#project-edit-description-input", "Press-fit on line 1, night shift focus")
    page.click("#project-edit-save-button")
    expect(page.locator("#project-detail-header-div")).to_contain_text("night shift focus")
    page.click("#project-report-start-button")
    expect(page.locator("#project-report-done")).to_be_visible(timeout=60_000)
    link = page.locator("#project-detail-assets-div a[href$='report.pdf']")
    expect(link).to_have_count(1)
    expect(page.locator("#project-detail-activity-div")).to_contain_text("resumed the project")
    screenshot(page, "project-overview")
    page.locator("#project-detail-assets-div tr", has_text="Line overview").locator(
        "button[title=Rename]").click()
    expect(page.locator("#project-rename-input")).to_have_value("Line overview")
    page.fill("#project-rename-input", "Line overview (nights)")
    page.click("#project-rename-save-button")
    expect(page.locator("#project-detail-assets-div")).to_contain_text("Line overview (nights)")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    href = link.get_attribute("href")
    assert href is not None
    pdf = requests.get(live_app.url + href, cookies=cookies, timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_editor_imports_a_csv(page: Page, live_app: AppProcess, admin_login: tuple[str, str],
                              tmp_path: Path) -> None:
    sign_in(page, live_app.url, *admin_login)
    page.goto(f"{live_app.url}/clusters/1/import")
    expect(page.locator("#import-format-div")).to_contain_text("sample number")
    path = tmp_path / "line9.csv"
    path.write_text(CSV)
    page.set_input_files("#import-upload input[type=file]", str(path))
    expect(page.locator("#import-mapping-div")).to_contain_text("E2E-0")
    screenshot(page, "import-mapping")
    page.click("#import-start-button")
    expect(page.locator("#import-status-badge")).to_have_text("done", timeout=60_000)
    expect(page.locator("#import-progress-div")).to_contain_text("60 rows imported.")
    screenshot(page, "import-done")
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace(",0.3,", ",abc,", 1).replace("E2E-", "E2F-"))
    page.set_input_files("#import-upload input[type=file]", str(bad))
    expect(page.locator("#import-mapping-div")).to_contain_text("E2F-0")
    page.click("#import-start-button")
    expect(page.locator("#import-errors-table")).to_contain_text("is not a number")
    screenshot(page, "import-errors")


#: Per row of the file format table: the column's name, the width (px) of its meaning and
#: whether that is drawn under the name; and the room inside the table's card.
FORMAT_CELLS = """() => {
    const body = document.querySelector('#import-format-div').closest('.card-body');
    const style = getComputedStyle(body);
    const room = body.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight);
    const rows = [...document.querySelectorAll('#import-format-div tbody tr')].map(tr => {
        const [name, , meaning] = [...tr.children].map(td => td.getBoundingClientRect());
        return [tr.children[0].innerText, meaning.width, meaning.top >= name.bottom - 1];
    });
    return {room, rows};
}"""


def test_the_file_format_reads_at_every_size(page: Page, live_app: AppProcess,
                                             admin_login: tuple[str, str]) -> None:
    """The walk at 390 px (issue 16): the meaning had ~75 px, one word a line, beside an
    almost empty "required" column; on a phone each column is a block, the meaning under its
    name at the card's width."""
    sign_in(page, live_app.url, *admin_login)
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_app.url}/clusters/1/import")
        expect(page.locator("#import-format-div")).to_contain_text("sample number")
        drawn = page.evaluate(FORMAT_CELLS)
        widths = [meaning for _name, meaning, _under in drawn["rows"]]
        under = {name: below for name, _meaning, below in drawn["rows"]}
        if width < 576:
            assert all(under.values()), under
            assert min(widths) >= 0.9 * drawn["room"], drawn
        else:  # four columns, the meaning the widest
            assert not any(under.values()), under
            assert min(widths) >= 0.45 * drawn["room"], drawn
        assert sideways(page) <= 0 and sticking_out(page) == [], width
        screenshot(page, f"import-format-{width}")


def test_viewer_reads_projects_but_cannot_change_or_import(page: Page, live_app: AppProcess,
                                                           admin_login: tuple[str, str]) -> None:
    live_app.cli("create-user", "--email", "viewer.projects@plant.example", "--cluster",
                 "demo_plant", "--role", "viewer", "--password-stdin",
                 stdin="viewer password 123\n")
    sign_in(page, live_app.url, "viewer.projects@plant.example", "viewer password 123")
    page.goto(f"{live_app.url}/clusters/1/projects")
    expect(page.locator("#projects-list-div")).to_contain_text("Press line quality")
    expect(page.locator("#projects-form-frame")).to_be_hidden()
    page.click("text=Press line quality")
    expect(page.locator("#project-detail-assets-div")).to_contain_text("Curve overlay")
    expect(page.locator("#project-report-start-button")).to_have_count(0)
    expect(page.locator("#project-detail-assets-div button")).to_have_count(0)
    page.goto(f"{live_app.url}/clusters/1/import")
    expect(page.get_by_text("Not available to you")).to_be_visible()
    screenshot(page, "import-viewer-denied")
