from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from order_service.models import CreateOrderRequest, StatusUpdateRequest


def request(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"items": list(items), **extra}


def test_a_valid_order_request_is_accepted():
    body = CreateOrderRequest.model_validate(
        request({"sku": "BRD-001", "quantity": 99}, {"sku": "DRK-001", "quantity": 1})
    )
    assert [(i.sku, i.quantity) for i in body.items] == [("BRD-001", 99), ("DRK-001", 1)]


@pytest.mark.parametrize(
    "body",
    [
        request(),
        request(*({"sku": f"SKU-{n}", "quantity": 1} for n in range(51))),
        request({"sku": "BRD-001", "quantity": 0}),
        request({"sku": "BRD-001", "quantity": 100}),
        request({"sku": "BRD-001", "quantity": "2"}),
        request({"sku": "BRD-001", "quantity": 1.5}),
        request({"sku": "BRD-001", "quantity": True}),
        request({"sku": "BRD-001"}),
        request({"sku": "", "quantity": 1}),
        request({"sku": "BRD 001", "quantity": 1}),
        request({"sku": "\ud800", "quantity": 1}),
        request({"sku": "BRD-001", "quantity": 1, "unit_price": 1}),
        request({"sku": "BRD-001", "quantity": 1}, total=1),
        request({"sku": "BRD-001", "quantity": 1}, {"sku": "BRD-001", "quantity": 2}),
    ],
    ids=[
        "no-lines",
        "51-lines",
        "quantity-0",
        "quantity-100",
        "quantity-string",
        "quantity-float",
        "quantity-bool",
        "quantity-missing",
        "sku-empty",
        "sku-space",
        "sku-surrogate",
        "line-extra-field",
        "body-extra-field",
        "duplicate-sku",
    ],
)
def test_invalid_order_requests_are_refused(body: dict[str, Any]):
    with pytest.raises(ValidationError):
        CreateOrderRequest.model_validate(body)


def test_a_duplicate_sku_is_named_in_the_error():
    with pytest.raises(ValidationError, match=r"duplicate sku.*BRD-001"):
        CreateOrderRequest.model_validate(request({"sku": "BRD-001", "quantity": 1}, {"sku": "BRD-001", "quantity": 1}))


def test_status_updates_accept_only_known_statuses():
    assert StatusUpdateRequest.model_validate({"status": "BAKING", "customer_id": "c-1"}).status == "BAKING"
    with pytest.raises(ValidationError):
        StatusUpdateRequest.model_validate({"status": "EATEN", "customer_id": "c-1"})
    with pytest.raises(ValidationError):
        StatusUpdateRequest.model_validate({"status": "BAKING"})
