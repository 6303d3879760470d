"""boto3 DynamoDB clients with the platform's retry and timeout settings, and item (de)serialisation.

``AWS_ENDPOINT_URL`` (the local emulator) is honoured by boto3 itself. Clients, unlike resources, are
thread-safe, which matters because FastAPI runs sync endpoints on a thread pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config

BOTO_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=1, read_timeout=2)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def dynamodb_client(region: str) -> Any:
    return boto3.session.Session().client("dynamodb", region_name=region, config=BOTO_CONFIG)


def secretsmanager_client(region: str) -> Any:
    return boto3.session.Session().client("secretsmanager", region_name=region, config=BOTO_CONFIG)


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Python values -> DynamoDB attribute values (ints stay exact: they become Decimal first)."""
    return {key: _serializer.serialize(_exact(value)) for key, value in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values -> Python values; numbers come back as ``Decimal``."""
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _exact(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return value


def cancellation_codes(error: Any) -> list[str]:
    """The per-item reason codes of a ``TransactionCanceledException`` (``"None"`` for items that passed)."""
    reasons = error.response.get("CancellationReasons", [])
    return [str(reason.get("Code", "None")) for reason in reasons]
