"""Browser tests: the real app in a subprocess, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.servers import ROOT, AppProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
# One patience for every wait: the page's actions and ``expect`` alike. The e2e suite must hold
# on a 2-core machine running other work (a benchmark, other agents); Playwright's own default
# for ``expect`` (5 s) is shorter than a page load there, so it failed where the app was right.
PATIENCE_MS = 20_000
expect.set_options(timeout=PATIENCE_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is marked ``e2e``."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The app as ``make run`` starts it (small demo), on a free port and a fresh instance;
    without stored density partials (every process is drawn from memory; see
    :class:`AppProcess`)."""
    instance = tmp_path_factory.mktemp("e2e") / "instance"
    app = AppProcess(instance, partials=False)
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def admin_login(live_app: AppProcess) -> tuple[str, str]:
    """The first admin's e-mail and the password printed once on first start."""
    return live_app.first_admin()


def app_fixture(name: str, doc: str, **options: Any) -> Any:
    """A module-scoped fixture called ``name`` serving the app over a fresh instance of its
    own (``options``: :class:`AppProcess`'s; without stored partials unless they say
    ``partials=True``), stopped after the module's tests."""
    def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
        app = AppProcess(tmp_path_factory.mktemp(name) / "instance",
                         **{"partials": False, **options})
        app.start()
        try:
            yield app
        finally:
            app.stop()

    served.__doc__ = doc
    return pytest.fixture(scope="module", name=name)(served)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with the flags DEVELOPERS.md names."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; a screenshot is kept if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script(COUNT_REQUESTS)
    tab = context.new_page()
    tab.set_default_timeout(PATIENCE_MS)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report on the item, for the screenshot above."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    """Fill the sign-in form and submit it."""
    page.goto(f"{url}/login")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-submit")


def page_session(page: Page, *, origin: str | None = None) -> requests.Session:
    """A ``requests`` session holding the page's cookies (its signed-in session), for the API
    or a callback posted directly; with ``origin``, sent as the ``Origin`` header."""
    session = requests.Session()
    for cookie in page.context.cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    if origin is not None:
        session.headers["Origin"] = origin
    return session


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


#: Counts the page's requests still in flight (``window.lyceumInFlight``), for :func:`quiet`:
#: a request the server is slow to answer finishes no resource entry until it is answered.
COUNT_REQUESTS = """(() => {
    window.lyceumInFlight = 0;
    const fetched = window.fetch;
    window.fetch = function (...args) {
        window.lyceumInFlight += 1;
        const done = () => { window.lyceumInFlight -= 1; };
        try {
            const answer = fetched.apply(this, args);
            answer.then(done, done);
            return answer;
        } catch (error) { done(); throw error; }
    };
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (...args) {
        window.lyceumInFlight += 1;
        this.addEventListener('loadend', () => { window.lyceumInFlight -= 1; }, {once: true});
        return send.apply(this, args);
    };
})();"""


def quiet(page: Page, *, for_ms: int = 600) -> None:
    """Wait until no request is in flight and none has finished for ``for_ms`` (Dash's
    follow-up callbacks done: a newer request of a callback makes Dash drop the answer to an
    older one). Pages of the ``page`` fixture count their requests in flight
    (:data:`COUNT_REQUESTS`); on others only finished requests are seen."""
    page.evaluate("""(quietMs) => new Promise(resolve => {
        let last = performance.now();
        const seen = new PerformanceObserver(() => { last = performance.now(); });
        seen.observe({entryTypes: ['resource']});
        const check = () => {
            if ((window.lyceumInFlight || 0) > 0) { last = performance.now(); }
            if (performance.now() - last > quietMs) { seen.disconnect(); resolve(null); }
            else { setTimeout(check, 50); }
        };
        setTimeout(check, 50);
    })""", for_ms)


#: Visible controls, headings and table cells that end right of their card or of the window
#: (or start left of it) with no scrolling box around them: what a person sees cut off.
STICKING_OUT = """() => {
    const width = document.documentElement.clientWidth;
    const scrolled = el => {
        for (let up = el.parentElement; up; up = up.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) { return true; }
        }
        return false;
    };
    const out = [];
    const things = 'button, a, input, select, label, th, td, h1, h2, h3, h4, h5, .badge, '
        + '.alert, .form-control, .form-select';
    for (const el of document.querySelectorAll(things)) {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (!box.width || !box.height || style.visibility === 'hidden' || style.opacity === '0'
                || el.closest('[aria-hidden=true]') || scrolled(el)) { continue; }
        const card = el.closest('.card');
        const edge = Math.min(card && card !== el ? card.getBoundingClientRect().right : width,
                              width);
        if (box.right > edge + 1 || box.left < -1) {
            const text = (el.innerText || el.value || '').trim().slice(0, 30);
            out.push(`${el.tagName.toLowerCase()}#${el.id} "${text}" ends at `
                     + `${Math.round(box.right)} > ${Math.round(edge)}`);
        }
    }
    return out;
}"""


def sticking_out(page: Page) -> list[str]:
    """What is drawn cut off on the right (see :data:`STICKING_OUT`); [] when all fits."""
    found: list[str] = page.evaluate(STICKING_OUT)
    return found


#: The charts whose drawn margins (after plotly's automargin) exceed the ones they were given.
GROWN = """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]
    .map(g => [g.parentElement.id, g._fullLayout._size, g.layout.margin || {}])
    .filter(([, size, set]) => ['l', 'r', 't', 'b'].some(k => size[k] > (set[k] ?? 80) + 1))
    .map(([id, size, set]) => [id, [size, set]]))"""


def grown_margins(page: Page) -> dict[str, Any]:
    """The charts on the page whose labels did not fit the margins they were drawn with, by
    id, with the margins drawn and given: plotly grew them and drew the chart a second time
    ({}: every chart was drawn once)."""
    return dict(page.evaluate(GROWN))


def sideways(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits the window)."""
    return int(page.evaluate(
        "() => document.scrollingElement.scrollWidth - window.innerWidth"))


def tab_rows(page: Page, selector: str) -> int:
    """On how many lines the tabs of the tab row ``selector`` are drawn (1: one row)."""
    return int(page.locator(selector).evaluate("""row => new Set([...row.children]
        .filter(tab => tab.getBoundingClientRect().width > 0)
        .map(tab => Math.round(tab.getBoundingClientRect().top))).size"""))


#: The pickers and fields under ``root`` whose shown text (a select's chosen option, an
#: empty input's placeholder) is wider than the box draws it, measured in the box's own font.
_CUT = """root => {
    const ruler = document.createElement('canvas').getContext('2d');
    return [...document.querySelectorAll(root + ' select, ' + root + ' input')]
        .filter(box => box.getBoundingClientRect().width > 0)
        .map(box => {
            const style = getComputedStyle(box);
            const text = box.tagName === 'SELECT'
                ? (box.selectedOptions[0] || {text: ''}).text
                : (box.value || box.placeholder || '');
            ruler.font = style.font;
            const room = box.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return [text, Math.ceil(ruler.measureText(text).width), Math.floor(room)];
        })
        .filter(([, need, room]) => need > room);
}"""


def cut_texts(page: Page, root: str) -> list[Any]:
    """``[text, width needed, width given]`` of each picker or field under the CSS selector
    ``root`` whose chosen option or placeholder is drawn cut ([]: every one whole)."""
    return list(page.evaluate(_CUT, root))
