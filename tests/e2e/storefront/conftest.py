"""Browser tests of the storefront in real Chromium, on the session's local platform (tests/e2e/conftest.py).

pytest-playwright 0.10.0 gives one browser per session (its ``browser`` fixture) and a fresh context and page per
test (``context``, ``page``); these overrides launch Debian's chromium by path instead of a downloaded browser
(microsoft/playwright-pytest@v0.10.0:pytest_playwright/pytest_playwright.py, the session fixtures
``browser_type_launch_args`` and ``browser_context_args``, the latter unpacked into ``browser.new_context``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from playwright.sync_api import Browser, BrowserContext, BrowserType, Playwright, sync_playwright

from local.browser import NoChromium, ingest_history, launch_args, write_sample_history
from local.platform import Platform

DESKTOP = {"width": 1280, "height": 900}


# pytest-playwright keeps one sync Playwright for the whole session (its ``playwright``, ``browser_type``,
# ``launch_browser`` and ``browser`` fixtures are session-scoped). A started sync Playwright keeps its asyncio loop
# marked as running on the main thread, so every later test that runs a loop of its own (``asyncio.run``, anyio,
# Starlette's TestClient) fails with "Cannot run the event loop while another loop is running" (seen here: 56 such
# failures after this package in one `make test`; the sync API runs on its own loop in the calling thread, and the
# two cannot nest: microsoft/playwright-python#1073). Package-scoped overrides of those four fixtures
# (microsoft/playwright-pytest@v0.10.0:pytest_playwright/pytest_playwright.py) stop Playwright when this package's
# tests are done.
@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    started = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(started)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    browser_kind: BrowserType = getattr(playwright, browser_name)
    return browser_kind


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args: dict[str, Any], browser_type: BrowserType) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    launched = launch_browser()
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's chromium (or ``CHROMIUM``) by path, headless, without its own calls home (``local.browser``)."""
    try:
        return launch_args()
    except NoChromium as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="session")
def browser_context_args(platform: Platform) -> dict[str, Any]:
    return {"base_url": platform.login_url, "viewport": DESKTOP}


@pytest.fixture(scope="session")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_history(tmp_path_factory.mktemp("storefront-history") / "history.csv")


@pytest.fixture(scope="module")
def seeded_history(platform: Platform, history_file: Path) -> None:
    """Order history in the recommender, so a basket changes what is recommended ("often bought with ...").

    Loaded through the indexer's own code (``lambdas.recommendation.ingest``), keyed by the file's digest: a
    second module loading the same file counts it once.
    """
    ingest_history(platform.client("dynamodb"), platform.table_name("recommendations"), history_file)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the journey's screenshot goes (a test artifact, not committed)."""
    path = Path(__file__).resolve().parents[3] / ".run" / "storefront"
    path.mkdir(parents=True, exist_ok=True)
    return path


class CreateContext(Protocol):
    """pytest-playwright's ``new_context`` fixture: ``browser.new_context(**browser_context_args, **kwargs)``."""

    def __call__(self, **kwargs: Any) -> BrowserContext: ...
