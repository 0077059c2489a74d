"""Browser bench: the explorer's whole view and a zoom at a plant's volume, in Chromium on the
running app (issue 17's targets "in Chromium").

For each curve count: starts the real app (``tests.servers.AppProcess``: gunicorn and its
engine service, no demo data) over a fresh instance, signs in as the first administrator,
makes a cluster through ``POST /api/v1/clusters`` and stops the app; puts the curves into
that cluster's database straight through an engine service over the same instance
(``bench/million.py``'s ``build_by_copy``: generated with ``INSERT … SELECT FROM
numbers()``, the first day's partials built by the kernel and copied to the other days, the
grid recorded as built; done while the app is stopped, so its partials duty does not build
the same curves beside the bench); with ``--server`` also times ``bench/million.py``'s
server-side views on the same curves and keeps them as that size's row of its table. Then it
starts the app again (its duty finds the partials current) and, in Debian's headless
Chromium at 1440 × 900, times ``runs`` times:

- **whole view**: from the navigation's start (a link to the explorer with the process
  chosen) to the first frame painted with the density image and the words under the chart
  (``#explorer-summary-div``: "… filtered curves drawn as lines …", not refining);
- **zoom to 1/10 of the x range** (``Plotly.relayout`` on the drawn chart, as a drag
  does): to the first frame with the new image and words (from the stored partials, perhaps
  coarser than the screen), and to the frame with the image at screen resolution (the
  refined one, when the first was coarser; at most ``--refine-limit`` seconds).

The explorer is opened once before timing (browser cache warm; the app's first visit loads
a process small enough to hold into memory). Processes too big to hold (the app's default
budget: 40 M samples, ~27,000 curves of 1,500 points) are drawn from the stored partials;
10,000 curves are held in memory (the demo's size, whose targets must still hold).

Prints the table, keeps each size's results in ``docs/benchmarks-million.json`` (kind
``browser``) and writes the "### In Chromium" part of the "## Explorer at a million curves"
section of docs/benchmarks.md from all kept sizes.

Usage: python bench/million_browser.py [curves ...] [--runs=5] [--server] [--fallback]
    [--refine-limit=240] [--shots=DIR] [--host-memory-gb=N] [--no-write]
    --no-write prints the rows and keeps and writes nothing (a trial run).
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import million  # noqa: E402
from bench_runs import keep, rows, stamp  # noqa: E402
from benchdoc import put_part  # noqa: E402
from engines import engine_service  # noqa: E402
from page_speed import BarePage  # noqa: E402

from tests.servers import AppProcess  # noqa: E402

PART = "### In Chromium (`bench/million_browser.py`)"
ADMIN = "admin@lyceum.local"
#: The app's per-query memory ceiling (GB) above ``million.FALLBACK_MAX`` curves.
GUARD_MEMORY_GB = 2
#: Issue 17's targets (ms) by the curve counts it names: the whole view, and the zoom to 1/10
#: (10,000 curves: the demo's 250 ms; 1,000,000: 500 ms). A count between two named ones
#: is held to the larger count's target (100,000 curves: a zoom under 500 ms).
WHOLE_TARGETS = {10_000: 500.0, 100_000: 500.0, 1_000_000: 1000.0}
ZOOM_TARGETS = {10_000: 250.0, 1_000_000: 500.0}
#: The words under a drawn chart (any path) and under a coarse one.
DRAWN = "filtered curves drawn as"
REFINING = "refining"
#: The words once a coarse view could not be refined (``callbacks.explorer.refine``).
NOT_REFINED = "not refined: "
#: Page-side helpers: the summary's text, the chart's first image's source.
HELPERS = """
const q = s => document.querySelector(s);
const words = () => (q('#explorer-summary-div') || {}).innerText || '';
const chart = () => q('#explorer-graph .js-plotly-plot');
const image = () => { const gd = chart();
    return gd && gd.layout && gd.layout.images && gd.layout.images[0]
        ? gd.layout.images[0].source || '' : ''; };
"""
#: Resolves with the time (ms since the navigation started) of the first frame painted
#: with the image and the words of a drawn view (``null`` after ``limit`` ms).
WHOLE = HELPERS + """
return new Promise(resolve => {
    const began = performance.now();
    const check = () => {
        const text = words();
        if (image() && text.includes(DRAWN) && !text.includes('sampled points')
                && !text.includes(REFINING)) {
            requestAnimationFrame(t => resolve([t, text])); return;
        }
        if (performance.now() - began > limit) { resolve([null, text]); return; }
        requestAnimationFrame(check);
    };
    check();
});
"""
#: Relayouts the drawn chart (``change``; ``x0``/``x1``: a zoom to [x0, x1] with the y range
#: kept) and resolves with the ms from the relayout to the first frame with a new image and
#: new words, and to the frame with an image at screen resolution (``null`` if it did not
#: come within ``limit`` ms), and the words of both.
RELAYOUT = HELPERS + """
return new Promise(resolve => {
    const gd = chart();
    const before = [image(), words()];
    let first = null, firstText = '';
    const began = performance.now();
    const check = () => {
        const text = words();
        const moved = image() !== before[0] && text !== before[1] && text.includes(DRAWN);
        if (moved && first === null) {
            first = -1; firstText = text;  // -1: its frame is still to come
            const fine = !text.includes(REFINING);
            requestAnimationFrame(t => {
                first = t - began;
                if (fine) { resolve([first, first, text, text]); }
            });
            if (fine) { return; }
        } else if (first !== null && first >= 0 && text.includes(NOT_REFINED)) {
            resolve([first, null, firstText, text]); return;  // said why it stays coarse
        } else if (moved && first !== null && first >= 0 && !text.includes(REFINING)) {
            requestAnimationFrame(t => resolve([first, t - began, firstText, text])); return;
        }
        if (performance.now() - began > limit) {
            resolve([first, null, firstText, text]); return;
        }
        requestAnimationFrame(check);
    };
    Plotly.relayout(gd, change || {'xaxis.range': [x0, x1],
                                   'yaxis.range': gd.layout.yaxis.range.slice()});
    requestAnimationFrame(check);
});
"""


def script(body: str, **values: Any) -> str:
    """``body`` as an arrow function's, with its constants bound (``DRAWN``, ``REFINING``
    and the given names)."""
    import json

    bound = {"DRAWN": DRAWN, "REFINING": REFINING, "NOT_REFINED": NOT_REFINED, **values}
    head = "".join(f"const {k} = {json.dumps(v)};\n" for k, v in bound.items())
    return "() => {" + head + body + "}"


def target(targets: dict[int, float], n: int) -> float | None:
    """The target (ms) for ``n`` curves: that of the smallest named count at or above ``n``
    (fewer curves must meet at least a bigger count's target; ``None`` above them all)."""
    above = [count for count in targets if count >= n]
    return targets[min(above)] if above else None


def zoom_window(x_range: tuple[float, float]) -> tuple[float, float]:
    """The middle tenth of ``x_range`` (the zoom to 1/10 of the x range)."""
    x0, x1 = x_range
    return x0 + 0.45 * (x1 - x0), x0 + 0.55 * (x1 - x0)


def path_of(words: str) -> str:
    """Which path drew a view, from the words under the chart."""
    if "stored partial images" in words:
        return "stored partials" + (" (coarser)" if REFINING in words else "")
    if "sampled points" in words:
        return "ClickHouse sample bins"
    if "from their samples in this range" in words:
        return "ClickHouse samples in the range, as lines"
    return "held in memory" if DRAWN in words else "?"


def median(values: list[float | None]) -> float | None:
    """The median of the values measured (``None`` if any run did not finish)."""
    if not values or any(v is None for v in values):
        return None
    return float(statistics.median([v for v in values if v is not None]))


# ----------------------------------------------------------------------------- the app

def admin_password(app: AppProcess) -> str:
    """The first administrator's password, printed once on the instance's first start."""
    found = re.search(r"password: (\S+)", app.output())
    if not found:
        raise RuntimeError("the app printed no first admin password:\n" + app.output()[-2000:])
    return found.group(1)


def make_cluster(app: AppProcess, password: str) -> tuple[int, str]:
    """A running cluster made through the API; its id and database."""
    admin = app.signed_in(ADMIN, password)
    with sqlite3.connect(app.instance / "lyceum.db") as db:
        (admin_id,) = db.execute("SELECT id FROM users WHERE email = ?", (ADMIN,)).fetchone()
    made = admin.post(f"{app.url}/api/v1/clusters", timeout=60, json={
        "name": "Million curves", "cluster_type": "development", "region_code": "local",
        "members": [{"user_id": admin_id, "role": "admin"}]})
    if made.status_code != 202:
        raise RuntimeError(f"cluster not made: {made.status_code} {made.text[:300]}")
    cluster = int(made.json()["id"])
    deadline = time.monotonic() + 300
    while (status := admin.get(f"{app.url}/api/v1/clusters/{cluster}/status",
                               timeout=30).json()["status"]) != "running":
        if status != "provisioning" or time.monotonic() > deadline:
            raise RuntimeError(f"cluster {cluster} is {status}")
        time.sleep(0.5)
    with sqlite3.connect(app.instance / "lyceum.db") as db:
        (database,) = db.execute("SELECT database_name FROM database_clusters WHERE id = ?",
                                 (cluster,)).fetchone()
    return cluster, str(database)


def load_curves(instance: Path, database: str, n: int, *, server: bool, fallback: bool,
                write: bool) -> dict[str, Any]:
    """The curves and their partials, through an engine service over the stopped app's
    instance; with ``server``, ``bench/million.py``'s server times on them (kept as that
    size's row when ``write``)."""
    with engine_service(instance) as (ch, _env):
        out = million.build_by_copy(ch, database, n)
        print(f"{n:,} curves generated in {out['generate_s']:.0f} s, first day's partials "
              f"built in {out['build_day_s']:.0f} s", flush=True)
        if server:
            start = os.getloadavg()[0]
            found = million.server_times(ch, database, n, quick=True,
                                         fallback_runs=million.fallback_runs(n, asked=fallback))
            result = {"n": n, "quick": True, "bench": "bench/million_browser.py --server",
                      **out, **found}
            if write:
                keep(million.RESULTS, "server", stamp(result, load_at_start=start))
            print(f"server: whole {found['stored_whole'] * 1000:.0f} ms, zoom "
                  f"{found['stored_zoom'] * 1000:.0f} ms", flush=True)
    return out


# ----------------------------------------------------------------------------- the browser

def explorer_link(url: str, cluster: int) -> str:
    """The explorer of the bench's process, as a link."""
    from services.explorer.state import ExplorerState, encode_state

    return (f"{url}/clusters/{cluster}/explorer?s="
            f"{encode_state(ExplorerState(process=million.PROCESS))}")


def open_whole(page: Any, link: str, *, limit_s: float) -> tuple[float | None, str]:
    """Navigate to ``link``: ms from the navigation's start to the drawn view, its words."""
    page.goto(link, wait_until="commit")
    found = page.evaluate(script(WHOLE, limit=limit_s * 1000))
    return (None if found[0] is None else float(found[0])), str(found[1])


def drawn_range(page: Any) -> tuple[float, float]:
    """The chart's x range as drawn."""
    found = page.evaluate("() => document.querySelector('#explorer-graph .js-plotly-plot')"
                          ".layout.xaxis.range")
    return float(found[0]), float(found[1])


#: A double-click on the chart: back to the whole view.
WHOLE_AGAIN = {"xaxis.autorange": True, "yaxis.autorange": True}


def relayout(page: Any, *, window: tuple[float, float] | None = None,
             change: dict[str, Any] | None = None, limit_s: float) -> dict[str, Any]:
    """Zoom the open chart to ``window`` (or relayout it by ``change``); ms to the first new
    image and to the one at screen resolution, and their words."""
    x0, x1 = window or (0.0, 0.0)
    first, final, first_text, final_text = page.evaluate(script(
        RELAYOUT, x0=x0, x1=x1, change=change, limit=limit_s * 1000))
    return {"first": first, "final": final, "first_text": first_text,
            "final_text": final_text}


def ranked_ms(page: Any, *, limit_s: float) -> float | None:
    """ms from the navigation's start until the outlier note says what was ranked (``None``:
    not within ``limit_s``)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => (document.querySelector('#explorer-outliers-info-div')?.innerText || '')"
            ".includes('ranked against')", timeout=limit_s * 1000)
    except PlaywrightTimeout:
        return None
    return float(page.evaluate("() => performance.now()"))


def callback_ms(page: Any) -> float:
    """The longest Dash callback request of the page so far (ms, request to response)."""
    return float(page.evaluate("""() => Math.max(0, ...performance.getEntriesByType('resource')
        .filter(e => e.name.includes('_dash-update-component'))
        .map(e => e.responseEnd - e.startTime))"""))


def browse(url: str, password: str, cluster: int, *, runs: int, refine_limit_s: float,
           shots: Path | None, n: int, bare_url: str) -> dict[str, Any]:
    """The Chromium timings (see the module docstring)."""
    from page_speed import BARE, load_ms
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, COUNT_REQUESTS, quiet, sign_in

    link = explorer_link(url, cluster)
    out: dict[str, Any] = {"whole": [], "zoom_first": [], "zoom_final": [],
                           "whole_callback": [], "whole_again": [], "bare": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.add_init_script(COUNT_REQUESTS)
        page = context.new_page()
        page.set_default_timeout(600_000)
        sign_in(page, url, ADMIN, password)
        page.wait_for_selector("#nav-user-label")
        began = time.monotonic()
        while True:  # warm: browser cache; a small process loads into memory meanwhile
            ms, words = open_whole(page, link, limit_s=600)
            if ms is not None or time.monotonic() - began > 900:
                break
        if ms is None:
            raise RuntimeError(f"the explorer did not draw {n:,} curves: {words!r}")
        out["first_draw_ms"], out["first_ranked_ms"] = ms, ranked_ms(page, limit_s=600)
        quiet(page, for_ms=800)  # the outlier ranking that follows each draw, too
        out["warm_s"] = time.monotonic() - began
        out["outliers_words"] = page.locator("#explorer-outliers-info-div").inner_text()[:300]
        load_ms(page, bare_url, BARE[2])  # warm too
        for run in range(runs):
            ms, words = open_whole(page, link, limit_s=120)
            out["whole"].append(ms)
            out["whole_words"] = words
            out["whole_callback"].append(callback_ms(page))
            quiet(page, for_ms=800)
            if shots is not None and run == 0:
                page.locator("#explorer-graph").screenshot(
                    path=str(shots / f"million-{n}-whole.png"))
            out["x_range"] = drawn_range(page)
            found = relayout(page, window=zoom_window(out["x_range"]), limit_s=refine_limit_s)
            out["zoom_first"].append(found["first"])
            out["zoom_final"].append(found["final"])
            out["zoom_first_words"], out["zoom_final_words"] = (found["first_text"],
                                                                found["final_text"])
            if shots is not None and run == 0:
                page.locator("#explorer-graph").screenshot(
                    path=str(shots / f"million-{n}-zoom.png"))
            quiet(page, for_ms=800)
            again = relayout(page, change=WHOLE_AGAIN, limit_s=120)
            out["whole_again"].append(again["final"])
            out["whole_again_words"] = again["final_text"]
            quiet(page, for_ms=800)
            out["bare"].append(load_ms(page, bare_url, BARE[2])[0])
            print(f"run {run + 1}/{runs}: whole {ms} ms (bare page {out['bare'][-1]} ms), "
                  f"zoom {found['first']} / {found['final']} ms, whole again "
                  f"{again['final']} ms", flush=True)
        browser.close()
    return out


def host_memory_gb(n: int, asked: str | None) -> int | None:
    """The app's per-query memory ceiling for ``n`` curves (``LYCEUM_HOST_MAX_MEMORY_GB``;
    ``None``: the app's default, a quarter of the machine's memory). Above
    ``million.FALLBACK_MAX`` curves the bench caps it at :data:`GUARD_MEMORY_GB` unless
    asked otherwise (``0``: the default): the outlier ranking after each draw reads every
    filtered curve's profile (256 bins) into the web process, several GB at 1,000,000
    curves on a machine shared with others."""
    if asked is not None and asked != "":
        return int(asked) or None
    return GUARD_MEMORY_GB if n > million.FALLBACK_MAX else None


def measure(n: int, *, runs: int, server: bool, fallback: bool, refine_limit_s: float,
            shots: Path | None, write: bool = True,
            memory_gb: int | None = None) -> dict[str, Any]:
    """Everything for ``n`` curves on a fresh instance (``memory_gb``: the app's per-query
    memory ceiling, see :func:`host_memory_gb`)."""
    with tempfile.TemporaryDirectory(prefix="lyceum-million-browser-") as tmp:
        instance = Path(tmp) / "instance"
        app = AppProcess(instance, env={"LYCEUM_DEMO": "off"})
        try:
            app.start(timeout=300)
            password = admin_password(app)
            cluster, database = make_cluster(app, password)
        finally:
            app.stop()
        loaded = load_curves(instance, database, n, server=server, fallback=fallback,
                             write=write)
        env = {"LYCEUM_DEMO": "off"}
        if memory_gb is not None:
            env["LYCEUM_HOST_MAX_MEMORY_GB"] = str(memory_gb)
        app = AppProcess(instance, env=env)
        start = os.getloadavg()[0]
        try:
            app.start(timeout=300)
            with BarePage(Path(tmp)) as bare:
                found = browse(app.url, password, cluster, runs=runs,
                               refine_limit_s=refine_limit_s, shots=shots, n=n,
                               bare_url=bare.url)
        except BaseException:
            print(app.output()[-3000:])
            raise
        finally:
            app.stop()
    return stamp({"n": n, "runs": runs, "refine_limit_s": refine_limit_s,
                  "host_memory_gb": memory_gb,
                  "generate_s": loaded["generate_s"], "build_day_s": loaded["build_day_s"],
                  **found}, load_at_start=start)


# ----------------------------------------------------------------------------- the doc

def cell(values: list[float | None], goal: float | None = None) -> str:
    """Median (range) of one measure, with the verdict against ``goal``."""
    mid = median(values)
    if mid is None:
        done = [v for v in values if v is not None]
        return f"not within the limit in {len(values) - len(done)} of {len(values)} runs"
    done = [v for v in values if v is not None]
    text = f"{mid:,.0f} ms ({min(done):,.0f}–{max(done):,.0f})"
    if goal is not None:
        verdict = "met" if mid < goal else f"**missed** by {mid - goal:,.0f} ms"
        text += f", < {goal:,.0f} ms {verdict}"
    return text


def table_row(r: dict[str, Any]) -> str:
    """One size's row."""
    n = int(r["n"])
    coarse = REFINING in r.get("zoom_first_words", "")
    final = (cell(r["zoom_final"]) + f" (refined; limit {r['refine_limit_s']:.0f} s); "
             f"{path_of(r['zoom_final_words'])}" if coarse else "the same image")
    said = r.get("zoom_final_words", "")
    if coarse and NOT_REFINED in said:
        reason = said.split(NOT_REFINED, 1)[1].split(")", 1)[0]
        final = f"not refined (the page said why: “{reason}”)"
    goal = target(WHOLE_TARGETS, n)
    return (f"| {n:,} | {path_of(r['whole_words'])} | {cell(r['whole'])} "
            f"(bare page {cell(r['bare'])}) | {cell(r['whole_again'], goal)} | "
            f"{cell(r['zoom_first'], target(ZOOM_TARGETS, n))}; "
            f"{path_of(r['zoom_first_words'])} | {final} | "
            f"{median(r['whole_callback']) or 0:,.0f} ms | "
            f"{r['run']}, load {r['load'][0]}–{r['load'][1]} |")


def part(results: list[dict[str, Any]]) -> str:
    """The ``### In Chromium`` part for every kept size."""
    runs = sorted({int(r["runs"]) for r in results})
    lines = [PART, "",
             "The explorer in Debian's headless Chromium (software rendering, 1440 × 900) on "
             "the running app (`python -m lyceum run`: 1 web process and its engine service "
             "on the shared 2-core machine; each row names its run and the load average at "
             "its start and end), one cluster made through the API, the curves of "
             "`bench/million.py --quick` put into its database while the app was stopped. "
             f"Medians of {'/'.join(map(str, runs))} runs (range in brackets); the explorer "
             "opened once before (browser cache warm). Each run: **navigation** to the "
             "explorer's link until the frame painted with the density image and the words "
             "under the chart (beside it, a bare Dash page with one prebuilt graph, served "
             "by waitress in the same run: what loading Dash and plotly.js costs here before "
             "any data); a **zoom to the middle 1/10 of the x range** (`Plotly.relayout`, as "
             "a drag does) until the first frame with the new image, and until the image at "
             "screen resolution (a stored view coarser than the screen is refined from the "
             "samples by itself); a **double-click** (autorange: the whole view again) until "
             "the frame with the whole view's image, the issue's whole-view first draw in an "
             "open page. The slowest callback is the longest Dash request of the "
             "navigation (server time plus transfer).", "",
             "| curves | drawn from | navigation to the drawn whole view | whole view again "
             "(double-click) | zoom 1/10: first image; from | zoom 1/10: at screen "
             "resolution | slowest callback (navigation) | run |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [table_row(r) for r in results]
    lines += ["", "The first visit and the outlier ranking (which follows every draw) per size: "
              + " · ".join(visit_note(r) for r in results)]
    return "\n".join(lines) + "\n"


def visit_note(r: dict[str, Any]) -> str:
    """What the first visit took and what the outlier panel said, for one size."""
    words = " ".join(str(r.get("outliers_words", "")).split())
    ceiling = (f"; the app ran with a per-query memory ceiling of {r['host_memory_gb']} GB "
               "(`LYCEUM_HOST_MAX_MEMORY_GB`)" if r.get("host_memory_gb") else "")
    ranked = ""
    if r.get("first_ranked_ms") is not None and r.get("first_draw_ms") is not None:
        ranked = (f" (drawn {r['first_draw_ms'] / 1000:,.1f} s after the navigation began, "
                  f"ranking shown {(r['first_ranked_ms'] - r['first_draw_ms']) / 1000:,.1f} s "
                  "after the draw)")
    return (f"{int(r['n']):,}: first visit {r.get('warm_s', 0):,.0f} s{ranked}, the panel "
            f"said “{words[:160]}{'…' if len(words) > 160 else ''}”{ceiling}")


def main() -> int:
    """Measure the counts given (default 100,000), keep, print, write."""
    flags = {a.split("=")[0]: a.partition("=")[2] for a in sys.argv[1:] if a.startswith("--")}
    counts = [int(a) for a in sys.argv[1:] if not a.startswith("--")] or [100_000]
    shots = Path(flags["--shots"]) if flags.get("--shots") else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    for n in counts:
        result = measure(n, runs=int(flags.get("--runs") or 5), server="--server" in flags,
                         fallback="--fallback" in flags,
                         refine_limit_s=float(flags.get("--refine-limit") or 240),
                         shots=shots, write="--no-write" not in flags,
                         memory_gb=host_memory_gb(n, flags.get("--host-memory-gb")))
        if "--no-write" in flags:
            print(part([result]))
            continue
        keep(million.RESULTS, "browser", result)
    if "--no-write" in flags:
        return 0
    text = part(rows(million.RESULTS, "browser"))
    print(text)
    put_part(million.HEADING, PART, text)
    if "--server" in flags:
        million.write_section()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
