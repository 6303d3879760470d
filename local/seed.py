"""Loading the bakery menu (``local/menu.json``, data not code) into the Catalog table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MENU_FILE = Path(__file__).with_name("menu.json")


class MenuItem(BaseModel):
    """A Catalog item as stored: price is whole KRW (a DynamoDB Number), never a float."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    sku: str = Field(pattern=r"^[A-Z]{3}-\d{3}$")
    name: str = Field(min_length=1)
    name_ko: str = Field(min_length=1)
    category: Literal["bread", "pastry", "cake", "sandwich", "drink"]
    price: int = Field(gt=0)
    available: bool


_MENU = TypeAdapter(list[MenuItem])


def load_menu(path: Path = MENU_FILE) -> list[MenuItem]:
    """The menu in ``path``, validated; duplicate skus are an error."""
    items = _MENU.validate_python(json.loads(path.read_text(encoding="utf-8")))
    skus = [item.sku for item in items]
    duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
    if duplicates:
        raise ValueError(f"duplicate skus in {path}: {', '.join(duplicates)}")
    return items


def seed_menu(table: Any, items: list[MenuItem] | None = None) -> int:
    """Write every item to ``table`` (a boto3 Table resource); put_item overwrites, so reseeding is harmless."""
    menu = load_menu() if items is None else items
    with table.batch_writer(overwrite_by_pkeys=["sku"]) as batch:
        for item in menu:
            batch.put_item(Item=item.model_dump())
    return len(menu)
