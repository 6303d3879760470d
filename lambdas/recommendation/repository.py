"""All AWS access of the recommender: the statistics in the Recommendations table and the Catalog.

A :class:`Change` is applied with atomic ADDs, in transactions of at most 99 counter updates plus one marker
item (``APPLIED#<scope>``, ``chunk#<i>``). The marker's condition makes each chunk count exactly once:

* adding writes the marker (state ``added``) only if it does not exist: a replayed order is skipped;
* withdrawing flips it from ``added`` to ``removed`` together with the negative ADDs; if the order was never
  added, it leaves a ``removed`` tombstone instead, so that a late or replayed add cannot count it afterwards.

A crash between two chunks is safe: a retry skips the chunks already applied and applies the rest.

``load`` is for bulk history (``ingest``): one claim marker per batch, then plain ADDs in parallel, because a
transaction per hundred counters is slow on the local emulator. A rerun skips loaded batches; a batch that was
interrupted half-way is refused (:class:`PartialLoadError`) rather than counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from botocore.exceptions import ClientError

from lambdas.recommendation.catalog import DynamoCatalog
from lambdas.recommendation.models import Change, Counts
from lambdas.shared.dynamodb import cancellation_codes, error_code, from_item, query_all, to_item

__all__ = ["DynamoCatalog", "DynamoStatsStore", "PartialLoadError", "StatsStore"]  # the catalog lives in catalog.py

CHUNK = 99  # counter updates per transaction; the marker makes 100, DynamoDB's limit
MARKER_PREFIX = "APPLIED#"
_ADDED, _REMOVED, _LOADING = "added", "removed", "loading"
_RACE_ATTEMPTS = 3
LOAD_WORKERS = 8


class PartialLoadError(RuntimeError):
    """A bulk load of this scope started before and did not finish: its counters are partly applied."""


class StatsStore(Protocol):
    """Where the model's counters live (DynamoDB in the cloud, a dict in ``evaluate``)."""

    def read(self, partitions: Sequence[str]) -> Counts:
        """Every counter of each partition: partition -> sort key -> attribute -> count."""
        ...

    def apply(self, change: Change) -> bool:
        """Apply ``change`` at most once per scope and sign; False when it had already been applied."""
        ...

    def load(self, change: Change) -> bool:
        """Add a large batch of history at most once per scope; False when it had already been loaded."""
        ...


class DynamoStatsStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def read(self, partitions: Sequence[str]) -> Counts:
        """One Query per partition, one after the other: a request needs a handful, most of them cached (and the
        X-Ray context that Powertools' Tracer puts on each call is per thread)."""
        return {partition: self._partition(partition) for partition in dict.fromkeys(partitions)}

    def _partition(self, partition: str) -> dict[str, dict[str, int]]:
        rows: dict[str, dict[str, int]] = {}
        for raw in query_all(
            self._client,
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
        ):
            item = from_item(raw)
            sort_key = str(item.pop("sk"))
            item.pop("pk")
            rows[sort_key] = {name: int(value) for name, value in item.items()}
        return rows

    def apply(self, change: Change) -> bool:
        updates = self._updates(change)
        chunks = [updates[start : start + CHUNK] for start in range(0, len(updates), CHUNK)] or [[]]
        applied = False
        for index, chunk in enumerate(chunks):
            marker = {"pk": f"{MARKER_PREFIX}{change.scope}", "sk": f"chunk#{index:04d}"}
            applied |= self._apply_chunk(marker, chunk, adding=change.sign > 0)
        return applied

    def load(self, change: Change) -> bool:
        if change.sign < 0:
            raise ValueError("a bulk load only adds")
        marker = {"pk": f"{MARKER_PREFIX}{change.scope}", "sk": "load"}
        if not self._transact([self._put_marker(marker, _LOADING)]):
            if self._marker_state(marker) == _ADDED:
                return False
            raise PartialLoadError(f"{change.scope} was interrupted before: its counters are partly applied")
        updates = self._updates(change)
        with ThreadPoolExecutor(LOAD_WORKERS) as pool:
            list(pool.map(lambda update: self._client.update_item(**self._update(*update)["Update"]), updates))
        self._client.put_item(TableName=self._table, Item=to_item({**marker, "state": _ADDED, "at": int(time.time())}))
        return True

    def _updates(self, change: Change) -> list[tuple[tuple[str, str], dict[str, int]]]:
        """The change's counter updates, signed, without zeros, in key order (so chunks are deterministic)."""
        updates = sorted(
            (key, {name: change.sign * value for name, value in attributes.items() if value})
            for key, attributes in change.deltas.items()
        )
        return [(key, attributes) for key, attributes in updates if attributes]

    def _apply_chunk(self, marker: dict[str, str], chunk: list[Any], *, adding: bool) -> bool:
        counters = [self._update(key, attributes) for key, attributes in chunk]
        if adding:
            return self._transact([self._put_marker(marker, _ADDED), *counters])  # False: added or withdrawn before
        for _ in range(_RACE_ATTEMPTS):
            if self._transact([self._flip_marker(marker), *counters]):
                return True
            if self._transact([self._put_marker(marker, _REMOVED)]):
                return False  # never added: the tombstone keeps a late add out
            if self._marker_state(marker) == _REMOVED:
                return False  # withdrawn before
            # An add committed between the two attempts: withdraw it now.
        raise RuntimeError(f"marker {marker} kept changing; giving up so that the record is retried")

    def _marker_state(self, marker: dict[str, str]) -> str | None:
        response = self._client.get_item(TableName=self._table, Key=to_item(marker), ConsistentRead=True)
        item = response.get("Item")
        return str(from_item(item).get("state")) if item else None

    def _transact(self, actions: list[dict[str, Any]]) -> bool:
        """True when the transaction committed, False when the marker's condition failed."""
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                codes = cancellation_codes(error)
                if codes and codes[0] == "ConditionalCheckFailed":
                    return False
            raise
        return True

    def _update(self, key: tuple[str, str], attributes: Mapping[str, int]) -> dict[str, Any]:
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        values = {f":v{i}": value for i, value in enumerate(attributes.values())}
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item({"pk": key[0], "sk": key[1]}),
                "UpdateExpression": "ADD " + ", ".join(f"#a{i} :v{i}" for i in range(len(names))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_item(values),
            }
        }

    def _put_marker(self, marker: dict[str, str], state: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item({**marker, "state": state, "at": int(time.time())}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _flip_marker(self, marker: dict[str, str]) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(marker),
                "UpdateExpression": "SET #state = :removed, #at = :at",
                "ConditionExpression": "#state = :added",
                "ExpressionAttributeNames": {"#state": "state", "#at": "at"},
                "ExpressionAttributeValues": to_item({":removed": _REMOVED, ":added": _ADDED, ":at": int(time.time())}),
            }
        }
