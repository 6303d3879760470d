"""Korean by default, English on ``?lang=en`` and remembered; usable at 360 px and 1280 px; every control reachable
with the keyboard and its focus visible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.storefront.shop import Shop

pytestmark = pytest.mark.e2e

KOREAN_HEADINGS = ("메뉴", "장바구니", "추천 상품", "내 주문")
ENGLISH_HEADINGS = ("Menu", "Cart", "Recommendations", "My orders")
# Both the computed outline and box-shadow, so that either way of drawing a focus ring counts.
FOCUS_STYLE = """(el) => { const s = getComputedStyle(el);
  return { outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== "none" }; }"""


def test_the_storefront_is_korean_by_default_with_won_prices(page: Page) -> None:
    # Given a browser whose own language is English (Playwright's default locale, en-US)
    assert page.evaluate("navigator.language").startswith("en")
    # When it opens the storefront without choosing a language
    Shop(page).open("")
    # Then the page is Korean: its language, its headings and prices like 3,500원
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    for name in KOREAN_HEADINGS:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("크루아상", exact=True)).to_be_visible()
    expect(page.get_by_text("3,500원", exact=True).first).to_be_visible()
    expect(Shop(page).product("크루아상").get_by_role("button")).to_be_visible()
    expect(page.get_by_text("₩3,500")).to_have_count(0)


def test_english_is_chosen_with_lang_en_and_remembered(page: Page) -> None:
    # Given a visitor who opens the English storefront
    Shop(page).open("?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # When they come back to / without the parameter
    Shop(page).open("")
    # Then it is still English: headings, names, prices like ₩3,500
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for name in ENGLISH_HEADINGS:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("₩3,500", exact=True).first).to_be_visible()
    expect(page.get_by_text("3,500원")).to_have_count(0)
    # And ?lang=ko switches back, and is remembered in turn
    Shop(page).open("?lang=ko")
    Shop(page).open("")
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def in_view(page: Page, control: Locator) -> None:
    control.scroll_into_view_if_needed()
    box = control.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= width, box


@pytest.mark.parametrize("width", [360, 1280])
def test_the_page_fits_the_screen_and_its_controls_are_reachable(context: BrowserContext, width: int) -> None:
    # Given a phone-sized (360 px) or desktop (1280 px) window
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    shop = Shop(page).open("?lang=en")
    shop.add("Butter Croissant")
    # Then nothing scrolls sideways
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    # And the menu, the form, the cart and the order button are all on screen when scrolled to, and work
    for control in (
        shop.add_button("Madeleine"),
        page.get_by_label("Email", exact=True),
        page.get_by_label("Phone", exact=True),
        shop.button("Sign up"),
        shop.button("Log in"),
        shop.button("Place order"),
    ):
        in_view(page, control)
    shop.add("Madeleine")
    expect(shop.cart).to_contain_text("₩5,300")  # 3,500 + 1,800
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


def test_the_keyboard_reaches_the_add_buttons_and_the_form_with_a_visible_focus(page: Page) -> None:
    # Given the storefront
    shop = Shop(page).open("?lang=en")
    controls = {
        "add": shop.add_button("Butter Croissant"),
        **{label: page.get_by_label(label, exact=True) for label in ("Email", "Password", "Name", "Phone")},
        **{name: shop.button(name) for name in ("Sign up", "Log in")},
    }
    # When a keyboard user presses Tab through the page
    reached: dict[str, dict[str, bool]] = {}
    for _ in range(150):
        page.keyboard.press("Tab")
        for name, control in controls.items():
            if name not in reached and control.evaluate("(el) => el === document.activeElement"):
                reached[name] = control.evaluate(FOCUS_STYLE)
        if len(reached) == len(controls):
            break
    # Then it reached an add button and every field and button of the form, each with a focus ring drawn
    assert set(reached) == set(controls), sorted(set(controls) - set(reached))
    assert all(style["outline"] or style["shadow"] for style in reached.values()), reached
    # And Enter on the focused add button adds it
    shop.add_button("Butter Croissant").focus()
    page.keyboard.press("Enter")
    expect(shop.cart).to_contain_text(re.compile("Butter Croissant"))
