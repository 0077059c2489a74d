"""The explorer's controls in Chromium, judged by what is drawn: the colour legend's names and
swatches, the colours of the density image's pixels, the figure's traces. The browser
console is watched throughout: any error (such as the renderer's ``TypeError`` that once
made "Colour by" snap back to "result") fails the test, and so does the page re-running its
initial load after a change."""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, Request, expect

from components.explorer import group_label
from tests.e2e.conftest import quiet, screenshot, sign_in
from tests.servers import AppProcess

EDITOR = ("explorer-controls@plant.example", "explorer controls password")
#: The colour groups' checklist: each option's name, after its swatch.
LEGEND = "#explorer-shown-checklist label"
#: The result colours and the palette's third colour (components/explorer_figure.py), as
#: the image stores them (5 bits per channel).
OK_BLUE, NOK_RED, PINK, OTHER_GREY = (0x28, 0x68, 0xB0), (0xC0, 0x28, 0x28), \
    (0xE0, 0x70, 0xC0), (0x98, 0x98, 0x98)


class Watched:
    """A signed-in explorer tab whose console errors and page reloads are recorded."""

    def __init__(self, page: Page, app: AppProcess) -> None:
        self.page, self.app = page, app
        self.errors: list[str] = []
        self.reloads = 0
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._count_reload)

    def _count_reload(self, request: Request) -> None:
        if "_dash-update-component" in request.url and \
                "_pages_content.children" in (request.post_data or ""):
            self.reloads += 1

    def open(self) -> None:
        """Open the explorer of the demo cluster and wait for the first drawing."""
        sign_in(self.page, self.app.url, *EDITOR)
        self.page.goto(f"{self.app.url}/clusters/1/explorer")
        expect(self.page.locator("#explorer-graph .imagelayer image").first).to_be_visible(
            timeout=30_000)
        expect(self.page.locator(LEGEND).first).to_be_visible()
        quiet(self.page)
        self.reloads = 0

    def values(self) -> dict[str, Any]:
        """The filter values of the first process, as the API lists them."""
        found: dict[str, Any] = self.page.request.get(
            f"{self.app.url}/api/v1/clusters/1/curve-filters").json()
        return found

    def choose(self, select_id: str, option: str) -> None:
        """Pick ``option`` in a dropdown."""
        self.page.click(f"#{select_id}")
        self.page.locator("[role=listbox] [role=option]").filter(
            has_text=option).first.click()
        self.page.keyboard.press("Escape")

    def legend(self) -> list[tuple[str, tuple[int, int, int]]]:
        """(name, swatch colour stored as the image stores it) of each legend entry."""
        rows = self.page.locator(LEGEND).evaluate_all("""items => items.map(i => [
            i.innerText.trim(),
            getComputedStyle(i.lastElementChild, '::before').backgroundColor])""")
        out = []
        for name, css in rows:
            rgb = tuple(int(v) & 0xF8 for v in css[css.index("(") + 1:-1].split(",")[:3])
            out.append((name, (rgb[0], rgb[1], rgb[2])))
        return out

    def figure(self) -> dict[str, Any]:
        """The drawn figure: the density image's source and each trace's name, colour,
        point count and visibility."""
        found: dict[str, Any] = self.page.evaluate("""() => {
            const g = document.querySelector('#explorer-graph .js-plotly-plot');
            return {image: (g.layout.images[0] || {}).source || '',
                    traces: g._fullData.map(t => ({name: t.name, visible: t.visible,
                        color: (t.line || {}).color, n: (t.x || []).filter(
                            v => v !== null).length}))};
        }""")
        return found

    def pixels(self) -> Counter[tuple[int, int, int]]:
        """How many pixels of the density image have each colour (transparent ones not)."""
        source = self.figure()["image"]
        assert source.startswith("data:image/png;base64,"), source[:40]
        image = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        rgba = np.asarray(image.convert("RGBA"))
        drawn = rgba[rgba[:, :, 3] > 0][:, :3]
        return Counter(map(tuple, drawn.tolist()))

    def settled(self) -> None:
        """Wait for the follow-up callbacks, then check nothing went wrong."""
        quiet(self.page)
        assert self.errors == [], self.errors
        assert self.reloads == 0, "the page re-ran its initial load"


@pytest.fixture
def tab(page: Page, live_app: AppProcess) -> Iterator[Watched]:
    live_app.cli("create-user", "--email", EDITOR[0], "--cluster", "demo_plant", "--role",
                 "editor", "--password-stdin", stdin=EDITOR[1] + "\n")
    watched = Watched(page, live_app)
    watched.open()
    yield watched
    assert watched.errors == [], watched.errors


def test_colour_by_every_choice_draws_its_groups_and_keeps_the_choice(tab: Watched) -> None:
    values = tab.values()
    first = tab.legend()
    assert {name for name, _ in first} <= {"OK", "NOK", "WARNING"}
    assert dict(first)["OK"] == OK_BLUE and dict(first)["NOK"] == NOK_RED
    pixels = tab.pixels()
    assert pixels[OK_BLUE] > 0 and pixels[NOK_RED] > 0 and pixels[PINK] == 0

    for choice, key in (("line", "lines"), ("station", "stations"), ("product", "products"),
                        ("batch", "batches"), ("result", "results")):
        tab.choose("explorer-color-by-select", choice)
        # as the legend names them: curves another test of this app's session sent without
        # a station are the group "(none)"
        listed = sorted(group_label(v) for v in values[key])
        expected = min(len(listed), 10)
        legend = tab.page.locator(LEGEND)
        if choice == "result":
            expect(legend.filter(has_text=re.compile(r"^OK$"))).to_have_count(
                1, timeout=20_000)
        else:
            expect(legend).to_have_count(expected, timeout=20_000)
            expect(legend.filter(has_text=re.compile(r"^(OK|NOK|WARNING)$"))).to_have_count(0)
        tab.settled()
        expect(tab.page.locator("#explorer-color-by-select")).to_contain_text(choice)
        drawn = tab.legend()
        names = [name for name, _ in drawn]
        colours = [colour for _, colour in drawn]
        if choice == "result":
            assert set(names) <= {"OK", "NOK", "WARNING"}
            continue
        if len(listed) <= 10:
            assert sorted(names) == listed
        else:
            assert names[-1] == "all others" and colours[-1] == OTHER_GREY
            assert set(names[:-1]) <= set(listed)
        assert len(set(colours)) == len(colours)  # one colour per group
        pixels = tab.pixels()
        # "all others" is drawn first, then the groups in order: the last one is never
        # hidden under another, so its own colour shows in the image.
        named = [colour for name, colour in drawn if name != "all others"]
        assert pixels[named[-1]] > 0, (choice, drawn, pixels.most_common(5))
        if len(named) == 3:
            assert pixels[PINK] > 0  # the palette's third colour: never a result colour
        if len(named) == 1:
            assert pixels[NOK_RED] == 0 and pixels[PINK] == 0
        screenshot(tab.page, f"explorer-colour-by-{choice}")


def test_group_toggles_and_filters_change_what_is_drawn(tab: Watched) -> None:
    tab.choose("explorer-color-by-select", "line")
    expect(tab.page.locator(LEGEND)).to_have_count(len(tab.values()["lines"]),
                                                   timeout=20_000)
    tab.settled()
    first, colour = tab.legend()[0]
    assert tab.pixels()[colour] > 0
    tab.page.locator(LEGEND).filter(has_text=re.compile(f"^{re.escape(first)}$")).click()
    expect(tab.page.locator("#explorer-shown-checklist input").first).not_to_be_checked()
    tab.settled()
    expect(tab.page.locator("#explorer-color-by-select")).to_contain_text("line")
    assert tab.pixels()[colour] == 0  # the hidden group's colour left the image
    screenshot(tab.page, "explorer-group-hidden")

    tab.choose("explorer-color-by-select", "result")
    expect(tab.page.locator(LEGEND).filter(has_text=re.compile(r"^OK$"))).to_have_count(
        1, timeout=20_000)
    tab.settled()
    summary = tab.page.locator("#explorer-summary-div")
    before = summary.inner_text()
    tab.choose("explorer-results-select", "NOK")
    expect(summary).not_to_have_text(before, timeout=20_000)
    expect(tab.page.locator(LEGEND)).to_have_text(["NOK"])
    tab.settled()
    pixels = tab.pixels()
    assert pixels[NOK_RED] > 0 and pixels[OK_BLUE] == 0
    expect(tab.page.locator("#explorer-results-select")).to_contain_text("NOK")


def test_golden_outliers_and_zoom_are_drawn(tab: Watched) -> None:
    expect(tab.page.locator("#explorer-outliers-info-div")).to_contain_text("most deviating")
    expect(tab.page.locator("#explorer-graph .legendtext",
                            has_text="Golden (unsaved)")).to_be_visible()
    figure = tab.figure()
    traces = {t["name"]: t for t in figure["traces"]}
    assert traces["Golden (unsaved)"]["n"] > 10
    assert traces["Top outliers"]["n"] > 10
    assert traces["Top outliers"]["color"] == "rgba(216,67,21,0.75)"
    expect(tab.page.locator("#explorer-outliers-table tbody tr").nth(3)).to_be_visible()
    # Orange are the curves outside the usual variation (the first page's 12 rows come before
    # the 20th of them), not every top row: one "within the usual variation" is not drawn so.
    rows = tab.page.locator("#explorer-outliers-table tbody tr").evaluate_all(
        """rows => rows.map(r => [...r.querySelectorAll('td')].map(c => c.innerText))
                       .filter(cells => cells.length > 3)""")
    orange = set(tab.page.evaluate("""() => {
        const g = document.querySelector('#explorer-graph .js-plotly-plot');
        const t = g.data.find(t => t.name === 'Top outliers');
        return [...new Set((t.customdata || []).filter(c => c !== null))]; }"""))
    why = {int(cells[1]): cells[3] for cells in rows}
    assert len(why) == 12 and any(w != "within the usual variation" for w in why.values())
    assert {c for c, w in why.items() if w != "within the usual variation"} == orange & set(why)

    golden = tab.page.locator("#explorer-graph .legend g.traces",
                              has_text="Golden (unsaved)").locator(".legendtoggle")
    golden.click()  # the legend toggles the golden curve off and on
    tab.page.wait_for_function("""() => document.querySelector('#explorer-graph .js-plotly-plot')
        ._fullData.some(t => t.name === 'Golden (unsaved)' && t.visible === 'legendonly')""")
    golden.click()
    tab.page.wait_for_function("""() => document.querySelector('#explorer-graph .js-plotly-plot')
        ._fullData.some(t => t.name === 'Golden (unsaved)' && t.visible === true)""")

    tab.page.get_by_role("tab", name="Golden curve").click()
    tab.page.fill("#explorer-golden-name-input", "controls nominal")
    tab.page.click("#explorer-golden-save-button")
    expect(tab.page.locator("#explorer-graph .legendtext",
                            has_text="controls nominal v1")).to_be_visible(timeout=30_000)
    tab.settled()

    summary = tab.page.locator("#explorer-summary-div")
    before, image = summary.inner_text(), tab.figure()["image"]
    box = tab.page.locator("#explorer-graph .nsewdrag").first.bounding_box()
    assert box is not None
    tab.page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2)
    tab.page.mouse.down()
    tab.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7,
                        steps=5)
    tab.page.mouse.up()
    expect(summary).not_to_have_text(before, timeout=20_000)
    tab.settled()
    assert tab.figure()["image"] != image  # re-drawn for the zoomed range
    assert sum(tab.pixels().values()) > 0
    screenshot(tab.page, "explorer-controls-zoomed")
