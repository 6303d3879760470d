"""DynamoDB helpers shared by the Lambdas: one client per process, item (de)serialisation, paging, error codes.

``AWS_ENDPOINT_URL`` (the local emulator) is honoured by botocore itself, so the same code runs on a laptop.

The read path imports no boto3, only botocore (which boto3 wraps): ``import boto3`` adds ~35 ms to a cold start on
top of botocore (s3transfer, resources), for nothing a low-level client needs. Items are read with Powertools' copy of
boto3's ``TypeDeserializer`` (aws_lambda_powertools/shared/dynamodb_deserializer.py: the same conversions, bytes for
binary); writes (indexer, ingest) use boto3's ``TypeSerializer``, imported on first write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import botocore.session
from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer
from botocore.config import Config
from botocore.exceptions import ClientError

from lambdas.shared.observability import traced_client

# Lambda answers within seconds: fail fast and retry a little, rather than hang on a slow connection.
BOTO_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=1, read_timeout=3)

_deserializer = TypeDeserializer()


@cache
def client() -> Any:
    """The process-wide DynamoDB client (clients are thread-safe; reusing one keeps connections warm), traced."""
    return traced_client(botocore.session.get_session().create_client("dynamodb", config=BOTO_CONFIG))


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Python values -> DynamoDB attribute values; ints become exact ``Decimal`` numbers, never floats."""
    serializer = _serializer()
    return {key: serializer.serialize(_exact(value)) for key, value in values.items()}


@cache
def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer  # on the first write: see the module docstring

    return TypeSerializer()


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values -> Python values; numbers come back as ``Decimal``."""
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def query_all(dynamodb: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query (or Scan when ``scan=True``), following ``LastEvaluatedKey``; raw attribute values."""
    operation = dynamodb.scan if kwargs.pop("scan", False) else dynamodb.query
    while True:
        response = operation(**kwargs)
        yield from response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def cancellation_codes(error: ClientError) -> list[str]:
    """Per-item reason codes of a ``TransactionCanceledException`` (``"None"`` for the items that passed)."""
    return [str(reason.get("Code", "None")) for reason in error.response.get("CancellationReasons", [])]


def _exact(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return value
