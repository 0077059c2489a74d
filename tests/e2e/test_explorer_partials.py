"""The explorer on a process too big to hold (the web process holds no samples here): the
whole view comes from the stored density partials, a zoom deeper than the stored pyramid
says in words that it is coarser than the screen, and the finer image replaces it by
itself."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import app_fixture, screenshot, sign_in
from tests.servers import AppProcess

#: Summary texts and image sources, in the order the page showed them, from a zoom on.
WATCH = """([x0, x1]) => new Promise(resolve => {
    const summary = document.querySelector('#explorer-summary-div');
    const gd = document.querySelector('#explorer-graph .js-plotly-plot');
    const image = () => (gd.layout.images && gd.layout.images[0]
                         ? gd.layout.images[0].source : '');
    const seen = [];
    const look = () => {
        const entry = [summary.innerText, image().length, image().slice(-40)];
        const last = seen[seen.length - 1];
        if (!last || last[0] !== entry[0] || last[2] !== entry[2]) seen.push(entry);
        if (entry[0].includes('from their samples')) { watcher.disconnect(); resolve(seen); }
    };
    const watcher = new MutationObserver(look);
    watcher.observe(summary, {subtree: true, childList: true, characterData: true});
    watcher.observe(gd, {subtree: true, childList: true, attributes: true});
    const span = gd.layout.yaxis.range;
    Plotly.relayout(gd, {'xaxis.range': [x0, x1], 'yaxis.range': span});
    setTimeout(() => resolve(seen), 170000);
})"""


big_app = app_fixture(
    "big_app", "The small demo on an app that holds no samples in memory (as if every process "
    "were too big), so the explorer draws from the partials the deployment's duty builds.",
    env={"LYCEUM_EXPLORER_HELD_SAMPLES": "0"}, partials=True)


def _summary_once_stored(page: Page, url: str, *, within: float = 420) -> str:
    """Open the explorer until its whole view is drawn from the partials (the duty builds
    them within seconds of start-up); the summary then."""
    deadline = time.monotonic() + within
    summary = page.locator("#explorer-summary-div")
    while True:
        page.goto(f"{url}/clusters/1/explorer")
        expect(summary).to_contain_text("curves", timeout=180_000)
        text = summary.inner_text()
        if "stored partial images" in text or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(3000)  # the duty's next round (every 5 s)


def test_a_deep_zoom_says_it_is_coarser_and_refines_by_itself(page: Page,
                                                               big_app: AppProcess) -> None:
    sign_in(page, big_app.url, *big_app.first_admin())
    text = _summary_once_stored(page, big_app.url)
    assert "curves drawn as lines from stored partial images" in text, text
    assert "coarser" not in text
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible()
    screenshot(page, "explorer-partials-whole")

    x0, x1 = (float(v) for v in re.findall(r"x ([-0-9.e]+)…([-0-9.e]+)", text)[0])
    narrow = (x0 + 0.45 * (x1 - x0), x0 + 0.47 * (x1 - x0))  # 1/50: deeper than level 1
    seen: list[Any] = page.evaluate(WATCH, list(narrow))
    texts = [entry[0] for entry in seen]
    coarse = [t for t in texts if "coarser than the screen" in t]
    assert coarse, texts
    assert re.search(r"\d+ × \d+ stored cells for 800 × 470 pixels; refining…", coarse[0])
    # the finer answer arrived by itself: lines from the samples in the zoom's range
    assert "drawn as lines from their samples in this range" in texts[-1], texts
    assert "coarser" not in texts[-1]
    sources = {entry[2] for entry in seen if entry[1]}
    assert len(sources) >= 2, seen                 # and it replaced the image
    expect(page.locator("#explorer-graph .imagelayer image").first).to_be_visible()
    screenshot(page, "explorer-partials-refined")
