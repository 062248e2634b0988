"""/api/docs/ works offline (government intranets): only local assets, no inline script."""

import re

import pytest

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', re.IGNORECASE)


@pytest.fixture
def docs(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    return response


def test_docs_page_renders_swagger_ui(docs):
    html = docs.content.decode()
    assert 'id="swagger-ui"' in html
    assert "政务诚信履约投诉平台接口" in html


def test_docs_reference_no_external_host(docs):
    html = docs.content.decode()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "cdn" not in html.lower()


def test_every_referenced_asset_is_local_and_actually_served(client, docs):
    assets = ASSET.findall(docs.content.decode())
    static = [url for url in assets if url.startswith("/static/")]
    assert any(url.endswith("swagger-ui-bundle.js") for url in static)
    assert any(url.endswith("swagger-ui.css") for url in static)
    for url in assets:
        assert url.startswith("/"), url
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url


def test_docs_page_has_no_inline_script_so_the_csp_allows_it(docs):
    html = docs.content.decode()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL):
        attributes, body = match.groups()
        assert "src=" in attributes and not body.strip(), "inline script blocked by the CSP"


def test_init_script_points_at_the_local_schema(client, docs):
    scripts = [u for u in ASSET.findall(docs.content.decode()) if "script" in u]
    assert scripts, "the init script is served as a file"
    body = client.get(scripts[0].replace("&amp;", "&")).content.decode()
    assert "/api/schema/" in body


def test_schema_lists_the_agency_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/agencies/",
        "/api/v1/agencies/{id}/",
        "/api/v1/staff/",
        "/api/v1/auth/token/",
    ):
        assert path in paths
