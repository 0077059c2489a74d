"""Browser bench: how long each page takes from navigation to "painted with its content".

Starts the real app (``python -m lyceum run``, demo data, temporary instance) and a bare Dash
page with one graph (the baseline, served by waitress in its own process), signs in as the
first admin in Debian's Chromium (headless, software rendering) and, for every page, times
from the navigation's start (``performance.timeOrigin``) to the first frame painted after the
page's own content is there: each page names the elements that only exist once its data is
drawn (``PAGES``). Also the explorer opened from a shared link (a view with a filter set) and
a filter change in the open explorer (from the click on a line in the Line filter to the
first frame painted with the redrawn density image). Every page is visited once before
timing (browser cache warm, as for a returning user; the app's own caches warm as after any
first visit), then ``runs`` times in turn; medians, and the ratio to the bare page's median
measured in the same run.

Prints the table and replaces the "## Page speed in the browser" section of
docs/benchmarks.md.

Usage: python bench/page_speed.py [runs=7] [demo=full|small] [--profile]
    --profile prints, for one load of each page, the browser's resource timeline (the Dash
    callback requests with their start and end).
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchdoc import replace_section  # noqa: E402

from tests.servers import AppProcess, free_port  # noqa: E402

HEADING = "## Page speed in the browser"
#: JavaScript helpers the page predicates use: an element that is there, filled (text, no
#: spinner inside) and a plotly graph with something drawn in it.
HELPERS = """
const q = s => document.querySelector(s);
const filled = s => { const e = q(s); return !!e && !e.querySelector('.spinner-border')
    && e.innerText.trim().length > 0; };
const drawn = s => !!q(s + ' .main-svg .trace, ' + s + ' .main-svg .imagelayer image, '
    + s + ' .main-svg .hm image');
"""
#: (row label, path, predicate over the page: true once its content is there).
PAGES: list[tuple[str, str, str]] = [
    ("Overview", "/", "filled('[id^=overview-cluster-][id$=-card]')"),
    ("Clusters", "/clusters", "!!q('#clusters-list-table tbody tr')"),
    ("New cluster (wizard)", "/clusters/new",
     "/[1-9]/.test((q('#wizard-estimate-total') || {}).innerText || '')"
     " && !!q('#wizard-body-div input')"),
    ("Cluster detail", "/clusters/{cid}",
     "filled('#cluster-health-score') && !!q('#cluster-usage-table')"
     " && (drawn('#cluster-trend-graph') || !!q('#cluster-trend-text'))"),
    ("Live dashboard", "/clusters/{cid}/dashboard",
     "/^[0-9][0-9,]*$/.test((q('#dashboard-parts-span') || {}).innerText || '')"
     " && drawn('#dashboard-defects-graph') && drawn('#dashboard-heatmap-graph')"
     " && drawn('#dashboard-spc-graph') && drawn('#dashboard-pchart-graph')"),
    ("Curve explorer", "/clusters/{cid}/explorer",
     "drawn('#explorer-graph') && !!q('#explorer-shown-checklist label')"
     " && filled('#explorer-summary-div')"),
    ("Projects", "/clusters/{cid}/projects", "filled('#projects-list-div')"),
    ("SQL console", "/clusters/{cid}/sql", "!!q('#sql-schema-div button')"),
    ("Team", "/clusters/{cid}/team",
     "filled('#team-members-div') && filled('#team-invitations-div')"),
    ("API tokens", "/clusters/{cid}/tokens", "filled('#tokens-table-div')"),
    ("Trace a part", "/clusters/{cid}/trace", "filled('#trace-body-div')"),
    ("Import data", "/clusters/{cid}/import", "filled('#import-history-div')"),
    ("Engine", "/engine", "!!q('#engine-databases-div table tbody tr')"),
    ("Audit log", "/audit", "/ of [0-9]/.test((q('#audit-position-div') || {}).innerText || '')"),
    ("Roles", "/roles", "!!q('#roles-matrix-table tbody tr')"),
]
BARE = ("Bare Dash page, one graph (baseline)", "/", "drawn('#bare-graph')")
EXPLORER = next(p for p in PAGES if p[0] == "Curve explorer")
#: Waits (in the page) until ``ready`` holds, then for the next frame: resolves with the
#: time of that frame (ms since the navigation started), or null after ``limit`` ms.
PAINTED = HELPERS + """
return new Promise(resolve => {
    const began = performance.now();
    const check = () => {
        let ok = false;
        try { ok = READY; } catch (e) { ok = false; }
        if (ok) { requestAnimationFrame(t => resolve(t)); return; }
        if (performance.now() - began > LIMIT) { resolve(null); return; }
        requestAnimationFrame(check);
    };
    check();
});
"""
TARGETS = {"page": 1000.0, "link": 800.0, "filter": 400.0}
#: What the profile (``--profile``: the browser's resource timeline; server-side timing of
#: the page layouts) showed, and what was changed for it.
NOTES = """
Where the time goes (`--profile`, one load of each page, and the browser's callback requests
with their outputs): the document; Dash's `_dash-layout` and `_dash-dependencies` (65 KB);
then at least two chained rounds of callbacks: the shell's (`_pages_location` → the page's
layout) and the page's own. Earlier: versioned assets (`?m=`) kept by the browser for a year,
the vendor CSS linked once (app.py), the dashboard's empty figures built as plain data.

The dashboard's SPC job used to be queued in a third round (its inputs were outputs of
callbacks that ran on mount); then the layout opened the view itself (`services.quality
.dashboard_view.opening_view`) and the panels' callbacks, the SPC job among them, started in
the first round: 22 callback requests, and every chart drawn twice by plotly (an empty frame,
then the data), the SPC chart last, after its job's polls. Now the layout draws every panel
of the view it opens (`services.quality.dashboard_first.first_draw`: KPIs, defects, status,
heatmap, alerts, SPC and attribute charts, capability, rules, spec limits and exclusions,
read at once through the panels' shared cache): the panels' callbacks do not run on load
(they refresh on the tick), and the page sends the few callbacks of its shared header and
filters. When a panel could not be drawn (a saved view, a refused address, a panel late or
failed), the page ticks once at once and the callbacks draw it. Every chart of the
dashboard used to be drawn twice on that first paint: its labels did not fit the margins it
was given, so plotly's automargin grew them and drew it again (per chart, plotly's own
drawing 26-74 ms; 15-31 ms once the margins held the labels). The margins now hold them (the
heatmap's and the defect bars' left margin fitted to the longest name). Left:
the explorer's first draw is one round trip after the layout but its `load` callback
computes the density image (~130 KB), 1.5–2 s of server time under this load; the shared
link and a filter change wait on the same drawing. The bare page itself takes 0.6–1 s here:
plotly.js (4.5 MB) is parsed on every load.
"""


def painted_script(ready: str, limit_ms: int = 60_000) -> str:
    """The page-side waiter for one predicate, as an arrow function's body."""
    return "() => {" + PAINTED.replace("READY", f"({ready})").replace(
        "LIMIT", str(limit_ms)) + "}"


@dataclass
class Timing:
    """The runs of one row (ms) and its target."""

    label: str
    runs: list[float]
    target: float
    callbacks: int = 0

    @property
    def median(self) -> float:
        """Median of the runs."""
        return statistics.median(self.runs)


BARE_APP = '''
import sys
import numpy as np
import plotly.graph_objects as go
from dash import Dash, dcc, html
from waitress import serve

x = np.linspace(0, 1, 1500)
figure = go.Figure(go.Scatter(x=x, y=np.sin(8 * x) * x, mode="lines", name="curve"))
figure.update_layout(height=470, margin={"l": 40, "r": 10, "t": 10, "b": 30})
app = Dash(__name__, serve_locally=True, update_title="")
app.layout = html.Div([html.H1("Bare page"), dcc.Graph(id="bare-graph", figure=figure)])
serve(app.server, host="127.0.0.1", port=int(sys.argv[1]), threads=8)
'''


class BarePage:
    """A bare Dash page with one prebuilt graph in its own process (waitress)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.script = folder / "bare_dash.py"
        self.script.write_text(BARE_APP)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BarePage:
        import requests

        self.proc = subprocess.Popen([sys.executable, str(self.script), str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url, timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("the bare Dash page did not start")

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def load_ms(page: Any, url: str, ready: str, *, limit_s: int = 60) -> tuple[float, int]:
    """Navigate to ``url``; ms from the navigation's start to the frame painted with the
    content, and the number of Dash callback requests the page had sent by then."""
    page.goto(url, wait_until="commit")
    painted = page.evaluate(painted_script(ready, limit_s * 1000))
    if painted is None:
        raise RuntimeError(f"{url}: content not drawn within {limit_s} s")
    callbacks = page.evaluate("""() => performance.getEntriesByType('resource').filter(
        e => e.name.includes('_dash-update-component')).length""")
    return float(painted), int(callbacks)


def settle(page: Any, quiet_ms: int = 800) -> None:
    """Wait until no request has finished for ``quiet_ms`` (follow-up callbacks done)."""
    from tests.e2e.conftest import quiet

    quiet(page, for_ms=quiet_ms)


def share_link(page: Any, url: str, cid: int) -> str:
    """A shared link of the explorer with one filter set (the first line)."""
    page.goto(f"{url}/clusters/{cid}/explorer")
    page.evaluate(painted_script(EXPLORER[2]))
    settle(page)
    before = page.locator("#explorer-summary-div").inner_text()
    page.click("#explorer-lines-select")
    page.locator("[role=listbox] [role=option]").nth(1).click()
    page.keyboard.press("Escape")
    page.wait_for_function("(b) => document.querySelector('#explorer-summary-div')"
                           ".innerText !== b", arg=before, timeout=60_000)
    settle(page)
    page.get_by_role("tab", name="Export").click()
    page.click("#explorer-share-button")
    page.wait_for_function("() => (document.querySelector('#explorer-share-input') || {})"
                           ".value", timeout=60_000)
    value = page.locator("#explorer-share-input").input_value(timeout=20_000)
    value = value.removeprefix(url)  # the link is absolute (it is meant to be copied)
    if not value.startswith(f"/clusters/{cid}/explorer?s="):
        raise RuntimeError(f"unexpected share link {value!r}")
    return url + value


FILTER_CHANGE = HELPERS + """
return new Promise(resolve => {
    const image = () => { const i = q('#explorer-graph .imagelayer image');
        return i ? i.getAttribute('href') : null; };
    const summary = () => (q('#explorer-summary-div') || {}).innerText;
    const before = [image(), summary()];
    let clicked = null;
    document.addEventListener('click', ev => {
        if (clicked === null && ev.target.closest('[role=option]')) clicked = performance.now();
    }, {capture: true});
    const began = performance.now();
    const check = () => {
        if (clicked !== null && image() !== before[0] && summary() !== before[1]) {
            requestAnimationFrame(t => resolve(t - clicked)); return;
        }
        if (performance.now() - began > 60000) { resolve(null); return; }
        requestAnimationFrame(check);
    };
    check();
});
"""


def filter_change_ms(page: Any, option: int) -> float:
    """In the open explorer: click line ``option`` in the Line filter; ms from the click to
    the frame painted with the new density image and summary."""
    settle(page)
    page.click("#explorer-lines-select")
    page.wait_for_selector("[role=listbox] [role=option]")
    waiter = page.evaluate_handle("() => { window.__change = (() => {" + FILTER_CHANGE
                                  + "})(); return true; }")
    waiter.dispose()
    page.locator("[role=listbox] [role=option]").nth(option).click()
    took = page.evaluate("() => window.__change")
    page.keyboard.press("Escape")
    if took is None:
        raise RuntimeError("the explorer did not redraw after a filter change")
    return float(took)


def profile(page: Any, url: str, ready: str) -> str:
    """One load's Dash callback requests: start → end (ms), output, bytes."""
    load_ms(page, url, ready)
    settle(page, 1500)
    entries = page.evaluate("""() => performance.getEntriesByType('resource').map(e => [
        e.name.split('/').slice(3).join('/').slice(0, 60), Math.round(e.startTime),
        Math.round(e.responseEnd), e.transferSize])""")
    lines = [f"  {start:6d} → {end:6d} ms {size:8d} B  {name}" for name, start, end, size
             in entries]
    return "\n".join(lines)


def measure(url: str, password: str, bare_url: str, runs: int, cid: int,
            show_profile: bool) -> list[Timing]:
    """Every row, warm, ``runs`` times each in turn."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

    pages = [(label, url + path.format(cid=cid), ready) for label, path, ready in PAGES]
    rows: dict[str, Timing] = {BARE[0]: Timing(BARE[0], [], 0.0)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(600_000)
        sign_in(page, url, "admin@lyceum.local", password)
        page.wait_for_selector("#nav-user-label")
        for label, target, ready in [(BARE[0], bare_url, BARE[2]), *pages]:
            # warm: browser cache, the app's first visit (the explorer's first one loads the
            # cluster's curves into memory: minutes on the full demo of a busy machine)
            load_ms(page, target, ready, limit_s=600)
            settle(page)
            if show_profile:
                print(f"{label}:\n{profile(page, target, ready)}")
        link = share_link(page, url, cid)
        load_ms(page, link, EXPLORER[2])
        for label, _, _ in pages:
            rows[label] = Timing(label, [], TARGETS["page"])
        rows["link"] = Timing("Curve explorer from a shared link (one line filtered)", [],
                              TARGETS["link"])
        rows["filter"] = Timing("Explorer filter change (click on a line → redrawn)", [],
                                TARGETS["filter"])
        for run in range(runs):
            ms, _ = load_ms(page, bare_url, BARE[2])
            rows[BARE[0]].runs.append(ms)
            for label, target, ready in pages:
                ms, calls = load_ms(page, target, ready)
                rows[label].runs.append(ms)
                rows[label].callbacks = calls
                settle(page, 300)
            ms, calls = load_ms(page, link, EXPLORER[2])
            rows["link"].runs.append(ms)
            rows["link"].callbacks = calls
            settle(page)
            rows["filter"].runs.append(filter_change_ms(page, 1 + run % 2))
            print(f"run {run + 1}/{runs} done", flush=True)
        browser.close()
    return list(rows.values())


def section(rows: list[Timing], *, runs: int, demo: str, load: tuple[float, float]) -> str:
    """The markdown section."""
    bare = rows[0].median
    lines = []
    for row in rows:
        verdict = "" if not row.target else (
            f"< {row.target / 1000:.1f} s ({'met' if row.median < row.target else '**missed**'})")
        calls = str(row.callbacks) if row.callbacks else ""
        lines.append(f"| {row.label} | {row.median:.0f} ms | {row.median / bare:.1f}× | "
                     f"{min(row.runs):.0f}–{max(row.runs):.0f} | {calls} | {verdict} |")
    return (
        f"{HEADING}\n\n`bench/page_speed.py`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs of a shared machine (load average {load[0]:.1f} at the "
        f"start, {load[1]:.1f} at the end{'' if max(load) < 1.5 else ': the numbers are noisy'}), "
        f"{platform.machine()}, Python {platform.python_version()}: the real app (`python -m "
        f"lyceum run`, {demo} demo, 1 web process, the engine service) and a bare Dash page "
        "with one prebuilt graph (waitress) in the same run, Debian's headless Chromium "
        "(software rendering), 1440×900, signed in as the first admin. Time from the "
        "navigation's start to the first frame painted after the page's own content is "
        "there (a page-specific element that only exists once its data is drawn: see "
        "`PAGES` in the script); every page visited once before (browser cache warm, as for "
        f"a returning user), then {runs} rounds over every row; median, range, and the "
        "Dash callback requests the page had sent by then.\n\n"
        "| Page | Median | × bare page | Range (ms) | Callbacks | Target |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n" + NOTES)


def main() -> int:
    """Start, measure, print, write."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 7
    demo = args[1] if len(args) > 1 else "full"
    show_profile = "--profile" in sys.argv
    with tempfile.TemporaryDirectory(prefix="lyceum-page-speed-") as tmp:
        folder = Path(tmp)
        (folder / "instance").mkdir()
        app = AppProcess(folder / "instance", env={"LYCEUM_DEMO": demo})
        app.start(timeout=600)
        try:
            found = re.search(r"password: (\S+)", app.output())
            assert found, app.output()
            with BarePage(folder) as bare:
                start_load = os.getloadavg()[0]
                rows = measure(app.url, found.group(1), bare.url, runs, 1, show_profile)
                end_load = os.getloadavg()[0]
        except BaseException:
            print(app.output()[-3000:])
            raise
        finally:
            app.stop()
    text = section(rows, runs=runs, demo=demo, load=(start_load, end_load))
    print(text)
    replace_section(HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
