"""The seed menu (local/menu.json) is realistic data, validated on load."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from local.seed import MenuItem, load_menu

HANGUL = re.compile(r"[\uac00-\ud7a3]")
VALID = {"sku": "BRD-001", "name": "Soboro Bread", "name_ko": "소보로빵", "category": "bread", "price": 2300}


@pytest.fixture(scope="module")
def menu() -> list[MenuItem]:
    return load_menu()


def test_menu_has_24_to_30_items_with_unique_skus(menu: list[MenuItem]) -> None:
    # Given / When the shipped menu is loaded
    skus = [item.sku for item in menu]
    # Then it is a bakery-sized catalog with no sku twice
    assert 24 <= len(menu) <= 30
    assert len(set(skus)) == len(skus)


def test_menu_covers_every_category(menu: list[MenuItem]) -> None:
    # Given / When / Then every category of the bakery is on the menu
    assert {item.category for item in menu} == {"bread", "pastry", "cake", "sandwich", "drink"}


def test_prices_are_whole_won_in_a_realistic_range(menu: list[MenuItem]) -> None:
    # Given / When / Then prices are integers between a madeleine and a large cake
    for item in menu:
        assert type(item.price) is int, item.sku
        assert 1_800 <= item.price <= 38_000, item.sku


def test_one_or_two_items_are_unavailable(menu: list[MenuItem]) -> None:
    # Given / When
    unavailable = [item.sku for item in menu if not item.available]
    # Then the "never recommend an unavailable sku" rule has something to bite on, but the menu is mostly on sale
    assert 1 <= len(unavailable) <= 2


def test_every_item_has_a_korean_name(menu: list[MenuItem]) -> None:
    # Given / When / Then
    for item in menu:
        assert HANGUL.search(item.name_ko), item.sku


def test_the_classics_are_there(menu: list[MenuItem]) -> None:
    # Given / When
    names = {item.name_ko for item in menu}
    # Then the Tous Les Jours staples a demo talks about exist
    assert {"소보로빵", "단팥빵", "생크림케이크", "아메리카노"} <= names


@pytest.mark.parametrize(
    "change",
    [
        {"price": 2300.5},
        {"price": "2300"},
        {"price": 0},
        {"category": "coffee"},
        {"sku": "bread-1"},
        {"colour": "brown"},
    ],
)
def test_an_invalid_item_is_rejected(tmp_path: Path, change: dict[str, object]) -> None:
    # Given a menu file with one invalid item
    path = tmp_path / "menu.json"
    path.write_text(json.dumps([{**VALID, "available": True, **change}]), encoding="utf-8")
    # When / Then loading it fails
    with pytest.raises(ValidationError):
        load_menu(path)


def test_duplicate_skus_are_rejected(tmp_path: Path) -> None:
    # Given a menu with the same sku twice
    path = tmp_path / "menu.json"
    path.write_text(json.dumps([{**VALID, "available": True}] * 2), encoding="utf-8")
    # When / Then
    with pytest.raises(ValueError, match="BRD-001"):
        load_menu(path)
