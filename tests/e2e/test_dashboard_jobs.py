"""The dashboard's SPC panel, a background callback, in Chromium: with the in-process
diskcache/threads manager (the shared live app) and with REDIS_URL (Celery, worker in the
app process)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.servers import AppProcess

SLOW = 30_000


@pytest.fixture(scope="module")
def redis_app(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[AppProcess]:
    """The app with REDIS_URL: shared cache and background callbacks through Redis."""
    app = AppProcess(tmp_path_factory.mktemp("redis-app") / "instance",
                     env={"REDIS_URL": redis_url}, partials=False)
    app.start()
    yield app
    app.stop()


def _plotted(page: Page, graph: str) -> int:
    """How many points the first trace of a Plotly graph shows."""
    return int(page.evaluate(
        "(id) => { const g = document.querySelector(`#${id} .js-plotly-plot`);"
        " return g && g.data && g.data[0].y ? g.data[0].y.length : 0; }", graph))


def _wait_plotted(page: Page, graph: str, more_than: int = 0) -> None:
    """Wait until the first trace of a Plotly graph shows more than ``more_than`` points."""
    page.wait_for_function(
        "([id, n]) => { const g = document.querySelector(`#${id} .js-plotly-plot`);"
        " return !!(g && g.data && g.data[0] && g.data[0].y && g.data[0].y.length > n); }",
        arg=[graph, more_than], timeout=SLOW)


def _spc_renders_and_follows_the_view(page: Page, url: str, login: tuple[str, str]) -> None:
    sign_in(page, url, *login)
    page.goto(f"{url}/clusters/1/dashboard")
    summary = page.locator("#dashboard-spc-summary-div")
    expect(summary).not_to_be_empty(timeout=SLOW)  # the first job answered (24 h window)
    page.select_option("#dashboard-window-select", "7d")  # enough of the small demo for SPC
    # The 24 h answer may already read "Cp n/a" with no whole subgroup drawn: wait for the
    # 7 d answer's points, not for text the previous answer can match too.
    _wait_plotted(page, "dashboard-spc-graph")
    _wait_plotted(page, "dashboard-pchart-graph")
    expect(summary).to_contain_text(re.compile(r"Cp (\d|n/a)"), timeout=SLOW)
    badge = page.locator("#dashboard-spc-running-badge")
    expect(badge).to_have_class(re.compile(r"\bd-none\b"))
    before = _plotted(page, "dashboard-spc-graph")
    page.select_option("#dashboard-spc-kind-select", "imr")  # one point per curve
    _wait_plotted(page, "dashboard-spc-graph", before)
    expect(badge).to_have_class(re.compile(r"\bd-none\b"), timeout=SLOW)
    expect(summary).to_contain_text(re.compile(r"Cp (\d|n/a)"))


def test_spc_panel_renders_with_in_process_jobs(page: Page, live_app: AppProcess,
                                                admin_login: tuple[str, str]) -> None:
    _spc_renders_and_follows_the_view(page, live_app.url, admin_login)
    screenshot(page, "dashboard-spc-background")


def test_spc_panel_renders_with_celery_jobs(page: Page, redis_app: AppProcess) -> None:
    _spc_renders_and_follows_the_view(page, redis_app.url, redis_app.first_admin())
    assert "Celery worker in this process" in redis_app.output()
