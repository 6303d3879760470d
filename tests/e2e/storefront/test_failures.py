"""When things go wrong the page says so in its one alert and stays usable: a sign-in the gateway no longer
accepts (back to the form, cart kept), the order service down, a taken email, a bad phone number, a throttled
login."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, Response, Route, expect

from local.platform import Platform
from tests.e2e.storefront.shop import Customer, Shop, api_orders, new_customer

pytestmark = pytest.mark.e2e

LOGIN_ATTEMPTS = 10  # the gateway throttles an account by its 10th failure at the latest (login settings)


def signed_up_with_a_croissant(page: Page) -> tuple[Shop, Customer]:
    shop = Shop(page).open("?lang=en")
    customer = shop.sign_up(new_customer())
    shop.add("Butter Croissant")
    expect(shop.cart).to_contain_text("Butter Croissant")
    return shop, customer


def back_at_sign_in_with_the_cart(shop: Shop) -> None:
    expect(shop.alert).to_be_visible()
    expect(shop.button("Log in")).to_be_visible()
    expect(shop.button("Log out")).to_be_hidden()
    expect(shop.cart).to_contain_text("Butter Croissant")


def test_a_token_the_gateway_refuses_returns_to_sign_in_with_the_cart_kept(page: Page) -> None:
    # Given a signed-in customer with a croissant in the cart, whose stored token has lost its signature
    shop, customer = signed_up_with_a_croissant(page)
    header, payload, signature = shop.token().split(".")
    shop.replace_token(f"{header}.{payload}.{signature[::-1]}")
    refused: list[Response] = []
    page.on("response", lambda r: refused.append(r) if r.status == 401 and "/api/" in r.url else None)
    # When the page comes back (it reads the token again and asks for their orders)
    page.reload()
    # Then the real gateway refused it, and they are back at the sign-in form with the cart still there
    back_at_sign_in_with_the_cart(shop)
    assert refused, "the gateway never answered 401"
    # And signing in again lets them order what they had in the cart
    shop.log_in(customer)
    shop.button("Place order").click()
    expect(shop.order_rows()).to_have_count(1)


def test_a_sign_in_that_expires_while_ordering_keeps_the_cart(page: Page, platform: Platform) -> None:
    # Given a signed-in customer with a croissant in the cart, and a gateway that now answers orders with 401
    shop, customer = signed_up_with_a_croissant(page)

    def expired(route: Route) -> None:
        if route.request.method == "POST":
            route.fulfill(status=401, json={"detail": "invalid token"}, headers={"WWW-Authenticate": "Bearer"})
        else:
            route.continue_()

    page.route("**/api/orders", expired)
    # When they place the order
    shop.button("Place order").click()
    # Then they are back at the sign-in form with the alert and the cart kept, and nothing was ordered
    back_at_sign_in_with_the_cart(shop)
    page.unroute("**/api/orders")
    shop.log_in(customer)
    assert api_orders(platform, shop.token()) == []


def test_the_order_service_down_shows_an_alert_and_the_page_stays_usable(page: Page, platform: Platform) -> None:
    # Given a signed-in customer with a croissant in the cart
    shop, _ = signed_up_with_a_croissant(page)
    platform.stop("order")
    try:
        # When the order service is down and they place the order
        shop.button("Place order").click()
        # Then the alert says so, and the cart can still be changed
        expect(shop.alert).to_be_visible()
        expect(shop.alert).not_to_be_empty()
        shop.add("Americano")
        expect(shop.cart).to_contain_text("₩7,300")  # 3,500 + 3,800
        assert api_orders_status(platform, shop.token()) >= 500
    finally:
        platform.start("order")
    # And once it is back, the same cart is ordered
    shop.button("Place order").click()
    expect(shop.order_rows().filter(has_text="₩7,300")).to_have_count(1)
    expect(shop.alert).to_be_hidden()


def api_orders_status(platform: Platform, token: str) -> int:
    response = httpx.get(f"{platform.login_url}/api/orders", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_signing_up_with_a_taken_email_shows_an_alert(page: Page, platform: Platform) -> None:
    # Given an account that already exists
    taken = new_customer()
    body = {"email": taken.email, "password": taken.password, "name": taken.name, "phone": taken.phone}
    assert httpx.post(f"{platform.login_url}/auth/signup", json=body).status_code == 201
    conflicts: list[Response] = []
    page.on("response", lambda r: conflicts.append(r) if r.status == 409 else None)
    # When someone signs up with its email through the page
    shop = Shop(page).open("?lang=en")
    shop.fill_account(taken)
    shop.button("Sign up").click()
    # Then the gateway's 409 shows in the alert and they stay signed out, free to log in
    expect(shop.alert).to_be_visible()
    expect(shop.alert).not_to_be_empty()
    assert conflicts
    expect(shop.button("Log in")).to_be_enabled()
    shop.log_in(taken)


def test_signing_up_with_a_bad_phone_number_shows_an_alert_and_creates_no_account(
    page: Page, platform: Platform
) -> None:
    # Given a visitor who types a number shaped like a phone number that no Korean line has (099: no such prefix),
    # so that the gateway (phonenumbers), not only the page, judges it
    customer = new_customer()
    refused: list[Response] = []
    page.on("response", lambda r: refused.append(r) if r.status == 422 and r.url.endswith("/auth/signup") else None)
    shop = Shop(page).open("?lang=en")
    shop.fill_account(Customer(customer.email, customer.password, customer.name, phone="099-1234-5678"))
    # When they sign up
    shop.button("Sign up").click()
    # Then the gateway's 422 shows in the alert, naming the phone, and no account was made
    expect(shop.alert).to_contain_text("phone", ignore_case=True)
    assert refused, "the gateway never answered 422"
    expect(shop.button("Log out")).to_be_hidden()
    login = httpx.post(
        f"{platform.login_url}/auth/login", json={"email": customer.email, "password": customer.password}
    )
    assert login.status_code == 401


def test_repeated_wrong_passwords_are_throttled_with_a_clear_alert(page: Page, platform: Platform) -> None:
    # Given an account, and a visitor who keeps typing the wrong password for it
    customer = new_customer()
    body = {"email": customer.email, "password": customer.password, "name": customer.name, "phone": customer.phone}
    assert httpx.post(f"{platform.login_url}/auth/signup", json=body).status_code == 201
    shop = Shop(page).open("?lang=en")
    wrong = Customer(customer.email, "wrong-password-1", customer.name)
    # When they try until the gateway throttles them (429 with Retry-After)
    statuses: list[int] = []
    messages: list[str] = []
    while 429 not in statuses and len(statuses) < LOGIN_ATTEMPTS:
        shop.fill_account(wrong, signup=False)
        with page.expect_response(lambda r: r.url.endswith("/auth/login")) as answer:
            shop.button("Log in").click()
        statuses.append(answer.value.status)
        expect(shop.button("Log in")).to_be_enabled()
        expect(shop.alert).to_be_visible()
        messages.append(shop.alert.inner_text())
    # Then the throttled attempt shows its own message, not the wrong-password one, and the form is still there
    assert statuses[0] == 401, statuses
    assert statuses[-1] == 429, statuses
    assert messages[-1] != messages[0]
    expect(shop.page.get_by_label("Email", exact=True)).to_be_editable()
