"""The platform's DynamoDB table definitions, loaded from ``stacks/assets/tables.json``.

Pure Python (no CDK import) so that the CDK data construct and the local emulator bootstrap read the very
same definitions: keys, indexes, stream and TTL settings cannot drift between the cloud and a laptop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TABLES_FILE = Path(__file__).parent / "assets" / "tables.json"


@dataclass(frozen=True, kw_only=True)
class Key:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True, kw_only=True)
class Index:
    name: str
    partition_key: Key
    sort_key: Key | None = None


@dataclass(frozen=True, kw_only=True)
class TableSpec:
    key: str  # "customers", "catalog", "orders"
    logical_id: str
    partition_key: Key
    sort_key: Key | None = None
    indexes: tuple[Index, ...] = ()
    stream: str | None = None  # a StreamViewType, e.g. NEW_AND_OLD_IMAGES
    ttl_attribute: str | None = None
    owner: str = "data"  # the construct that builds it in CDK: "data", or e.g. "recommendation"

    def table_name(self, prefix: str) -> str:
        """Physical name: ``<prefix>-<key>``, e.g. ``tlj-dev-orders``."""
        return f"{prefix}-{self.key}"

    def create_table_kwargs(self, prefix: str) -> dict[str, Any]:
        """Arguments for boto3 ``create_table`` (on-demand), used by the local emulator bootstrap."""
        attributes: dict[str, str] = {}
        for key in self._all_keys():
            attributes[key.name] = key.type
        kwargs: dict[str, Any] = {
            "TableName": self.table_name(prefix),
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
            "KeySchema": _key_schema(self.partition_key, self.sort_key),
        }
        if self.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in self.indexes
            ]
        if self.stream:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.stream}
        return kwargs

    def _all_keys(self) -> list[Key]:
        keys = [self.partition_key] + ([self.sort_key] if self.sort_key else [])
        for index in self.indexes:
            keys.append(index.partition_key)
            if index.sort_key:
                keys.append(index.sort_key)
        return keys


def _key_schema(partition_key: Key, sort_key: Key | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key.name, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key.name, "KeyType": "RANGE"})
    return schema


def _key(raw: dict[str, str] | None) -> Key | None:
    return Key(name=raw["name"], type=raw["type"]) if raw else None


@cache
def load_tables() -> dict[str, TableSpec]:
    """All table specs by key, in file order."""
    raw = json.loads(TABLES_FILE.read_text(encoding="utf-8"))
    specs: dict[str, TableSpec] = {}
    for key, body in raw.items():
        if key.startswith("_"):
            continue
        partition_key = _key(body["partition_key"])
        assert partition_key is not None
        specs[key] = TableSpec(
            key=key,
            logical_id=body["logical_id"],
            partition_key=partition_key,
            sort_key=_key(body.get("sort_key")),
            indexes=tuple(
                Index(
                    name=i["name"],
                    partition_key=Key(**i["partition_key"]),
                    sort_key=_key(i.get("sort_key")),
                )
                for i in body.get("indexes", [])
            ),
            stream=body.get("stream"),
            ttl_attribute=body.get("ttl_attribute"),
            owner=body.get("owner", "data"),
        )
    return specs
