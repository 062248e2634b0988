"""Playwright on Debian's Chromium, against pytest-django's ``live_server``.

Usage::

    @pytest.mark.browser
    def test_something(live_server, browser_page):
        browser_page.goto(live_server.url + "/complaints/new/")

``browser_page`` is a fresh page (own context: cookies, language) per test; ``browser_context``
takes ``locale`` through ``@pytest.mark.parametrize("browser_locale", ["en-US"], indirect=True)``
or the ``make_browser_page(locale=...)`` factory. Missing Chromium skips locally and fails under
REQUIRE_SERVICES=1 (CI installs it).
"""

import os
import shutil

import pytest

from tests.conftest import skip_or_fail

# Playwright's sync API runs an event loop in this thread; live_server's Django code is
# synchronous and runs in its own thread, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        playwright.stop()
        skip_or_fail(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_locale(request):
    return getattr(request, "param", "zh-CN")


@pytest.fixture
def make_browser_page(chromium_browser):
    """``make_browser_page(locale="en-US")`` → a page in a fresh context; closed after the test."""
    contexts = []

    def _make(locale: str = "zh-CN", **context_kwargs):
        context = chromium_browser.new_context(locale=locale, **context_kwargs)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(make_browser_page, browser_locale, live_server):
    """A page in a fresh browser context (Chinese unless ``browser_locale`` says otherwise)."""
    page = make_browser_page(locale=browser_locale)
    page.live_server_url = live_server.url
    return page
