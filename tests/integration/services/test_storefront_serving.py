"""The gateway serves the storefront: the page at ``/``, its files under ``/static``, nothing else of the package.

The page and its files are checked as a browser would load them: every script, style and icon the page names and
every module a script imports is served with its type, revalidated with an ETag, and framed by the same strict
headers as the API (no inline script or style anywhere, so the CSP can forbid them).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from login_service.main import create_app
from login_service.routers.storefront import STOREFRONT_DIR
from tests.integration.services.conftest import ORDER_URL, RECO_URL, login_settings

CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
# `import ... from "./x.js"`, `import "./x.js"` and `import("./x.js")` in the storefront's modules.
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")


class PageParts(HTMLParser):
    """The references and the risky markup of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.style_elements = 0
        self.html_lang: str | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "style":
            self.style_elements += 1
        for name, _ in attrs:
            if name.startswith("on"):
                self.inline_handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.style_attributes.append(tag)
        if tag == "script":
            self._in_script = True
            if attributes.get("src"):
                self.references.append(str(attributes["src"]))
        if tag == "link" and attributes.get("href"):
            self.references.append(str(attributes["href"]))
        if tag == "img" and attributes.get("src"):
            self.references.append(str(attributes["src"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data.strip()[:60])


@pytest.fixture
def client(dynamodb: Any, tmp_path: Path) -> Iterator[TestClient]:
    mounts = {
        ORDER_URL: httpx.MockTransport(lambda _: httpx.Response(503)),
        RECO_URL: httpx.MockTransport(lambda _: httpx.Response(503)),
    }
    with TestClient(create_app(login_settings(tmp_path), mounts=mounts)) as test_client:
        yield test_client


def page_parts(client: TestClient) -> PageParts:
    parts = PageParts()
    parts.feed(client.get("/").text)
    return parts


def served_files(client: TestClient) -> dict[str, httpx.Response]:
    """Every same-origin URL the page loads, following the scripts' static imports."""
    pending = [ref for ref in page_parts(client).references if ref.startswith("/")]
    seen: dict[str, httpx.Response] = {}
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen[url] = response = client.get(url)
        if url.endswith(".js") and response.status_code == 200:
            base = url.rsplit("/", 1)[0]
            pending += [posixpath.normpath(f"{base}/{relative}") for relative in IMPORT.findall(response.text)]
    return seen


def test_given_the_gateway_when_a_browser_opens_slash_then_it_gets_the_korean_page_under_a_strict_policy(
    client: TestClient,
):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-frame-options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in response.headers["content-security-policy"]
    parts = page_parts(client)
    assert parts.html_lang == "ko"
    assert parts.inline_scripts == []
    assert parts.inline_handlers == []
    assert parts.style_attributes == []
    assert parts.style_elements == 0
    assert all(ref.startswith("/static/") for ref in parts.references), parts.references


def test_given_the_page_when_its_files_and_modules_are_loaded_then_each_is_served_with_its_type(client: TestClient):
    files = served_files(client)
    assert any(url.endswith(".js") for url in files)
    assert any(url.endswith(".css") for url in files)
    for url, response in files.items():
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] == CONTENT_TYPES[Path(url).suffix], url
        assert response.headers["cache-control"] == "no-cache", url
        assert response.headers["etag"], url


def test_given_a_cached_file_when_the_browser_revalidates_then_it_gets_304_and_no_body(client: TestClient):
    for url in ("/", *[u for u in served_files(client) if u.endswith(".js")][:1]):
        first = client.get(url)
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["cache-control"] == "no-cache"


def test_given_head_or_a_query_then_slash_is_the_same_page(client: TestClient):
    page = client.get("/")
    assert client.get("/?lang=en").content == page.content
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(page.content))


@pytest.mark.parametrize(
    "path",
    [
        "/index.html",
        "/static/",
        "/static/../main.py",
        "/static/%2e%2e/main.py",
        "/static/..%2fmain.py",
        "/static/../package.json",
        "/static/../index.html",
        "/static/nope.js",
        "/storefront/index.html",
        "/login_service/main.py",
    ],
)
def test_given_a_path_outside_the_storefront_files_then_it_is_a_json_404(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 404, path
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()


def test_given_a_post_to_the_page_then_it_is_a_json_405(client: TestClient):
    response = client.post("/", content=b"x")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_given_the_storefront_directory_then_only_static_files_and_the_page_ship_in_it():
    """Anything else in the directory (tests, notes) would be in the image; nothing outside static/ is reachable."""
    shipped = {p.relative_to(STOREFRONT_DIR).as_posix() for p in STOREFRONT_DIR.rglob("*") if p.is_file()}
    outside_static = {name for name in shipped if not name.startswith("static/")}
    assert outside_static <= {"index.html", "package.json"}, outside_static
    assert {Path(name).suffix for name in shipped} <= {".html", ".json", *CONTENT_TYPES}
