"""Placing an order from the page never orders twice: a double click, or a retry after the gateway's 503 whose
order had in fact gone through, ends with exactly one order (the order service's Idempotency-Key replay)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, Route, expect

from local.platform import Platform
from tests.e2e.storefront.shop import Shop, api_orders, claims, new_customer, stored_orders

pytestmark = pytest.mark.e2e


def order_posts(page: Page) -> list[Request]:
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/api/orders") else None)
    return posts


def exactly_one_order(platform: Platform, shop: Shop, total: int) -> None:
    token = shop.token()
    assert [(o["status"], o["total"]) for o in api_orders(platform, token)] == [("RECEIVED", total)]
    assert len(stored_orders(platform, claims(token)["sub"])) == 1


def test_a_double_click_on_place_order_orders_once(page: Page, platform: Platform) -> None:
    # Given a signed-in customer with a croissant in the cart
    shop = Shop(page).open("?lang=en")
    shop.sign_up(new_customer())
    shop.add("Butter Croissant")
    posts = order_posts(page)
    # When they double-click Place order
    shop.button("Place order").dblclick()
    # Then one order shows in My orders, and the order service holds one
    expect(shop.order_rows()).to_have_count(1)
    for post in posts:
        post.response()  # every request the clicks sent has been answered
    assert 1 <= len(posts) <= 2
    assert len({post.headers.get("idempotency-key") for post in posts}) == 1
    exactly_one_order(platform, shop, 3500)


def test_a_retry_after_a_503_whose_order_went_through_orders_once(page: Page, platform: Platform) -> None:
    # Given a signed-in customer with two egg tarts in the cart, and a gateway whose first answer to an order is
    # lost: the order reaches the order service, but the browser is told 503
    shop = Shop(page).open("?lang=en")
    shop.sign_up(new_customer())
    shop.add("Egg Tart", times=2)
    answers: list[int] = []

    def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        if not answers:
            answers.append(route.fetch().status)  # the real order service places the order
            route.fulfill(status=503, json={"detail": "service unavailable"}, headers={"Retry-After": "1"})
        else:
            answers.append(0)
            route.continue_()

    page.route("**/api/orders", lose_the_first_answer)
    posts = order_posts(page)
    # When they place the order, see the failure, and try again
    shop.button("Place order").click()
    expect(shop.alert).to_be_visible()
    assert answers == [201]
    shop.button("Place order").click()
    # Then the retry is answered with the same order (the same Idempotency-Key), and there is one order
    expect(shop.order_rows()).to_have_count(1)
    expect(shop.alert).to_be_hidden()
    assert len(posts) == 2
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    second = posts[1].response()
    assert second is not None
    assert second.status == 201
    assert second.headers.get("idempotent-replayed") == "true"
    exactly_one_order(platform, shop, 5600)
