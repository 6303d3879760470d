"""All DynamoDB access to the Orders table: orders and their idempotency records.

Both live in the customer's partition. Order ids are uppercase ULIDs; idempotency records use the sort key
``idem#<key>``, which sorts after every order id, so order listings query ``order_id < "a"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from order_service.models import Order, OrderLine, StatusChange
from order_service.status import OrderStatus
from service_kit.aws import cancellation_codes, from_item, to_item

IDEMPOTENCY_PREFIX = "idem#"
ORDERS_UPPER_BOUND = "a"


class IdempotencyKeyTakenError(Exception):
    """Another request stored an (unexpired) record for this key first."""


class StatusChangedError(Exception):
    """The order's status was not the expected one when the update was applied."""


@dataclass(frozen=True, kw_only=True)
class IdempotencyRecord:
    key: str
    request_hash: str
    order_id: str
    expires_at: int

    def is_expired(self, now_epoch: int) -> bool:
        """The one expiry rule (the write condition in ``create`` states it too): live while now < expires_at."""
        return self.expires_at <= now_epoch


class OrdersRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, order: Order, idempotency: IdempotencyRecord | None, now_epoch: int) -> None:
        """Writes the order (and its idempotency record) atomically; neither may already exist."""
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(_order_values(order)),
                    "ConditionExpression": "attribute_not_exists(customer_id)",
                }
            }
        ]
        if idempotency is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(_record_values(order.customer_id, idempotency)),
                        # An expired record (IdempotencyRecord.is_expired) that TTL has not deleted yet may be replaced.
                        "ConditionExpression": "attribute_not_exists(customer_id) OR expires_at <= :now",
                        "ExpressionAttributeValues": to_item({":now": now_epoch}),
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            codes = cancellation_codes(exc)
            # Lost to a concurrent request on the same key: it exists already, or is being written right now.
            if len(codes) > 1 and codes[1] in ("ConditionalCheckFailed", "TransactionConflict"):
                raise IdempotencyKeyTakenError() from exc
            raise

    def get(self, customer_id: str, order_id: str) -> Order | None:
        raw = self._get_item(customer_id, order_id)
        return order_from_values(raw) if raw else None

    def get_idempotency(self, customer_id: str, key: str) -> IdempotencyRecord | None:
        raw = self._get_item(customer_id, IDEMPOTENCY_PREFIX + key)
        if not raw:
            return None
        return IdempotencyRecord(
            key=key,
            request_hash=str(raw["request_hash"]),
            order_id=str(raw["original_order_id"]),
            expires_at=int(raw["expires_at"]),
        )

    def page(self, customer_id: str, limit: int, after: str | None) -> tuple[list[Order], str | None]:
        """Up to ``limit`` orders newest first, after order id ``after``; plus the last id if more may follow."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "customer_id = :c AND order_id < :upper",
            "ExpressionAttributeValues": to_item({":c": customer_id, ":upper": ORDERS_UPPER_BOUND}),
            "ScanIndexForward": False,
            "Limit": limit,
            "ConsistentRead": True,
        }
        if after is not None:
            query["ExclusiveStartKey"] = to_item({"customer_id": customer_id, "order_id": after})
        response = self._client.query(**query)
        orders = [order_from_values(from_item(raw)) for raw in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        return orders, (str(from_item(last_key)["order_id"]) if last_key else None)

    def update_status(
        self,
        customer_id: str,
        order_id: str,
        *,
        expected: OrderStatus,
        target: OrderStatus,
        now: str,
        change: StatusChange | None = None,
    ) -> Order:
        """Sets ``target`` only if the stored status is still ``expected`` (no lost updates); ``change`` (who, when)
        is appended to the order's ``status_history`` in the same write."""
        history = ", status_history = list_append(if_not_exists(status_history, :empty), :change)" if change else ""
        values: dict[str, Any] = {":target": target.value, ":expected": expected.value, ":now": now}
        if change:
            values |= {":empty": [], ":change": [change.model_dump(mode="json")]}
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=to_item({"customer_id": customer_id, "order_id": order_id}),
                UpdateExpression="SET #status = :target, updated_at = :now" + history,
                ConditionExpression="attribute_exists(customer_id) AND #status = :expected",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StatusChangedError() from exc
            raise
        return order_from_values(from_item(response["Attributes"]))

    def _get_item(self, customer_id: str, order_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"customer_id": customer_id, "order_id": order_id}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return from_item(item) if item else None


def _order_values(order: Order) -> dict[str, Any]:
    values = order.model_dump(mode="json", exclude={"phone"})
    if order.phone:  # a GSI key attribute may not be empty; no phone -> not in the by-phone index
        values["phone"] = order.phone
    return values


def _record_values(customer_id: str, record: IdempotencyRecord) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "order_id": IDEMPOTENCY_PREFIX + record.key,
        "request_hash": record.request_hash,
        "original_order_id": record.order_id,
        "expires_at": record.expires_at,
    }


def order_from_values(values: dict[str, Any]) -> Order:
    lines = [
        OrderLine(
            sku=str(line["sku"]),
            name=str(line.get("name", line["sku"])),
            quantity=int(line["quantity"]),
            unit_price=int(line["unit_price"]),
        )
        for line in values.get("lines", [])
    ]
    return Order(
        order_id=str(values["order_id"]),
        customer_id=str(values["customer_id"]),
        status=OrderStatus(values["status"]),
        lines=lines,
        total=int(Decimal(values["total"])),
        created_at=str(values["created_at"]),
        updated_at=str(values.get("updated_at", values["created_at"])),
        customer_name=str(values.get("customer_name", "")),
        phone=values.get("phone"),
        status_history=[StatusChange.model_validate(change) for change in values.get("status_history", [])],
    )
