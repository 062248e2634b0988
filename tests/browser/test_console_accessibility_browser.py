"""axe-core finds no serious or critical violation on any kind of console page a demo role
reaches from its navigation (the crawler's pages, one of each kind: the queue, a case, the
credit records, sanctions, follow-up, evaluation, sharing, account pages …), in Chinese; and in
English for the two roles that reach the most pages (English text is longer and wraps)."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from agencies.demo import DEMO_LOGINS
from tests.browser.test_accessibility_browser import violations
from tests.console.test_crawl import crawl

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

LANG = {"zh-CN": "zh-CN", "en-US": "en"}  # the browser's locale -> the page's lang
# One page of each kind: a number or a complaint reference in the path is the same page kind.
_ID = re.compile(r"/(\d{4}-\d{6}|\d+)(?=/)")


def page_kinds(urls) -> list[str]:
    kinds: dict[str, str] = {}
    for url in urls:
        path = url.split("?", 1)[0]
        kinds.setdefault(_ID.sub("/{id}", path), path)
    return sorted(kinds.values())


def axe_console(live_server, make_browser_page, logins, locale) -> tuple[int, dict]:
    """Run axe on one page of each kind each login reaches: (pages checked, violations)."""
    found: dict[str, list] = {}
    checked = 0
    for login in logins:
        client = Client(raise_request_exception=False)
        assert client.login(username=login.username, password=login.password)
        pages = crawl(client)
        html = [
            url
            for url, status in pages.items()
            if status == 200 and not re.search(r"format=|/export|/download|/files/", url)
        ]
        page = make_browser_page(locale=locale)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        for url in page_kinds(html):
            response = page.goto(live_server.url + url)
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            checked += 1
            assert page.locator("html").get_attribute("lang") == LANG[locale], url
            problems = violations(page, live_server.url)
            if problems:
                found[f"{login.username} {url}"] = problems
        page.close()
    return checked, found


def test_every_kind_of_console_page_of_every_demo_role_passes_axe(live_server, make_browser_page):
    call_command("load_demo", "--quiet", stdout=StringIO())
    checked, found = axe_console(live_server, make_browser_page, DEMO_LOGINS, "zh-CN")
    assert checked > 20
    assert not found, found


def test_the_busiest_console_roles_pass_axe_in_english(live_server, make_browser_page):
    call_command("load_demo", "--quiet", stdout=StringIO())
    logins = [login for login in DEMO_LOGINS if login.username in ("handler", "credit_officer")]
    assert len(logins) == 2
    checked, found = axe_console(live_server, make_browser_page, logins, "en-US")
    assert checked > 10
    assert not found, found
