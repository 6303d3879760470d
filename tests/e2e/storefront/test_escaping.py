"""Names holding markup render as text: a product name written into the Catalog table and a customer's name from
sign-up show verbatim, inject no element and run no script (the page builds its DOM with text only, and the CSP's
Trusted Types refuse any string-to-HTML sink)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Dialog, Page, expect

from local.platform import Platform
from tests.e2e.storefront.shop import Shop, new_customer
from tests.e2e.tuned_platform import tuned_platform

pytestmark = pytest.mark.e2e

HOSTILE = '<img src="x" id="pwned" onerror="alert(1)">Evil <b>Bread</b>'
HOSTILE_KO = '<script>alert("ko")</script><b id="pwned-ko">나쁜빵</b>'
INJECTED = "() => document.querySelectorAll('#pwned, #pwned-ko, #pwned-name, script:not([src])').length"


@pytest.fixture(scope="module")
def fresh_menu_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Its own emulator, order service and gateway, whose menu is never cached (MENU_CACHE_SECONDS=0, see
    tests/e2e/test_menu_cache.py): a Catalog item written now is on the next /api/menu."""
    with tuned_platform(tmp_path_factory.mktemp("storefront-html"), order_env={"MENU_CACHE_SECONDS": "0"}) as running:
        yield running


def watch_dialogs(page: Page) -> list[str]:
    dialogs: list[str] = []

    def seen(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return dialogs


@pytest.mark.parametrize(
    ("query", "shown", "add"),
    [("?lang=en", HOSTILE, f"Add {HOSTILE} to cart"), ("?lang=ko", HOSTILE_KO, None)],
    ids=["en", "ko"],
)
def test_a_product_name_with_html_renders_as_text(
    page: Page, fresh_menu_platform: Platform, query: str, shown: str, add: str | None
) -> None:
    # Given a Catalog item whose names hold markup and script
    table = fresh_menu_platform.resource("dynamodb").Table(fresh_menu_platform.table_name("catalog"))
    table.put_item(
        Item={
            "sku": "BRD-666",
            "name": HOSTILE,
            "name_ko": HOSTILE_KO,
            "category": "bread",
            "price": 1000,
            "available": True,
        }
    )
    dialogs = watch_dialogs(page)
    # When a visitor opens the storefront
    page.goto(fresh_menu_platform.login_url + "/" + query)
    # Then the name shows as the very characters stored, the product can be added, and no element or script came in
    expect(page.get_by_text(shown, exact=True).first).to_be_visible()
    shop = Shop(page)
    # (in English by the contract's name; in Korean by its menu entry)
    (page.get_by_role("button", name=add, exact=True) if add else shop.product(shown).get_by_role("button")).click()
    expect(shop.cart).to_contain_text(shown)
    assert page.evaluate(INJECTED) == 0
    assert dialogs == []


def test_a_customer_name_with_html_renders_as_text(page: Page) -> None:
    # Given a visitor who signs up with markup as their name
    name = '<img src="x" id="pwned-name" onerror="alert(2)"><i>Mallory</i>'
    dialogs = watch_dialogs(page)
    shop = Shop(page).open("?lang=en")
    # When they sign up (and are logged in)
    shop.sign_up(new_customer(name))
    # Then the page greets them with the characters they typed, and nothing was injected or run
    expect(page.get_by_text(name).first).to_be_visible()
    assert page.evaluate(INJECTED) == 0
    assert dialogs == []
