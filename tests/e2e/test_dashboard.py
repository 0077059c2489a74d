"""The live dashboard in Chromium: it moves with the demo feed, pauses, and an editor
acknowledges an alert; a viewer of no cluster is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import app_fixture, grown_margins, quiet, screenshot, sign_in
from tests.servers import AppProcess

REFRESH_S = 2
#: Waits for server round trips; generous because CI's 2 CPUs may be shared.
SLOW = 20_000


fast_app = app_fixture(
    "fast_app", "The app with a 2-second dashboard refresh (its own instance and small demo).",
    env={"LYCEUM_DASHBOARD_REFRESH_S": str(REFRESH_S)})


@pytest.fixture(scope="module")
def logins(fast_app: AppProcess) -> dict[str, tuple[str, str]]:
    out = {"admin": fast_app.first_admin()}
    for role in ("editor", "viewer"):
        email, password = f"{role}@plant.example", f"{role} password long enough"
        fast_app.cli("create-user", "--email", email, "--cluster", "demo_plant", "--role", role,
                     "--password-stdin", stdin=password + "\n")
        out[role] = (email, password)
    fast_app.cli("create-user", "--email", "other@plant.example", "--cluster", "demo_plant",
                 "--role", "viewer", "--password-stdin", stdin="other password long\n")
    return out


def test_dashboard_moves_with_the_feed_and_pauses(page: Page, fast_app: AppProcess,
                                                  logins: dict[str, tuple[str, str]]) -> None:
    sign_in(page, fast_app.url, *logins["admin"])
    page.goto(f"{fast_app.url}/clusters/1/dashboard")
    parts = page.locator("#dashboard-parts-span")
    expect(parts).not_to_have_text("—", timeout=30_000)
    expect(page.locator("#dashboard-feed-div")).to_contain_text("demo feed", timeout=SLOW)
    page.select_option("#dashboard-window-select", "1h")
    expect(parts).to_have_text(re.compile(r"^[1-9][0-9,]*$"), timeout=30_000)  # feed parts
    first = parts.inner_text()
    expect(parts).not_to_have_text(first, timeout=30_000)  # the feed inserted parts
    expect(page.locator("#dashboard-updated-span")).to_have_text(re.compile(r"\d\d:\d\d:\d\d"))
    screenshot(page, "dashboard")
    # Every chart's labels fit the margins it was drawn with: plotly did not have to grow
    # them and draw the chart a second time (half of the charts' drawing time).
    assert grown_margins(page) == {}
    page.get_by_text("Pause").click()
    # Absence of updates can only be shown by letting refresh periods pass: one for a
    # refresh already in flight to land, then three in which nothing may change.
    page.wait_for_timeout(REFRESH_S * 1000)
    stamp = page.locator("#dashboard-updated-span").inner_text()
    page.wait_for_timeout(REFRESH_S * 3 * 1000)
    expect(page.locator("#dashboard-updated-span")).to_have_text(stamp)


#: The heatmap's plot area, colour bar, station names and hours, and the room inside its
#: card (the card's body less its padding), in px.
HEAT_BOXES = """() => {
    const graph = document.querySelector('#dashboard-heatmap-graph');
    const box = el => { const b = el.getBoundingClientRect();
        return {left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width}; };
    const body = graph.closest('.card-body'), style = getComputedStyle(body);
    const card = box(body);
    card.left += parseFloat(style.paddingLeft);
    card.right -= parseFloat(style.paddingRight);
    card.width = card.right - card.left;
    return {plot: box(graph.querySelector('.nsewdrag')),
            bar: box(graph.querySelector('.colorbar')),
            labels: box(graph.querySelector('.yaxislayer-above')),
            hours: box(graph.querySelector('.xaxislayer-above')), card};
}"""

#: Redraws the heatmap's hours so that the last one is midnight of May 31 (its date drawn
#: under it, at the plot's right edge).
MIDNIGHT_LAST = """() => {
    const graph = document.querySelector('#dashboard-heatmap-graph .js-plotly-plot');
    const n = graph.data[0].x.length, end = Date.UTC(2026, 4, 31);
    const x = Array.from({length: n},
        (_, i) => new Date(end - (n - 1 - i) * 3600e3).toISOString().slice(0, 16));
    return window.Plotly.restyle(graph, {x: [x]});
}"""

#: The y (px) of each of the heatmap colour bar's tick labels, and whether one is turned.
BAR_TICKS = """() => [...document.querySelectorAll('#dashboard-heatmap-graph .cbaxis text')]
    .map(t => [t.textContent, Math.round(t.getBoundingClientRect().top),
               /rotate/.test(t.getAttribute('transform') || '')])"""

#: The defect card's legend as drawn (name, swatch colour, row), and its bars' names and
#: colours as plotly drew them.
DEFECT_LEGEND = """() => ({
    entries: [...document.querySelectorAll('#dashboard-defects-legend-div > span')].map(e => [
        e.textContent, getComputedStyle(e.firstChild).backgroundColor,
        Math.round(e.getBoundingClientRect().top)]),
    bars: document.querySelector('#dashboard-defects-graph .js-plotly-plot')
        .data.map(t => [t.name, t.marker.color])})"""


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


#: Redraws the defect bars with a mode in both windows and the widest left margin the
#: longest modes' names get.
WIDEST_MODES = """() => {
    const graph = document.querySelector('#dashboard-defects-graph .js-plotly-plot');
    const mode = ['a mode whose name is long'];
    return window.Plotly.update(graph, {x: [[12], [5]], y: [mode, mode]}, {'margin.l': 240});
}"""


def test_the_heatmap_plot_takes_most_of_its_card_at_every_size(
        page: Page, fast_app: AppProcess, logins: dict[str, tuple[str, str]]) -> None:
    """The walk at 390 px (issue 16): the station names and the colour bar beside the plot
    took two thirds of a phone's card, leaving the hours ~100 px."""
    sign_in(page, fast_app.url, *logins["viewer"])
    for width, height in ((1440, 900), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{fast_app.url}/clusters/1/dashboard")
        expect(page.locator("#dashboard-heatmap-graph .ytick")).not_to_have_count(0,
                                                                                 timeout=SLOW)
        page.check("#dashboard-pause-switch")
        quiet(page)
        boxes = page.evaluate(HEAT_BOXES)
        plot, bar, card = boxes["plot"], boxes["bar"], boxes["card"]
        assert plot["width"] >= 0.6 * card["width"], (width, boxes)  # 0.34 at 390 before
        # the colour bar under the hours' labels, inside the card; the names left of the plot
        assert bar["top"] >= boxes["hours"]["bottom"] and bar["right"] <= card["right"], boxes
        assert boxes["labels"]["right"] <= plot["left"] + 1, boxes
        assert "dashboard-heatmap-graph" not in grown_margins(page), width  # drawn once
        screenshot(page, f"dashboard-heatmap-{width}")
        ticks = page.evaluate(BAR_TICKS)  # the colour bar's three ticks, level (a run at 00:39)
        assert [text.endswith(" %") for text, _, _ in ticks] == [True] * 3, ticks
        assert len({top for _, top, _ in ticks}) == 1, ticks
        assert not any(turned for _, _, turned in ticks), ticks
        drawn = page.evaluate(DEFECT_LEGEND)  # the card's legend: the bars' names and colours
        assert [(name, colour) for name, colour, _ in drawn["entries"]] == [
            (name, _rgb(colour)) for name, colour in drawn["bars"]], drawn
        assert len({top for _, _, top in drawn["entries"]}) == 1, (width, drawn)  # one row
        # whatever the modes' names: the bars keep their margins (a run at 00:39: plotly's
        # legend took a second row over a phone's narrow plot)
        page.evaluate(WIDEST_MODES)
        assert "dashboard-defects-graph" not in grown_margins(page), (width, "long modes")
        # whatever the hour: with midnight the last hour drawn, its date fits too (CI at 00:22)
        page.evaluate(MIDNIGHT_LAST)
        expect(page.locator("#dashboard-heatmap-graph .xtick").last).to_contain_text("May 31")
        assert "dashboard-heatmap-graph" not in grown_margins(page), (width, "midnight")


def test_editor_acknowledges_an_alert_viewer_cannot(page: Page, fast_app: AppProcess,
                                                    logins: dict[str, tuple[str, str]]) -> None:
    sign_in(page, fast_app.url, *logins["editor"])
    page.goto(f"{fast_app.url}/clusters/1/dashboard")
    page.get_by_text("Add a rule").click()
    page.fill("#dashboard-rule-name-input", "Any NOK this week")
    page.select_option("#dashboard-rule-kind-select", "yield_below")
    page.fill("#dashboard-rule-value-input", "100")
    page.fill("#dashboard-rule-window-input", "10080")
    page.select_option("#dashboard-rule-severity-select", "critical")
    page.click("#dashboard-rule-add-button")
    expect(page.locator("#dashboard-rule-result-div")).to_contain_text("Rule added", timeout=SLOW)
    rules = page.locator("#dashboard-rules-div")
    expect(rules).to_contain_text("yield < 100 % over 10080 min", timeout=SLOW)
    page.context.clear_cookies()
    sign_in(page, fast_app.url, *logins["viewer"])
    page.goto(f"{fast_app.url}/clusters/1/dashboard")
    card = page.locator(".dashboard-alert", has_text="Any NOK this week")
    expect(card).to_be_visible(timeout=30_000)
    expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0, timeout=SLOW)
    expect(page.locator("#dashboard-rules-div")).to_contain_text("Any NOK this week", timeout=SLOW)
    expect(page.get_by_text("Add a rule")).to_have_count(0, timeout=SLOW)
    link = card.get_by_text(re.compile(r"Open \d+ curves? in the explorer"))
    expect(link).to_be_visible(timeout=SLOW)
    page.context.clear_cookies()
    sign_in(page, fast_app.url, *logins["editor"])
    page.goto(f"{fast_app.url}/clusters/1/dashboard")
    card = page.locator(".dashboard-alert", has_text="Any NOK this week")
    card.get_by_role("button", name="Acknowledge").click()
    result = page.locator("#dashboard-ack-result-div")
    expect(result).to_contain_text("Write a comment", timeout=SLOW)
    card.get_by_placeholder("Comment (required)").fill("Press tool worn, changed at 09:00")
    card.get_by_role("button", name="Acknowledge").click()
    expect(card).to_contain_text("Acknowledged by editor@plant.example", timeout=SLOW)
    screenshot(page, "dashboard-alert-acknowledged")
    href = card.get_by_role("link").get_attribute("href") or ""
    assert href.startswith("/clusters/1/explorer?s=")


def test_a_typed_comment_survives_a_refresh_that_redraws_the_alerts(
        page: Page, fast_app: AppProcess, logins: dict[str, tuple[str, str]]) -> None:
    """A refresh that redraws the alert list (another alert changed) keeps the comment an
    editor is typing: the list was rebuilt whole, and the comment was lost between the
    fill and the click (the e2e run of session 15 under load; a person at 30 s too)."""
    url = fast_app.url
    sign_in(page, url, *logins["editor"])
    names = ("Typed comment: first", "Typed comment: second")
    for name in names:
        made = page.request.post(
            f"{url}/api/v1/clusters/1/alert-rules", headers={"Origin": url},
            data={"name": name, "kind": "yield_below", "severity": "warning",
                  "params": {"threshold": 100, "window_minutes": 10080}})
        assert made.ok, made.text()
    page.goto(f"{url}/clusters/1/dashboard")
    first, second = (page.locator(".dashboard-alert", has_text=name) for name in names)
    expect(first).to_be_visible(timeout=30_000)
    expect(second.get_by_role("button", name="Acknowledge")).to_be_visible(timeout=30_000)
    comment = first.get_by_placeholder("Comment (required)")
    comment.fill("Seal replaced on press 2")
    # The second alert is acknowledged elsewhere (the API): the next refresh redraws the list.
    other = second.get_attribute("data-alert")
    done = page.request.post(f"{url}/api/v1/clusters/1/alerts/{other}/acknowledge",
                             headers={"Origin": url}, data={"comment": "Seen on the line"})
    assert done.ok, done.text()
    expect(second).to_contain_text("Acknowledged by editor@plant.example: Seen on the line",
                                   timeout=SLOW)
    expect(comment).to_have_value("Seal replaced on press 2")
    first.get_by_role("button", name="Acknowledge").click()
    expect(first).to_contain_text(
        "Acknowledged by editor@plant.example: Seal replaced on press 2", timeout=SLOW)


def test_forged_cluster_id_is_refused(page: Page, fast_app: AppProcess,
                                      logins: dict[str, tuple[str, str]]) -> None:
    sign_in(page, fast_app.url, *logins["viewer"])
    page.goto(f"{fast_app.url}/clusters/999/dashboard")
    expect(page.get_by_text("Not available to you")).to_be_visible()
