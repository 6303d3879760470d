"""The storefront's first load in Chromium on the local platform: bytes transferred and the load event, against
issue 14's budgets (at most 100 KB, load event within 500 ms on loopback).

    .venv/bin/python -m benchmarks.storefront_load [--loads 20] [--warm 10]

Starts an isolated local platform on free ports (the same code as ``make up``) and Chromium (``CHROMIUM``, else
Debian's). Each cold load is a fresh browser context with the cache disabled (CDP ``Network.setCacheDisabled``) of
``/`` or ``/?lang=en``, alternating; one untimed load first warms the gateway, not the browser. Per load it sums
the bytes on the wire of every response (CDP ``Network.loadingFinished.encodedDataLength``: headers and body as
received) for the page's own files (HTML, CSS, JS, images, fonts) and, apart, for the API calls the page makes, and
cross-checks them with the Performance API (``transferSize`` of the navigation and resource entries). The load
time is the navigation entry's ``loadEventEnd``, in ms from the start of the navigation. Warm loads reload the
page in one context with its cache kept: ``Cache-Control: no-cache`` makes each file a revalidation (304).
Prints median / p90 / max beside the budget and their ratios; exits 1 when a budget is exceeded (bytes: the
largest load; time: the p90 of the cold loads, so that one scheduler hiccup on a laptop does not fail it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, sync_playwright

from local.browser import NoChromium, launch_args
from local.platform import Platform, PlatformError
from local.processes import isolated_settings

BYTES_BUDGET = 100 * 1024
LOAD_BUDGET_MS = 500.0
API_PREFIXES = ("/api/", "/auth/")
# https://chromedevtools.github.io/devtools-protocol/tot/Network/#event-loadingFinished (encodedDataLength: "Total
# number of bytes received for this request"), #event-responseReceived, #method-setCacheDisabled.
TIMINGS = r"""() => { const nav = performance.getEntriesByType("navigation")[0];
  const entries = [nav, ...performance.getEntriesByType("resource")];
  const files = entries.filter((e) => !/^\/(api|auth)\//.test(new URL(e.name).pathname));
  return { load: nav.loadEventEnd, html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
    files: Math.max(...files.map((e) => e.responseEnd)), sizes: entries.map((e) => [e.name, e.transferSize]) }; }"""


@dataclass
class Load:
    url: str
    asset_bytes: int = 0
    api_bytes: int = 0
    perf_asset_bytes: int = 0
    load_ms: float = 0.0
    html_ms: float = 0.0  # the document's last byte
    files_ms: float = 0.0  # the last page file's last byte (scripts, style, icon)
    dcl_ms: float = 0.0  # DOMContentLoaded handled: the module scripts have run
    statuses: dict[int, int] = field(default_factory=dict)


def measure(browser: Browser, url: str, *, warm_reloads: int = 0) -> list[Load]:
    """One cold load of ``url`` in a fresh context (cache disabled), then ``warm_reloads`` with the cache kept."""
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        paths: dict[str, str] = {}
        statuses: dict[str, int] = {}
        received: dict[str, int] = {}
        cdp.on("Network.responseReceived", lambda e: statuses.__setitem__(e["requestId"], e["response"]["status"]))
        cdp.on(
            "Network.requestWillBeSent", lambda e: paths.__setitem__(e["requestId"], urlsplit(e["request"]["url"]).path)
        )
        cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        loads = []
        for attempt in range(1 + warm_reloads):
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": attempt == 0})
            for seen in (paths, statuses, received):
                seen.clear()
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")  # the page's first API calls, counted apart
            timings: dict[str, Any] = page.evaluate(TIMINGS)
            load = Load(
                url=url,
                load_ms=float(timings["load"]),
                html_ms=float(timings["html"]),
                files_ms=float(timings["files"]),
                dcl_ms=float(timings["dcl"]),
            )
            for request_id, size in received.items():
                if paths.get(request_id, "").startswith(API_PREFIXES):
                    load.api_bytes += size
                else:
                    load.asset_bytes += size
                    status = statuses.get(request_id, 0)
                    load.statuses[status] = load.statuses.get(status, 0) + 1
            load.perf_asset_bytes = sum(
                int(size) for name, size in timings["sizes"] if not urlsplit(name).path.startswith(API_PREFIXES)
            )
            loads.append(load)
        return loads
    finally:
        context.close()


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(name: str, values: Sequence[float], budget: float | None, unit: str) -> str:
    median, p90, top = statistics.median(values), percentile(values, 0.9), max(values)
    figures = f"{median:9.1f} {p90:9.1f} {top:9.1f} {unit:<3}"
    if budget is None:
        return f"{name:<48} {figures}"
    ratios = " / ".join(f"{value / budget:4.2f}" for value in (median, p90, top))
    return f"{name:<48} {figures} budget {budget:7.1f}  ratio {ratios}"


def report(cold: list[Load], warm: list[Load]) -> bool:
    print(f"{'':<48} {'median':>9} {'p90':>9} {'max':>9}")
    kb = [load.asset_bytes / 1024 for load in cold]
    ok = max(kb) <= BYTES_BUDGET / 1024
    print(row("cold: page files on the wire (CDP)", kb, BYTES_BUDGET / 1024, "KB"))
    print(row("cold: page files (Performance API)", [load.perf_asset_bytes / 1024 for load in cold], None, "KB"))
    print(row("cold: the page's API calls (not budgeted)", [load.api_bytes / 1024 for load in cold], None, "KB"))
    print(row("cold: document received (responseEnd)", [load.html_ms for load in cold], None, "ms"))
    print(row("cold: last page file received (icon: after load)", [load.files_ms for load in cold], None, "ms"))
    print(row("cold: DOMContentLoaded handled", [load.dcl_ms for load in cold], None, "ms"))
    times = [load.load_ms for load in cold]
    ok = ok and percentile(times, 0.9) <= LOAD_BUDGET_MS
    print(row("cold: load event (loadEventEnd)", times, LOAD_BUDGET_MS, "ms"))
    for lang in ("/", "/?lang=en"):
        mine = [load for load in cold if urlsplit(load.url).query == urlsplit(lang).query]
        print(row(f"cold {lang}: load event", [load.load_ms for load in mine], LOAD_BUDGET_MS, "ms"))
    if warm:
        print(row("warm (revalidated): page files on the wire", [load.asset_bytes / 1024 for load in warm], None, "KB"))
        print(row("warm (revalidated): load event", [load.load_ms for load in warm], None, "ms"))
        statuses: dict[int, int] = {}
        for load in warm:
            for status, count in load.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        # Chromium reports a revalidated document and icon as 200 (the cached copy after a 304); the bytes show it
        print(f"warm answers by status (as CDP reports them): {dict(sorted(statuses.items()))}")
    print(f"files per cold load: {sum(cold[0].statuses.values())}, statuses {cold[0].statuses}")
    print("within budget" if ok else "OVER BUDGET")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20, help="cold loads (fresh context each), half of them English")
    parser.add_argument("--warm", type=int, default=10, help="warm reloads after one cold load")
    args = parser.parse_args(argv)
    if args.loads < 1 or args.warm < 0:
        parser.error("--loads must be at least 1 and --warm at least 0")
    with tempfile.TemporaryDirectory(prefix="tlj-storefront-load-") as run_dir:
        platform = Platform(isolated_settings(Path(run_dir)))
        try:
            platform.up()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_args())
                try:
                    print(f"Chromium {browser.version}, gateway {platform.login_url} (loopback)")
                    measure(browser, platform.login_url + "/")  # warms the gateway's files, not the browser
                    urls = [platform.login_url + ("/" if i % 2 == 0 else "/?lang=en") for i in range(args.loads)]
                    cold = [measure(browser, url)[0] for url in urls]
                    warm = measure(browser, platform.login_url + "/", warm_reloads=args.warm)[1:] if args.warm else []
                finally:
                    browser.close()
        except (NoChromium, PlatformError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        finally:
            platform.down()
    return 0 if report(cold, warm) else 1


if __name__ == "__main__":
    sys.exit(main())
