"""The web app in a real browser: Debian's headless Chromium driven by Playwright (no browser
download), screenshots of the book and an account page left in tests/artifacts/, and a
footnote click that shows the quoted sentence highlighted in its source."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette

from agent.deps import Deps
from agent.validate import fold
from agent.web.briefs import load_brief, make_brief, save_brief
from tests.servers import unavailable
from tests.web.conftest import artifact, state

ACCOUNT = "larkspur-home"
#: Flags that keep Chromium from reaching for the network it is not allowed here.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    unavailable("Chromium is missing: apt-get install chromium chromium-driver (as root)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian's package."""
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is missing (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def ready(web_app: Starlette, web_deps: Deps, live_server: str) -> str:
    """The served app with the book assessed and the account's brief written, so the pages
    show them at once."""
    state(web_app).book.rows(wait=True)
    account = next(a for a in state(web_app).book.accounts().values() if a.account_id == ACCOUNT)
    save_brief(web_deps.settings, make_brief(web_deps, account))
    return live_server


def test_the_book_page_in_a_browser(browser: Any, ready: str) -> None:
    page = browser.new_page(viewport={"width": 1360, "height": 820})
    page.goto(ready + "/")
    page.wait_for_selector(f'tr[data-account="{ACCOUNT}"] .badge')
    assert page.locator("table.book tbody tr").count() == 3
    page.screenshot(path=str(artifact("book.png")), full_page=True)
    page.select_option("select[name=triage]", "green")  # filters apply as they change
    page.wait_for_url("**triage=green**")
    assert page.locator(f'tr[data-account="{ACCOUNT}"]').count() in (0, 1)
    page.close()


def test_a_footnote_click_shows_the_quoted_sentence_in_its_source(
    browser: Any, ready: str, web_deps: Deps
) -> None:
    briefing = load_brief(web_deps.settings, ACCOUNT)
    assert briefing is not None
    quotes = {fold(e.quote) for _, e in briefing.all_evidence()}
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(f"{ready}/accounts/{ACCOUNT}")
    page.wait_for_selector("article.brief a.fn")
    page.screenshot(path=str(artifact("account.png")))
    footnote = page.locator("article.brief .layer a.fn").first
    footnote.click()
    page.wait_for_selector("#source-panel:not([hidden]) mark")
    marked = fold(page.locator("#source-panel mark").first.inner_text())
    assert any(marked in q or q in marked for q in quotes), marked
    assert page.locator("#source-panel .panel-title").inner_text().strip()
    page.screenshot(path=str(artifact("account-footnote.png")))
    page.keyboard.press("Escape")
    assert page.locator("#source-panel").is_hidden()
    page.close()


def test_research_from_the_page_shows_progress_and_then_the_brief(
    browser: Any, ready: str, web_app: Starlette
) -> None:
    page = browser.new_page()
    page.goto(f"{ready}/accounts/{ACCOUNT}")
    page.click("text=Refresh research")
    page.wait_for_selector("[data-job]", timeout=10_000)
    state(web_app).jobs.wait(300)
    # the page polls the job and reloads itself when it ends
    page.wait_for_selector("[data-job]", state="detached", timeout=30_000)
    assert page.locator("article.brief a.fn").count() > 0
    page.close()
