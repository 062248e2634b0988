"""Every demo role, logged in, follows every link of its console navigation and of the pages
it reaches: none answers 403, 404 or 500. A link the policy table would refuse is a defect of
the page that offers it, not of the user who clicks it. Every page reached is also read for raw
codes (``breach``, ``serious``, ``pending_routing`` ...): a code never reaches a page unlabelled.
"""

import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db.models import TextChoices
from django.test import Client

from agencies import choices as agency_choices
from agencies.demo import DEMO_LOGINS
from agencies.models import User
from complaints import choices as complaint_choices
from credit_records import choices as record_choices
from sanctions import choices as sanction_choices

pytestmark = pytest.mark.django_db

MAX_PAGES = 120  # per role: enough for every page kind of the demo city, bounded for CI
SKIP = ("/console/logout/",)
# Pages a role must reach from its navigation (besides answering without error): the credit
# office's account pages.
REACHED = {
    "credit_officer": ("/console/account/locked/", "/console/account/second-factor/"),
}


def _codes() -> frozenset[str]:
    """Every code of the product's choices (``snake_case`` words only: those a reader could
    mistake for nothing else)."""
    codes = set()
    for module in (agency_choices, complaint_choices, record_choices, sanction_choices):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, TextChoices)
                and value is not TextChoices
            ):
                codes.update(value.values)
    return frozenset(c for c in codes if re.fullmatch(r"[a-z][a-z0-9_]+", c))


CODES = _codes()
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")


class _Page(HTMLParser):
    """The links of a page and the words of its visible text (not scripts, styles, attributes)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.words: set[str] = set()
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.words.update(WORD.findall(data))


def read_page(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    return parser


def links_of(html: str) -> list[str]:
    return read_page(html).links


def raw_codes(html: str) -> set[str]:
    return read_page(html).words & CODES


def crawl(client: Client, start: str = "/console/", codes=None) -> dict[str, int]:
    """Breadth-first over same-site links under /console/: ``{url: status}``. Exports are
    fetched too (they must not fail either). ``codes`` (a dict) collects the raw codes found
    on each HTML page."""
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
        page = read_page(html.decode())
        if codes is not None and page.words & CODES:
            codes[url] = page.words & CODES
        for href in page.links:
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
    codes: dict[str, set] = {}
    seen = crawl(client, codes=codes)
    broken = {url: status for url, status in seen.items() if status in (403, 404, 500)}
    assert not broken, f"{login.username} is offered links that fail: {broken}"
    assert len(seen) > 1  # the navigation itself was followed
    for url in REACHED.get(login.username, ()):
        assert seen.get(url) == 200, f"{login.username} does not reach {url}"
    # A person's login name is a name, even when the demo's names are the roles' codes.
    names = set(User.objects.values_list("username", flat=True))
    codes = {url: found - names for url, found in codes.items() if found - names}
    assert not codes, f"{login.username} reads raw codes: {codes}"


def test_the_raw_code_reader_finds_a_code_in_text_and_not_in_attributes():
    assert raw_codes('<td data-status="breach">认定违约失信</td>') == set()
    assert raw_codes("<td>breach</td><td>serious</td>") == {"breach", "serious"}
    assert raw_codes("<script>var s = 'breach';</script>") == set()
