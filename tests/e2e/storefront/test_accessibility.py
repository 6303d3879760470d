"""axe-core (the engine itself, pinned in package.json) finds no WCAG 2.0/2.1 A or AA violation on the storefront,
in Korean and in English, signed out and signed in with a cart (recommendations and My orders shown)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.storefront.conftest import CreateContext
from tests.e2e.storefront.shop import Shop, new_customer

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("seeded_history")]

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
# axe.run(context, {runOnly: {type: "tag", values}}) resolves to results whose ``violations`` lists each failed
# rule with its nodes (dequelabs/axe-core@v4.14.1:doc/API.md, "API Name: axe.run").
RUN = """async (tags) => { const r = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return { passed: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(" ")) })) }; }"""


def violations(page: Page) -> list[dict[str, Any]]:
    result: dict[str, Any] = page.evaluate(RUN, TAGS)
    assert result["passed"] > 10, result  # the rules really ran over the page
    found: list[dict[str, Any]] = result["violations"]
    return found


@pytest.mark.parametrize("query", ["", "?lang=en"], ids=["ko", "en"])
@pytest.mark.parametrize("with_cart", [False, True], ids=["signed-out", "signed-in-with-cart"])
def test_axe_finds_no_wcag_a_or_aa_violation(new_context: CreateContext, query: str, with_cart: bool) -> None:
    # Given the storefront in a context that lets axe in: add_script_tag inlines axe.min.js, which the page's CSP
    # (script-src 'self', Trusted Types) refuses, so this context alone bypasses the CSP
    # (https://playwright.dev/python/docs/api/class-browser#browser-new-context-option-bypass-csp)
    assert AXE.is_file(), "node_modules/axe-core is missing: run make install"
    page = new_context(bypass_csp=True).new_page()
    shop = Shop(page).open(query)
    if with_cart:
        # (the Korean page's controls are reached by their menu entries; the English ones by the contract's names)
        page.goto("/?lang=en")
        shop.sign_up(new_customer())
        shop.add("Butter Croissant")
        shop.add("Americano")
        expect(shop.recommendations.first).to_be_visible()
        shop.open(query or "?lang=ko")
        expect(shop.button("Log out") if query else page.get_by_role("button", name="로그아웃")).to_be_visible()
    # When axe-core checks the whole page
    page.add_script_tag(path=AXE)
    # Then it finds nothing
    assert violations(page) == []
