"""Chromium for the storefront's browser tests, ``make screenshots`` and ``benchmarks.storefront_load``.

Playwright drives a Chromium it did not download, by path (``CHROMIUM``, which the Makefile exports, else Debian's
``/usr/bin/chromium``): ``BrowserType.launch(executable_path=...)``
(https://playwright.dev/python/docs/api/class-browsertype#browser-type-launch-option-executable-path). Also the
sample order history that makes recommendations follow a basket.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_CHROMIUM = "/usr/bin/chromium"  # Debian's package, pinned in the Makefile (CHROMIUM_DEB)
# --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start. The others stop Chromium's own
# traffic (component updates, field trials, safe-browsing lists), so the only requests are the page's.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu")
SAMPLE_ORDERS = 1000  # enough "often bought with" pairs on the seeded menu; a few seconds to ingest


class NoChromium(RuntimeError):
    pass


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or DEFAULT_CHROMIUM
    if shutil.which(path) is None:
        raise NoChromium(
            f"no Chromium at {path}: set CHROMIUM=/path/to/chrome, or run `.venv/bin/playwright install chromium` "
            "and set CHROMIUM to the chrome it installed"
        )
    return path


def launch_args() -> dict[str, Any]:
    """Keyword arguments of ``BrowserType.launch``: headless Chromium by path."""
    return {"executable_path": chromium_path(), "headless": True, "args": list(CHROMIUM_ARGS)}


def write_sample_history(path: Path, orders: int = SAMPLE_ORDERS) -> Path:
    """Seeded synthetic baskets over the local menu (same seed, same file, same digest: loaded once)."""
    from lambdas.recommendation.datagen import BasketGenerator, load_data, profile, write_csv
    from local.seed import load_menu

    data = load_data()
    generator = BasketGenerator(data, profile(data, "default"), seed=7, skus={item.sku for item in load_menu()})
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(out, generator.orders(orders, start=date(2025, 3, 3), days=150))
    return path


def ingest_history(dynamodb: Any, table: str, path: Path) -> dict[str, Any]:
    """Load the history through the indexer's own update code (``lambdas.recommendation.ingest``)."""
    from lambdas.recommendation.ingest import ingest
    from lambdas.recommendation.repository import DynamoStatsStore
    from lambdas.recommendation.transactions import read_history

    return ingest(DynamoStatsStore(dynamodb, table), read_history(path, "Asia/Seoul"))
