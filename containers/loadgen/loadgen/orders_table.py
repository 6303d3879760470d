"""Reading the run's customers' partitions of the Orders table, with any boto3 DynamoDB client.

No boto3 import here: the caller passes a client (``local.load`` one for the emulator). Strongly consistent
queries, every page: the reconciliation must see each order the run wrote, not an eventually consistent subset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from loadgen.reconcile import TableState

# The sort key of an idempotency record is "idem#<key>" (order_service/orders_repository.py IDEMPOTENCY_PREFIX).
IDEMPOTENCY_PREFIX = "idem#"


def read_states(client: Any, table: str, customer_ids: Iterable[str]) -> dict[str, TableState]:
    return {customer_id: read_state(client, table, customer_id) for customer_id in customer_ids}


def read_state(client: Any, table: str, customer_id: str, *, page_size: int | None = None) -> TableState:
    """``page_size`` (items per query page) is DynamoDB's 1 MB page unless set."""
    orders: dict[str, str] = {}
    keys: dict[str, str] = {}
    paging = {"PaginationConfig": {"PageSize": page_size}} if page_size else {}
    pages = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="customer_id = :c",
        ExpressionAttributeValues={":c": {"S": customer_id}},
        ProjectionExpression="order_id, #status, original_order_id",
        ExpressionAttributeNames={"#status": "status"},
        ConsistentRead=True,
        **paging,
    )
    for page in pages:
        for item in page.get("Items", []):
            sort_key = item["order_id"]["S"]
            if sort_key.startswith(IDEMPOTENCY_PREFIX):
                keys[sort_key.removeprefix(IDEMPOTENCY_PREFIX)] = item["original_order_id"]["S"]
            else:
                orders[sort_key] = item["status"]["S"]
    return TableState(orders=orders, keys=keys)
