"""Request and response bodies of the order service."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from order_service.status import OrderStatus

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{1,128}$"


class MenuItem(BaseModel):
    sku: str
    name: str
    name_ko: str | None = None
    price: int = Field(description="KRW")
    category: str
    available: bool


class Menu(BaseModel):
    items: list[MenuItem]


class OrderItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(ge=1, le=99, strict=True)


class CreateOrderRequest(BaseModel):
    """One line per sku: a repeated sku is refused (422) rather than merged, so totals are never surprising."""

    model_config = ConfigDict(extra="forbid")

    items: list[OrderItemIn] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> CreateOrderRequest:
        skus = [item.sku for item in self.items]
        duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
        if duplicates:
            raise ValueError(f"duplicate sku in items (send one line per sku): {', '.join(duplicates)}")
        return self


class StatusUpdateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OrderStatus
    customer_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")


class OrderLine(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price: int


class StatusChange(BaseModel):
    """One move along the status machine: to which status, by whom (the token's subject and role), when."""

    status: OrderStatus
    by: str
    role: str
    at: str


class Order(BaseModel):
    order_id: str
    customer_id: str
    status: OrderStatus
    lines: list[OrderLine]
    total: int
    created_at: str
    updated_at: str
    customer_name: str = ""
    phone: str | None = None
    status_history: list[StatusChange] = Field(default_factory=list)


class OrderPage(BaseModel):
    items: list[Order]
    next_cursor: str | None
