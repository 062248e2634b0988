"""Every demo role, logged in, follows every link of its console navigation and of the pages
it reaches: none answers 403, 404 or 500. A link the policy table would refuse is a defect of
the page that offers it, not of the user who clicks it."""

from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from agencies.demo import DEMO_LOGINS

pytestmark = pytest.mark.django_db

MAX_PAGES = 120  # per role: enough for every page kind of the demo city, bounded for CI
SKIP = ("/console/logout/",)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def crawl(client: Client, start: str = "/console/") -> dict[str, int]:
    """Breadth-first over same-site links under /console/ (and /credit/ profiles they link
    to): ``{url: status}``. Exports are fetched too (they must not fail either)."""
    seen: dict[str, int] = {}
    todo = [start]
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        html = b"".join(response.streaming_content) if response.streaming else response.content
        for href in links_of(html.decode()):
            href, _fragment = urldefrag(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href:
                continue
            if href.startswith("?"):
                href = urlsplit(url).path + href
            if not href.startswith("/console/") or href.startswith(SKIP):
                continue
            if href not in seen and href not in todo:
                todo.append(href)
    return seen


@pytest.fixture
def demo_city():
    call_command("load_demo", "--quiet", stdout=StringIO())


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.username)
def test_no_console_link_of_a_demo_role_answers_403_404_or_500(demo_city, login):
    client = Client(raise_request_exception=False)
    assert client.login(username=login.username, password=login.password)
    seen = crawl(client)
    broken = {url: status for url, status in seen.items() if status in (403, 404, 500)}
    assert not broken, f"{login.username} is offered links that fail: {broken}"
    assert len(seen) > 1  # the navigation itself was followed
