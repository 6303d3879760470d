"""All DynamoDB access to the throttle table: counters of failed logins and signups, shared by every pod.

An item is ``{pk, hits, last_at, expires_at}``. ``hits`` only ever grows through an atomic ``UpdateItem ADD``,
so concurrent pods never lose a count. ``expires_at`` (epoch seconds) is the table's TTL attribute; DynamoDB
deletes expired items only eventually ("typically within a few days": DynamoDB developer guide, "Working with
time to live"), so an expired item still present is treated as absent and restarted from one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from service_kit.aws import from_item, to_item


@dataclass(frozen=True, kw_only=True)
class Counter:
    hits: int
    last_at: float  # epoch seconds of the latest hit
    expires_at: int  # epoch seconds; the counter is forgotten from then on


class AttemptsRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def add(self, key: str, *, now: float, ttl_seconds: int, sliding: bool) -> Counter:
        """One more hit on ``key``. ``sliding``: each hit moves the expiry to now + ttl; else the first hit fixes it."""
        expires = math.ceil(now + ttl_seconds)
        expiry = "expires_at = :expires" if sliding else "expires_at = if_not_exists(expires_at, :expires)"
        values = {":one": 1, ":now": Decimal(f"{now:.3f}"), ":expires": expires, ":now_s": math.floor(now)}
        for _ in range(3):
            try:
                response = self._client.update_item(
                    TableName=self._table,
                    Key=to_item({"pk": key}),
                    UpdateExpression=f"ADD hits :one SET last_at = :now, {expiry}",
                    ConditionExpression="attribute_not_exists(pk) OR expires_at > :now_s",
                    ExpressionAttributeValues=to_item(values),
                    ReturnValues="ALL_NEW",
                )
                return _counter(from_item(response["Attributes"]))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
            self._restart(key, now=now, expires=expires)
        raise RuntimeError(f"throttle counter {key!r} kept expiring under concurrent writes")

    def get(self, key: str, *, now: float) -> Counter | None:
        """The live counter of ``key``; ``None`` when there is none or it has expired."""
        response = self._client.get_item(TableName=self._table, Key=to_item({"pk": key}), ConsistentRead=True)
        item = response.get("Item")
        counter = _counter(from_item(item)) if item else None
        return counter if counter is not None and counter.expires_at > now else None

    def delete(self, key: str) -> None:
        self._client.delete_item(TableName=self._table, Key=to_item({"pk": key}))

    def _restart(self, key: str, *, now: float, expires: int) -> None:
        """Removes an expired counter that TTL has not deleted yet (only if it is still expired)."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=to_item({"pk": key}),
                ConditionExpression="expires_at <= :now_s",
                ExpressionAttributeValues=to_item({":now_s": math.floor(now)}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise  # else another pod restarted it first: add to theirs


def _counter(values: dict[str, Any]) -> Counter:
    return Counter(
        hits=int(values.get("hits", 0)),
        last_at=float(values.get("last_at", 0)),
        expires_at=int(values.get("expires_at", 0)),
    )
