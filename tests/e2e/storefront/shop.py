"""The storefront as a customer sees it: every element found by role, label and accessible name, the way a person
finds it (STYLE rule 14, shared/ARCHITECTURE.md "Storefront"), so the tests double as an accessibility check."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from local.platform import Platform

PASSWORD = "baguette-" + uuid.uuid4().hex[:8]
PRICE = re.compile(r"^(₩[\d,]+|[\d,]+원)$")  # 3,200원 / ₩3,200 (the contract's price forms)
PHONE = "010-5555-0144"  # Korean local form; the gateway stores it as +82


@dataclass(frozen=True)
class Customer:
    email: str
    password: str
    name: str
    phone: str = PHONE


def new_customer(name: str = "Jiwoo Kim") -> Customer:
    return Customer(email=f"shop-{uuid.uuid4().hex[:10]}@example.com", password=PASSWORD, name=name)


class Shop:
    """One storefront tab."""

    def __init__(self, page: Page) -> None:
        self.page = page

    # ---- finding things ----
    @property
    def menu(self) -> Locator:
        return self.page.get_by_role("region", name=re.compile(r"^(Menu|메뉴)$"))

    def product(self, shown_name: str) -> Locator:
        """A menu entry (a list item) by the name it shows, in either language."""
        return self.menu.get_by_role("listitem").filter(has_text=shown_name)

    @property
    def alert(self) -> Locator:
        return self.page.get_by_role("alert")

    @property
    def cart(self) -> Locator:
        return self.page.get_by_role("region", name=re.compile(r"^(Cart|장바구니)$"))

    @property
    def my_orders(self) -> Locator:
        return self.page.get_by_role("region", name="My orders")

    @property
    def recommendations(self) -> Locator:
        return self.page.get_by_role("region", name="Recommendations").get_by_role("listitem")

    def add_button(self, english_name: str) -> Locator:
        return self.page.get_by_role("button", name=f"Add {english_name} to cart", exact=True)

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    # ---- doing things ----
    def open(self, query: str = "?lang=en") -> Shop:
        """Load the page and wait until the menu has arrived (at least one add button)."""
        self.page.goto("/" + query)
        expect(self.menu.get_by_text(PRICE).first).to_be_visible()
        return self

    def add(self, english_name: str, times: int = 1) -> None:
        for _ in range(times):
            self.add_button(english_name).click()

    def fill_account(self, customer: Customer, *, signup: bool = True) -> None:
        self.page.get_by_label("Email", exact=True).fill(customer.email)
        self.page.get_by_label("Password", exact=True).fill(customer.password)
        if signup:
            self.page.get_by_label("Name", exact=True).fill(customer.name)
            self.page.get_by_label("Phone", exact=True).fill(customer.phone)

    def sign_up(self, customer: Customer) -> Customer:
        """Sign up through the form; the page logs in on its own, which shows "Log out"."""
        self.fill_account(customer)
        self.button("Sign up").click()
        expect(self.button("Log out")).to_be_visible()
        return customer

    def log_in(self, customer: Customer) -> None:
        self.fill_account(customer, signup=False)
        self.button("Log in").click()
        expect(self.button("Log out")).to_be_visible()

    def order_rows(self) -> Locator:
        return self.my_orders.get_by_role("listitem")

    def recommendation_texts(self) -> list[str]:
        return [text.strip() for text in self.recommendations.all_inner_texts()]

    # ---- what the browser holds (only to tamper with it, or to check the server) ----
    def token(self) -> str:
        """The access token the page keeps in web storage, whichever key it uses: the one value shaped like a JWT."""
        found: list[str] = self.page.evaluate(
            """() => [sessionStorage, localStorage].flatMap((s) => Object.keys(s).map((k) => s.getItem(k)))
                 .filter((v) => /^[\\w-]+\\.[\\w-]+\\.[\\w-]+$/.test(v ?? ""))"""
        )
        assert len(found) == 1, f"expected one stored token, found {len(found)}"
        return found[0]

    def replace_token(self, new: str) -> None:
        old = self.token()
        self.page.evaluate(
            """([old, fresh]) => { for (const s of [sessionStorage, localStorage])
                 for (const k of Object.keys(s)) if (s.getItem(k) === old) s.setItem(k, fresh); }""",
            [old, new],
        )


def claims(token: str) -> dict[str, Any]:
    """A JWT's payload, unverified (the tests only read the subject; the gateway is the judge of the token)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def api_orders(platform: Platform, token: str) -> list[dict[str, Any]]:
    """The customer's orders through the gateway, as any client sees them."""
    response = httpx.get(
        f"{platform.login_url}/api/orders", params={"limit": 100}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def stored_orders(platform: Platform, customer_id: str) -> list[dict[str, Any]]:
    """The customer's orders in the Orders table (its idempotency records live beside them under ``idem#``)."""
    table = platform.resource("dynamodb").Table(platform.table_name("orders"))
    items: list[dict[str, Any]] = table.query(
        KeyConditionExpression="customer_id = :c", ExpressionAttributeValues={":c": customer_id}
    )["Items"]
    return [item for item in items if not str(item["order_id"]).startswith("idem#")]
