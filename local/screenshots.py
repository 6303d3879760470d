"""The README's pictures of the storefront: ``make screenshots`` (``python -m local.screenshots``).

    python -m local.screenshots [--out docs/images]

Starts its own local platform on free ports (the e2e fixture's code), loads sample order history into the
recommender, then in Chromium signs a demo customer up through the form, orders once, fills the cart again and
waits for the recommendations that follow it; writes ``storefront-desktop.png`` (1280 px wide, the whole page) and
``storefront-mobile.png`` (360 px, the first screen), both in Korean, the page's default. The page is driven by
the contract's English names (shared/ARCHITECTURE.md "Storefront"), then switched to Korean for the pictures.
The platform is always torn down.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from local.browser import NoChromium, ingest_history, launch_args, write_sample_history
from local.platform import Platform, PlatformError
from local.processes import isolated_settings

OUT_DIR = Path(__file__).resolve().parent.parent / "docs" / "images"
PRICE = re.compile(r"^(₩[\d,]+|[\d,]+원)$")
DEMO = {"Email": "", "Password": "", "Name": "김하늘", "Phone": "010-1234-5678"}


def menu_loaded(page: Page) -> None:
    expect(page.get_by_role("main").get_by_text(PRICE).first).to_be_visible()


def recommendations_shown(page: Page) -> None:
    region = page.get_by_role("region", name=re.compile(r"^(Recommendations|추천 상품)$"))
    expect(region.get_by_role("listitem").first).to_be_visible()
    expect(region).to_have_attribute("aria-busy", "false")


def drive(page: Page, url: str) -> None:
    """Sign up, order a croissant and an americano, put a salt bread and an egg tart in the cart."""
    page.goto(f"{url}/?lang=en")
    menu_loaded(page)
    values = {**DEMO, "Email": f"demo-{uuid.uuid4().hex[:8]}@example.com", "Password": "demo-" + uuid.uuid4().hex}
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    for name in ("Butter Croissant", "Americano"):
        page.get_by_role("button", name=f"Add {name} to cart", exact=True).click()
    page.get_by_role("button", name="Place order", exact=True).click()
    expect(page.get_by_role("region", name="My orders").get_by_text("RECEIVED")).to_be_visible()
    for name in ("Salt Bread", "Egg Tart", "Egg Tart"):
        page.get_by_role("button", name=f"Add {name} to cart", exact=True).click()
    recommendations_shown(page)


def shoot(url: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    desktop, mobile = out / "storefront-desktop.png", out / "storefront-mobile.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            drive(page, url)
            page.goto(f"{url}/?lang=ko")  # the same tab keeps the sign-in (sessionStorage) and the cart
            menu_loaded(page)
            recommendations_shown(page)
            page.screenshot(path=desktop, full_page=True)
            page.set_viewport_size({"width": 360, "height": 780})
            page.reload()
            menu_loaded(page)
            recommendations_shown(page)
            page.screenshot(path=mobile)
        finally:
            browser.close()
    return [desktop, mobile]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tlj-screenshots-") as run_dir:
        platform = Platform(isolated_settings(Path(run_dir)))
        try:
            platform.up()
            history = write_sample_history(Path(run_dir) / "history.csv")
            ingest_history(platform.client("dynamodb"), platform.table_name("recommendations"), history)
            written = shoot(platform.login_url, args.out)
        except (NoChromium, PlatformError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        finally:
            platform.down()
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
