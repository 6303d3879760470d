"""The whole customer journey in Chromium, in English (the contract's names): browse, sign up, fill the cart,
see recommendations follow it, order, see the order with its status and total, cancel it. Along the way the page
breaks no Content-Security-Policy rule and asks no other host for anything; its first load fits the budget."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from local.platform import Platform
from tests.e2e.storefront.shop import Shop, api_orders, claims, new_customer, stored_orders

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("seeded_history")]

PAGE_BUDGET_BYTES = 100 * 1024  # issue 14: the first load (HTML, CSS, JS, fonts, images) at most 100 KB
# Collected in the page from the start (an init script runs before the page's own, and CSP does not apply to it:
# https://playwright.dev/python/docs/api/class-browsercontext#browser-context-add-init-script). Chromium fires
# ``securitypolicyviolation`` for every CSP and Trusted Types refusal (W3C CSP3 §5.3, "Report a violation").
VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));"""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_a_customer_browses_signs_up_orders_sees_and_cancels_the_order(
    context: BrowserContext, page: Page, platform: Platform, artifacts: Path
) -> None:
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    context.add_init_script(VIOLATIONS)
    shop = Shop(page)

    # Given a visitor on the English storefront: the menu by category, an unavailable item shown but not orderable
    shop.open("?lang=en")
    expect(page.get_by_role("heading", name="Menu", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Cart", exact=True)).to_be_visible()
    expect(page.get_by_text("Whole Wheat Loaf", exact=True)).to_be_visible()
    expect(shop.add_button("Whole Wheat Loaf")).to_have_count(0)
    expect(shop.add_button("Butter Croissant")).to_be_enabled()

    # When they sign up through the form (which logs them in)
    customer = shop.sign_up(new_customer("Jiwoo Kim"))
    # Then they are recommended something for their (empty) basket
    expect(shop.recommendations.first).to_be_visible()
    before = shop.recommendation_texts()

    # When they put two croissants and an egg tart in the cart
    shop.add("Butter Croissant", times=2)
    shop.add("Egg Tart")
    # Then the cart shows the total (3,500 x 2 + 2,800) and the recommendations follow the basket
    expect(shop.cart).to_contain_text("₩9,800")
    expect(shop.recommendations).not_to_have_text(before, use_inner_text=True)
    expect(shop.recommendations.first).to_be_visible()
    # "often bought with" what is in the basket, and never what is already in it
    expect(shop.recommendations.filter(has_text=re.compile(r".(Butter Croissant|Egg Tart)")).first).to_be_visible()
    expect(shop.recommendations.filter(has_text=re.compile(r"^\s*(Butter Croissant|Egg Tart)"))).to_have_count(0)

    # When they place the order
    shop.button("Place order").click()
    # Then My orders shows it, received, with its total, and it can be cancelled
    order = shop.order_rows().filter(has_text="₩9,800")
    expect(order).to_have_count(1)
    expect(order).to_contain_text("RECEIVED")
    expect(order.get_by_role("button", name="Cancel order")).to_be_visible()
    page.screenshot(path=artifacts / "journey.png", full_page=True)
    token = shop.token()
    (placed,) = api_orders(platform, token)
    assert (placed["status"], placed["total"]) == ("RECEIVED", 9800)

    # When they cancel it
    order.get_by_role("button", name="Cancel order").click()
    # Then it shows as cancelled, with nothing left to cancel, and the order service agrees
    expect(order).to_contain_text("CANCELLED")
    expect(shop.my_orders.get_by_role("button", name="Cancel order")).to_have_count(0)
    assert [o["status"] for o in api_orders(platform, token)] == ["CANCELLED"]
    assert [o["status"] for o in stored_orders(platform, claims(token)["sub"])] == ["CANCELLED"]
    assert customer.email  # the same customer throughout

    # And nothing was refused by the CSP, and every request stayed on the gateway's origin
    assert page.evaluate("window.__violations") == []
    assert not [text for text in console if re.search(r"Content.Security.Policy|Trusted Type", text, re.I)]
    assert {origin(url) for url in requests} == {origin(platform.login_url)}


def test_the_first_load_transfers_at_most_100_kb(context: BrowserContext, page: Page) -> None:
    # Given a browser that has never seen the storefront (a fresh context: empty cache)
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    # When it loads the page
    Shop(page).open("")
    page.wait_for_load_state("load")
    # Then the page and its files (not the API's answers) transferred at most the budget: bytes on the wire, headers
    # included (Resource Timing's transferSize, https://w3c.github.io/resource-timing/#dom-performanceresourcetiming-transfersize)
    sizes: dict[str, int] = page.evaluate(
        """() => Object.fromEntries(performance.getEntriesByType("navigation").concat(
                 performance.getEntriesByType("resource")).map((e) => [e.name, e.transferSize]))"""
    )
    assets = {url: size for url, size in sizes.items() if not urlsplit(url).path.startswith(("/api/", "/auth/"))}
    assert any(urlsplit(url).path.endswith(".js") for url in assets), assets
    assert all(size > 0 for size in assets.values()), assets  # all came over the network, none from a cache
    assert sum(assets.values()) <= PAGE_BUDGET_BYTES, assets
    assert {urlsplit(request.url).path for request in finished} >= {urlsplit(url).path for url in assets}
