"""The three users' walk (issue 16): every page a plant engineer, a quality engineer and an
administrator use, as each role, at 1440x900, 820x1180 and 390x844 in Debian's Chromium.

Each step is screenshotted at the three sizes (full page, under ``--out``) and measured: how
far the page scrolls sideways, which visible controls or cells end right of their card or of
the window without a scrolling box around them, which buttons cut their own text, which tab
rows wrap onto a second line. The measures are printed as a table (one row per step and
size) for the walk's record (docs/walks/); the pictures are for people to look at.

    PYTHONPATH=$PWD python bench/walk_three_users.py --out /tmp/walk      # starts the app
    PYTHONPATH=$PWD python bench/walk_three_users.py --url http://127.0.0.1:8050 \\
        --password ADMIN_PASSWORD --out /tmp/walk                         # a running app

Given ``--url``, the roles' accounts are made with ``python -m lyceum create-user`` over
``--instance`` (the running app's instance folder).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, COUNT_REQUESTS, quiet  # noqa: E402

SIZES = ((1440, 900), (820, 1180), (390, 844))
LOAD_MS = 60_000

#: What is measured on a drawn page (see the module's docstring).
MEASURE = """() => {
    const width = document.documentElement.clientWidth;
    const name = el => {
        const id = el.id ? '#' + el.id : '';
        const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
        return `${el.tagName.toLowerCase()}${id}${text ? ' "' + text + '"' : ''}`;
    };
    const scrolled = el => {
        for (let up = el.parentElement; up; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (['auto', 'scroll'].includes(style.overflowX)) { return true; }
        }
        return false;
    };
    const shown = el => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
            && style.opacity !== '0' && !el.closest('[aria-hidden=true]');
    };
    const cut = [], clipped = [], wrapped = [];
    const things = 'button, a, input, select, label, th, td, h1, h2, h3, h4, h5, h6, '
        + '.badge, .alert, .form-control, .form-select, .Select-control, .card-body > *';
    for (const el of document.querySelectorAll(things)) {
        if (!shown(el) || scrolled(el)) { continue; }
        const box = el.getBoundingClientRect();
        const card = el.closest('.card');
        const edge = card && card !== el ? card.getBoundingClientRect().right : width;
        if (box.right > Math.min(edge, width) + 1 || box.left < -1) {
            cut.push(`${name(el)} ends at ${Math.round(box.right)} > ${Math.round(edge)}`);
        }
        if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflow !== 'visible') {
            clipped.push(name(el));
        }
    }
    for (const row of document.querySelectorAll('.nav-tabs, .nav-pills')) {
        if (!shown(row) || row.closest('.navbar') || row.matches('.cluster-nav')) { continue; }
        const tops = new Set([...row.children].filter(shown)
            .map(c => Math.round(c.getBoundingClientRect().top)));
        if (tops.size > 1 && !scrolled(row)) { wrapped.push(name(row).slice(0, 70)); }
    }
    return {sideways: document.scrollingElement.scrollWidth - innerWidth,
            cut: cut.slice(0, 8), clipped, wrapped};
}"""


@dataclass
class Walk:
    """A walk's browser tab, its pictures' folder and what it measured."""

    page: Page
    url: str
    out: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str, ready: str | None = None) -> None:
        """Open ``path`` and wait for ``ready`` (a selector) and the page to settle."""
        self.page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        self.page.goto(f"{self.url}{path}")
        if ready:
            self.page.locator(ready).first.wait_for(timeout=LOAD_MS)
        quiet(self.page)

    def shoot(self, role: str, step: str) -> None:
        """Measure and screenshot the page as it is, at the three sizes."""
        for width, height in SIZES:
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.wait_for_timeout(400)
            quiet(self.page, for_ms=400)
            found = self.page.evaluate(MEASURE)
            name = f"{role}-{step}-{width}"
            self.page.screenshot(path=str(self.out / f"{name}.png"), full_page=True)
            row = {"role": role, "step": step, "width": width, **found}
            self.rows.append(row)
            problems = [f"sideways {found['sideways']}"] if found["sideways"] > 0 else []
            problems += [f"cut: {c}" for c in found["cut"]]
            problems += [f"clipped: {c}" for c in found["clipped"]]
            problems += [f"wrapped: {c}" for c in found["wrapped"]]
            print(f"{name:45s} {'; '.join(problems) or 'fits'}", flush=True)
        self.page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})

    def step(self, role: str, step: str, path: str | None, ready: str | None = None,
             action: Callable[[Page], None] | None = None) -> None:
        """Open ``path`` (unless None), do ``action``, then :meth:`shoot`; a step that fails
        is recorded and the walk goes on."""
        try:
            if path is not None:
                self.go(path, ready)
            if action is not None:
                action(self.page)
                quiet(self.page)
            self.shoot(role, step)
        except Exception as error:  # noqa: BLE001 - the walk records and goes on
            message = f"{role}-{step}: {type(error).__name__}: {str(error).splitlines()[0]}"
            self.errors.append(message)
            print("FAILED", message, flush=True)
            self.page.screenshot(path=str(self.out / f"{role}-{step}-FAILED.png"),
                                 full_page=True)


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    """Sign in through the form (a fresh context per role)."""
    page.goto(f"{url}/login")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.locator("#nav-user-label").wait_for(timeout=LOAD_MS)


#: A rule that fires on the demo (any rejected part in a week), so that every role's
#: "alert → curves" step has an alert to follow rather than depending on the feed's luck.
FIRING_RULE = {"name": "Walk: any NOK this week", "kind": "yield_below",
               "params": {"threshold": 100, "window_minutes": 10080}, "severity": "warning"}


def add_firing_rule(page: Page, url: str) -> None:
    """Add :data:`FIRING_RULE` to the demo cluster through the API (as the signed-in admin)."""
    known = page.request.get(f"{url}/api/v1/clusters/1/alert-rules")
    if any(rule.get("name") == FIRING_RULE["name"] for rule in known.json().get("items", [])):
        return
    made = page.request.post(f"{url}/api/v1/clusters/1/alert-rules", data=FIRING_RULE,
                             headers={"Origin": url})  # the API refuses cross-site writes
    if not made.ok:
        raise RuntimeError(f"the walk's alert rule was refused: {made.text()}")


def click_text(text: str) -> Callable[[Page], None]:
    """An action: click the first visible element with ``text``."""
    return lambda page: page.get_by_text(text, exact=True).first.click()


def choose(select_id: str, option: str) -> Callable[[Page], None]:
    """An action: pick ``option`` in the dropdown ``select_id``."""
    def act(page: Page) -> None:
        page.click(f"#{select_id}")
        page.locator("[role=listbox] [role=option]").filter(has_text=option).first.click()
        page.keyboard.press("Escape")
    return act


EXPLORER = "/clusters/1/explorer"
IMAGE = "#explorer-graph .imagelayer image"


def engineer(walk: Walk, role: str) -> None:
    """The plant engineer: explorer, filters, colour by, golden curve, outliers -> part,
    trace, export."""
    walk.step(role, "explorer", EXPLORER, IMAGE)
    for choice in ("line", "station", "product", "batch"):
        walk.step(role, f"explorer-colour-{choice}", None, None,
                  choose("explorer-color-by-select", choice))
    walk.step(role, "explorer-filter-nok", EXPLORER, IMAGE,
              choose("explorer-results-select", "NOK"))
    walk.step(role, "explorer-golden", EXPLORER, IMAGE, click_text("Golden curve"))
    walk.step(role, "explorer-evaluation", None, None, click_text("Evaluation"))
    walk.step(role, "explorer-export", None, None, click_text("Export"))

    def outlier_part(page: Page) -> None:
        page.get_by_text("Outliers", exact=True).first.click()
        page.locator("#explorer-outliers-table td").first.wait_for(timeout=LOAD_MS)
        page.locator("#explorer-outliers-table td").first.click()
        page.locator("#explorer-part-card").wait_for(timeout=LOAD_MS)
    walk.step(role, "explorer-outlier-part", None, None, outlier_part)

    def trace(page: Page) -> None:
        found = page.request.get(f"{walk.url}/api/v1/clusters/1/parts?search=LC-&limit=5")
        items = found.json().get("items", []) if found.ok else []
        if items:
            page.goto(f"{walk.url}/clusters/1/trace?serial={items[0]['serial']}")
            page.locator("#trace-summary-div").get_by_text(items[0]["serial"]).first.wait_for(
                timeout=LOAD_MS)
    walk.step(role, "trace", "/clusters/1/trace", "#trace-search-input", trace)


def quality(walk: Walk, role: str) -> None:
    """The quality engineer: dashboard, SPC chart types, capability, alerts, saved views."""
    walk.step(role, "dashboard", "/clusters/1/dashboard", ".kpi-value")
    for label in ("I-MR", "X̄-S"):
        walk.step(role, f"dashboard-spc-{label.replace('̄', '')}", None, None,
                  _spc_type(label))

    def alert_curves(page: Page) -> None:
        link = page.get_by_text(re.compile(r"Open \d+ curves? in the explorer")).first
        link.wait_for(timeout=LOAD_MS)
        link.click()
        page.locator(IMAGE).first.wait_for(timeout=LOAD_MS)
    walk.step(role, "dashboard-alert-curves", "/clusters/1/dashboard", ".kpi-value",
              alert_curves)

    def saved_view(page: Page) -> None:
        page.select_option("#explorer-range-select", "7d")
        page.wait_for_url(re.compile(r".*\?.+"), timeout=LOAD_MS)
        quiet(page)
        name = page.locator('[id=\'{"page":"explorer","type":"personal-views-name"}\']')
        if name.count() and name.is_visible():
            name.fill(f"Walk {role}")
            page.click('[id=\'{"page":"explorer","type":"personal-views-save"}\']')
            page.get_by_text(f"Saved “Walk {role}”").wait_for(timeout=LOAD_MS)
    walk.step(role, "explorer-saved-view", EXPLORER, IMAGE, saved_view)

    def share_reload_back(page: Page) -> None:
        page.get_by_role("tab", name="Export").click()
        page.click("#explorer-share-button")
        share = page.locator("#explorer-share-input")
        page.wait_for_function("() => document.querySelector('#explorer-share-input').value",
                               timeout=LOAD_MS)
        link = share.input_value()
        page.goto(link)
        page.locator(IMAGE).first.wait_for(timeout=LOAD_MS)
        page.reload()
        page.locator(IMAGE).first.wait_for(timeout=LOAD_MS)
        page.go_back()
        page.locator(IMAGE).first.wait_for(timeout=LOAD_MS)
    walk.step(role, "explorer-share-reload-back", None, None, share_reload_back)
    walk.step(role, "projects", "/clusters/1/projects", "#shell-cluster-nav")
    walk.step(role, "roles", "/roles", "#roles-matrix-table td")


def _spc_type(label: str) -> Callable[[Page], None]:
    def act(page: Page) -> None:
        kind = page.locator("#dashboard-spc-kind-select")
        values = kind.locator("option").evaluate_all(
            "options => options.map(o => [o.value, o.textContent.trim()])")
        for value, text in values:
            if text.startswith(label):
                kind.select_option(value)
                return
        raise AssertionError(f"no chart type {label!r} in {values}")
    return act


def admin(walk: Walk, role: str) -> None:
    """The administrator: clusters, wizard, console, team, tokens, audit, engine."""
    walk.step(role, "overview", "/", "#nav-user-label")
    walk.step(role, "clusters", "/clusters", "#clusters-list-table")
    # only administrators make clusters: the others are shown the refusal
    walk.step(role, "wizard-basics", "/clusters/new",
              "#wizard-stepper-div" if role == "admin" else "text=Not available to you")
    walk.step(role, "console", "/clusters/1", "#cluster-status-badge")
    walk.step(role, "sql", "/clusters/1/sql", "h1, h2, h3")
    walk.step(role, "team", "/clusters/1/team", "h1, h2, h3")
    walk.step(role, "tokens", "/clusters/1/tokens", "h1, h2, h3")
    walk.step(role, "import", "/clusters/1/import", "h1, h2, h3")
    walk.step(role, "audit", "/audit", "h1, h2, h3")
    walk.step(role, "engine", "/engine", "h1, h2, h3")


def input_id(name: str, kind: str = "wizard-field") -> str:
    """A pattern-matching input's selector (its id is JSON in the DOM)."""
    return f'[id=\'{{"name":"{name}","type":"{kind}"}}\']'


def operations(walk: Walk, role: str) -> None:
    """The administrator's long work: the wizard's four steps, deploy, the new cluster's
    console, a token refused, a retention change with progress, decommission, hide, purge."""
    name = f"Walk {role} cell"

    def basics(page: Page) -> None:
        page.click("#wizard-next-button")  # empty name: its message, once
        page.locator(input_id("name", "wizard-feedback")).wait_for(timeout=LOAD_MS)
    walk.step(role, "wizard-1-empty-name", "/clusters/new", "#wizard-stepper-div", basics)

    def performance(page: Page) -> None:
        page.fill(input_id("name"), name)
        page.get_by_text("Development").click()
        quiet(page)
        page.click("#wizard-next-button")
        page.locator(input_id("nodes")).wait_for(timeout=LOAD_MS)
    walk.step(role, "wizard-2-performance", None, None, performance)

    def team(page: Page) -> None:
        page.click("#wizard-next-button")
        page.locator(input_id("warm_after_days")).wait_for(timeout=LOAD_MS)
    walk.step(role, "wizard-3-team", None, None, team)

    def review(page: Page) -> None:
        page.click("#wizard-next-button")
        page.locator("#wizard-deploy-button").wait_for(timeout=LOAD_MS)
    walk.step(role, "wizard-4-review", None, None, review)

    def deploy(page: Page) -> None:
        page.click("#wizard-deploy-button")
        page.locator("#cluster-status-badge", has_text="running").wait_for(timeout=120_000)
    walk.step(role, "deployed-console", None, None, deploy)

    def saved_secret(page: Page) -> None:
        if page.locator("#cluster-secret-saved-button").count():
            page.click("#cluster-secret-saved-button")
    walk.step(role, "console-secret-saved", None, None, saved_secret)
    console = walk.page.url.split(walk.url, 1)[1]

    def token_refused(page: Page) -> None:
        page.click("#tokens-create-button")
        page.locator("#tokens-alert-div .alert").wait_for(timeout=LOAD_MS)
    walk.step(role, "tokens-empty-name", f"{console}/tokens", "#tokens-table-div",
              token_refused)

    def project_refused(page: Page) -> None:
        page.fill("#projects-description-input", "Night shift")
        page.click("#projects-create-button")
        page.locator("#projects-error-div").get_by_text("Not created").wait_for(
            timeout=LOAD_MS)
    walk.step(role, "project-empty-name", f"{console}/projects", "#projects-create-button",
              project_refused)

    def retention(page: Page) -> None:
        page.locator(input_id("warm_after_days", "cluster-edit-field")).fill("5")
        page.click("#cluster-retention-save-button")
        page.locator("#cluster-operation-bar").wait_for(timeout=LOAD_MS)
    walk.step(role, "retention-running", console, "#cluster-status-badge", retention)

    def retention_done(page: Page) -> None:
        page.locator("#cluster-operation").get_by_text("Retention change done").wait_for(
            timeout=180_000)
    walk.step(role, "retention-done", None, None, retention_done)

    def decommission(page: Page) -> None:
        page.fill("#cluster-decommission-name-input", name)
        page.click("#cluster-decommission-button")
        page.locator("#cluster-status-badge", has_text="decommissioned").wait_for(
            timeout=180_000)
    walk.step(role, "decommissioned", console, "#cluster-status-badge", decommission)
    walk.step(role, "decommissioned-explorer", f"{console}/explorer", "#explorer-error-div")
    walk.step(role, "overview-with-retired", "/", "#nav-user-label")

    def hide(page: Page) -> None:
        page.click("#cluster-hide-button")
        page.locator("#cluster-hide-button", has_text="Show on the overview").wait_for(
            timeout=LOAD_MS)
    walk.step(role, "hidden", console, "#cluster-hide-button", hide)
    walk.step(role, "overview-hidden", "/", "#nav-user-label")

    def purge(page: Page) -> None:
        page.fill("#cluster-purge-name-input", name)
        page.click("#cluster-purge-button")
        page.locator("#cluster-status-badge", has_text="purged").wait_for(timeout=LOAD_MS)
    walk.step(role, "purged", console, "#cluster-purge-button", purge)
    walk.step(role, "clusters-after-purge", "/clusters", "#clusters-list-table")
    walk.step(role, "audit-after-purge", "/audit", "#shell-navbar")


def make_user(instance: Path, role: str) -> tuple[str, str]:
    """A member of the demo cluster with ``role`` (made with the CLI, as tests do)."""
    email, password = f"{role}@walk.example", f"{role} walk password"
    env = {**os.environ, "LYCEUM_INSTANCE": str(instance), "LYCEUM_ARGON2_TIME_COST": "1",
           "LYCEUM_ARGON2_MEMORY_KIB": "8192"}
    subprocess.run([sys.executable, "-m", "lyceum", "create-user", "--email", email,
                    "--cluster", "demo_plant", "--role", role, "--password-stdin"],
                   cwd=ROOT, env=env, input=password + "\n", capture_output=True, text=True,
                   timeout=300, check=False)
    return email, password


TASKS: dict[str, Callable[[Walk, str], None]] = {
    "engineer": engineer, "quality": quality, "admin": admin, "operations": operations}


def main() -> None:
    """Walk the chosen roles' tasks and print what was measured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (else one is started)")
    parser.add_argument("--password", help="the first admin's password (with --url)")
    parser.add_argument("--instance", type=Path, help="the running app's instance folder")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "walk")
    parser.add_argument("--roles", default="admin,editor,analyst,viewer")
    parser.add_argument("--tasks", default="engineer,quality,admin",
                        help="of engineer, quality, admin and operations (admins only: it "
                             "deploys, decommissions and purges a cluster)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = None
    if args.url:
        url, password, instance = args.url, args.password, args.instance
    else:
        import tempfile

        from tests.servers import AppProcess
        instance = Path(tempfile.mkdtemp(prefix="lyceum-walk-")) / "instance"
        app = AppProcess(instance)
        app.start()
        url = app.url
        found = re.search(r"password: (\S+)", app.output())
        password = found.group(1) if found else ""
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            walk: Walk | None = None
            rows: list[dict[str, Any]] = []
            errors: list[str] = []
            for role in args.roles.split(","):
                login = (("admin@lyceum.local", password) if role == "admin"
                         else make_user(instance, role))
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                context.add_init_script(COUNT_REQUESTS)
                page = context.new_page()
                page.set_default_timeout(LOAD_MS)
                sign_in(page, url, *login)
                if role == "admin":
                    add_firing_rule(page, url)
                walk = Walk(page, url, args.out)
                for task in args.tasks.split(","):
                    TASKS[task](walk, role)
                rows += walk.rows
                errors += walk.errors
                context.close()
            browser.close()
        (args.out / "walk.json").write_text(json.dumps({"rows": rows, "errors": errors},
                                                       indent=1))
        print(f"{len(rows)} pictures, {len(errors)} failed steps", flush=True)
        for error in errors:
            print("  ", error)
    finally:
        if app is not None:
            app.stop()


if __name__ == "__main__":
    main()
