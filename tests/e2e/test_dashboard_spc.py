"""The SPC panel in Chromium on the full demo: two charts stacked on one subgroup axis with
labelled limits, rule numbers at flagged points and the same violations listed beside the
chart, the capability numbers and histogram; a baseline of chosen subgroups; an editor
excludes a subgroup (with a reason) and restores it; a viewer cannot. Screenshots at
1440×900, 820×1180 and 390×844."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import app_fixture, cut_texts, grown_margins, screenshot, sign_in
from tests.servers import AppProcess

SLOW = 60_000
SIZES = ((1440, 900), (820, 1180), (390, 844))
GRAPH = "#dashboard-spc-graph"
FIGURE = """(sel) => { const g = document.querySelector(sel + ' .js-plotly-plot');
    return g && g.data ? {data: g.data.map(t => ({name: t.name, x: t.x, y: t.y, text: t.text,
                                                  hovertext: t.hovertext})),
        annotations: (g.layout.annotations || []).map(a => a.text),
        shapes: (g.layout.shapes || []).length,
        domains: [g.layout.yaxis && g.layout.yaxis.domain,
                  g.layout.yaxis2 && g.layout.yaxis2.domain]} : null; }"""
CAPABILITY = re.compile(r"Cp (\d+\.\d\d)\s*Cpk (-?\d+\.\d\d)\s*Pp (\d+\.\d\d)\s*"
                        r"Ppk (-?\d+\.\d\d)\s*n = (\d+)")


full_app = app_fixture(
    "full_app", "The app on the full demo (the size the quality engineer's walk used).",
    env={"LYCEUM_DEMO": "full"})


def _figure(page: Page, selector: str = GRAPH) -> dict[str, Any]:
    return dict(page.evaluate(FIGURE, selector) or {})


def _drawn_texts(page: Page, selector: str) -> list[str]:
    """The annotation texts Plotly drew into the SVG of a graph."""
    return list(page.locator(f"{selector} .annotation-text").evaluate_all(
        "els => els.map(e => e.textContent)"))


def _traces(figure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in figure["data"]}


def _open(page: Page, app: AppProcess, login: tuple[str, str]) -> None:
    sign_in(page, app.url, *login)
    page.goto(f"{app.url}/clusters/1/dashboard")
    expect(page.locator("#dashboard-spc-baseline-div")).to_contain_text("Limits from",
                                                                         timeout=SLOW)
    page.check("#dashboard-pause-switch")  # the demo feed adds parts; hold what is shown


def _wait_for_baseline(page: Page, text: str) -> None:
    expect(page.locator("#dashboard-spc-baseline-div")).to_contain_text(text, timeout=SLOW)
    expect(page.locator("#dashboard-spc-running-badge")).to_have_class(
        re.compile(r"\bd-none\b"), timeout=SLOW)


def test_stacked_chart_limits_violations_and_capability(page: Page,
                                                        full_app: AppProcess) -> None:
    _open(page, full_app, full_app.first_admin())
    figure = _figure(page)
    traces = _traces(figure)
    assert {"X̄", "R", "UCL (X̄)", "CL (X̄)", "LCL (X̄)", "UCL (R)", "CL (R)",
            "LCL (R)"} <= set(traces)
    top, bottom = figure["domains"]
    assert bottom[1] < top[0]  # R under X̄, one subgroup axis
    count = len(traces["X̄"]["y"])
    assert traces["X̄"]["x"] == list(range(1, count + 1)) == traces["R"]["x"]
    for chart in ("X̄", "R"):
        for name in ("UCL", "CL", "LCL"):
            label = next(a for a in figure["annotations"] if a.startswith(f"{name} = ")
                         and abs(float(a.split("= ")[1]) - traces[f"{name} ({chart})"]["y"][-1])
                         < 0.01 * max(1.0, abs(traces[f"{name} ({chart})"]["y"][-1])))
            assert label
    drawn = _drawn_texts(page, GRAPH)
    assert sum(t.startswith(("UCL = ", "CL = ", "LCL = ")) for t in drawn) == 6
    # I-MR over a week flags points; each listed violation is marked on its point.
    page.select_option("#dashboard-window-select", "7d")
    page.select_option("#dashboard-spc-kind-select", "imr")
    page.wait_for_function(
        "() => { const g = document.querySelector('#dashboard-spc-graph .js-plotly-plot');"
        " return g && g.data.some(t => t.name === 'Individual' && t.y.length > 200); }",
        timeout=SLOW)
    _wait_for_baseline(page, "values")
    rows = page.locator("#dashboard-spc-violations-div tbody tr")
    expect(rows.first).to_be_visible(timeout=SLOW)
    traces = _traces(_figure(page))
    marks = {chart: dict(zip(traces[f"violations ({chart})"]["x"],
                             traces[f"violations ({chart})"]["hovertext"], strict=True))
             for chart in ("Individual", "MR") if f"violations ({chart})" in traces}
    for row in rows.all()[:20]:
        rule, where = row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text()
        chart, subgroup = where.split(" · ")
        assert rule in marks[chart][int(subgroup)].split(",")
    for chart in ("Individual", "MR"):  # a run's rule is written once, over its first point
        if f"violations ({chart})" in traces:
            shown = traces[f"violations ({chart})"]
            written = [t for t in shown["text"] if t]
            assert written and len(written) <= len(shown["x"])
    link = rows.first.locator("a")
    expect(link).to_have_attribute("href", re.compile(r"^/clusters/1/explorer\?s="))
    summary = page.locator("#dashboard-spc-summary-div")
    expect(summary).to_contain_text(CAPABILITY, timeout=SLOW)
    found = CAPABILITY.search(summary.inner_text())
    assert found
    n = int(found[5])
    capability = _traces(_figure(page, "#dashboard-spc-capability-graph"))
    assert len(capability["values"]["x"]) == n
    assert {"normal (overall)", "normal (within)"} <= set(capability)
    assert {"LSL = 16.00", "USL = 24.00"} <= set(
        _drawn_texts(page, "#dashboard-spc-capability-graph"))
    attribute = _traces(_figure(page, "#dashboard-pchart-graph"))
    assert {"p", "UCL (p)", "CL (p)", "LCL (p)"} <= set(attribute)
    assert grown_margins(page) == {}  # each chart drawn once at this size (1280 px)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)  # Plotly's resize handler redraws on the next frames
        screenshot(page, f"dashboard-spc-{width}x{height}")
        # Nothing inside the SPC cards is wider than its card (the page's own sideways
        # scroll at 820 px comes from the navbar, which the shell's responsive work fixes).
        wide = page.evaluate("""() => [...document.querySelectorAll('.card')]
            .filter(c => c.querySelector('[id^="dashboard-spc"], #dashboard-pchart-graph'))
            .filter(c => c.scrollWidth > c.clientWidth + 1).length""")
        assert wide == 0, f"an SPC card overflows at {width} px"
        # The feature, chart, baseline and rules read whole, as do the bounds' examples.
        assert cut_texts(page, ".spc-controls") == [], f"cut at {width} px"


def test_subgroup_baseline_exclusion_and_restore(page: Page, full_app: AppProcess) -> None:
    _open(page, full_app, full_app.first_admin())
    page.select_option("#dashboard-spc-baseline-select", "subgroups")
    page.fill("#dashboard-spc-baseline-first-input", "5")
    page.fill("#dashboard-spc-baseline-last-input", "2")
    page.press("#dashboard-spc-baseline-last-input", "Enter")
    expect(page.locator("#dashboard-spc-baseline-div")).to_have_text(re.compile(
        "The baseline's first subgroup must come before its last."), timeout=SLOW)
    page.fill("#dashboard-spc-baseline-first-input", "1")
    page.press("#dashboard-spc-baseline-first-input", "Enter")
    page.fill("#dashboard-spc-baseline-last-input", "10")
    page.press("#dashboard-spc-baseline-last-input", "Enter")
    _wait_for_baseline(page, "Limits from subgroups 1–10: 10 subgroups, ")
    expect(page.locator("#dashboard-spc-baseline-div")).to_contain_text(
        "Caution: limits from fewer than 20 subgroups are imprecise")
    point = page.locator(f"{GRAPH} .scatterlayer .trace").first.locator(".points path").nth(2)
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".hoverlayer .hovertext")).to_have_count(1)  # Plotly picked it
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#dashboard-spc-subgroup-input")).to_have_value("3", timeout=SLOW)
    page.click("#dashboard-spc-exclude-button")  # no reason yet
    expect(page.locator("#dashboard-spc-exclude-result-div")).to_contain_text(
        "Give a reason for excluding this subgroup.", timeout=SLOW)
    page.fill("#dashboard-spc-reason-input", "gauge not zeroed")
    page.click("#dashboard-spc-exclude-button")
    expect(page.locator("#dashboard-spc-exclude-result-div")).to_contain_text(
        "Subgroup 3 excluded from the limits.", timeout=SLOW)
    expect(page.locator("#dashboard-spc-exclusions-div")).to_contain_text("gauge not zeroed")
    _wait_for_baseline(page, "Limits from subgroups 1–10: 9 subgroups, ")
    expect(page.locator("#dashboard-spc-baseline-div")).to_contain_text("1 excluded.")
    traces = _traces(_figure(page))
    assert traces["excluded (X̄)"]["x"] == [3] and traces["excluded (R)"]["x"] == [3]
    screenshot(page, "dashboard-spc-excluded")
    page.locator("#dashboard-spc-exclusions-div button", has_text="Restore").click()
    expect(page.locator("#dashboard-spc-exclude-result-div")).to_contain_text(
        "Subgroup restored to the limits.", timeout=SLOW)
    _wait_for_baseline(page, "Limits from subgroups 1–10: 10 subgroups, ")
    expect(page.locator("#dashboard-spc-exclusions-div")).to_contain_text(
        "No subgroup is excluded from the limits.")


def test_a_viewer_sees_the_chart_but_no_exclusion_controls(page: Page,
                                                            full_app: AppProcess) -> None:
    email, password = "spc-viewer@plant.example", "spc viewer password long enough"
    full_app.cli("create-user", "--email", email, "--cluster", "demo_plant", "--role",
                 "viewer", "--password-stdin", stdin=password + "\n")
    _open(page, full_app, (email, password))
    expect(page.locator("#dashboard-spc-exclusions-div")).to_contain_text(
        "Editors can exclude subgroups from the limits.", timeout=SLOW)
    expect(page.locator("#dashboard-spc-exclude-button")).to_have_count(0)
    expect(page.locator("#dashboard-spc-summary-div")).to_contain_text("Cp ")
