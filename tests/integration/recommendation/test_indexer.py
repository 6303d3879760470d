"""The Orders-stream indexer on moto: real stream records, replays, cancellations and a poison record."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from lambdas.reco_indexer.handler import handler
from lambdas.recommendation.repository import DynamoStatsStore
from local.stream_poller import CLIENT_CONFIG, IndexerContext, _lambda_record
from tests.integration.recommendation.conftest import REGION, table

ORDER = {
    "customer_id": {"S": "c1"},
    "order_id": {"S": "01JQ0000000000000000000001"},
    "status": {"S": "RECEIVED"},
    "lines": {
        "L": [
            {"M": {"sku": {"S": "BRD-001"}, "quantity": {"N": "2"}, "unit_price": {"N": "2300"}}},
            {"M": {"sku": {"S": "DRK-001"}, "quantity": {"N": "1"}, "unit_price": {"N": "3800"}}},
        ]
    },
    "total": {"N": "8400"},
    "created_at": {"S": "2025-03-02T23:30:00Z"},
    "phone": {"S": "+821012345678"},
}
KEY = {"customer_id": ORDER["customer_id"], "order_id": ORDER["order_id"]}


def stream_records(dynamodb: Any) -> list[dict[str, Any]]:
    """Every record of the Orders stream so far, in the shape Lambda delivers."""
    streams = boto3.client("dynamodbstreams", region_name=REGION, config=CLIENT_CONFIG)
    arn = dynamodb.describe_table(TableName=table("orders"))["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        records += streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [_lambda_record(record, arn) for record in records]


def counts(dynamodb: Any) -> dict[str, int]:
    store = DynamoStatsStore(dynamodb, table("recommendations"))
    read = store.read(["ITEM", "CUST#c1"])
    return {
        **{sku: c["n"] for sku, c in read["ITEM"].items()},
        **{f"c1:{sku}": c["n"] for sku, c in read["CUST#c1"].items()},
    }


def run(records: list[dict[str, Any]]) -> dict[str, Any]:
    return handler({"Records": records}, IndexerContext())


def test_a_placed_order_is_learned_once_even_when_the_batch_is_replayed(aws: Any) -> None:
    # Given an order written as the order service writes it (with its idempotency record, in one transaction)
    idempotency = {"customer_id": {"S": "c1"}, "order_id": {"S": "idem#k1"}, "expires_at": {"N": "1"}}
    aws.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table("orders"), "Item": ORDER}},
            {"Put": {"TableName": table("orders"), "Item": idempotency}},
        ]
    )
    records = stream_records(aws)
    assert len(records) == 2
    # When the indexer gets the batch, and the same batch again (a retry)
    assert run(records) == {"batchItemFailures": []}
    assert run(records) == {"batchItemFailures": []}
    # Then the order counts once; the idempotency record counted nothing
    assert counts(aws) == {"BRD-001": 1, "DRK-001": 1, "c1:#ORDERS": 1, "c1:BRD-001": 1, "c1:DRK-001": 1}


def test_status_moves_change_nothing_and_a_cancellation_withdraws_the_order_once(aws: Any) -> None:
    aws.put_item(TableName=table("orders"), Item=ORDER)
    for status in ("CANCELLED",):
        aws.update_item(
            TableName=table("orders"),
            Key=KEY,
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": status}},
        )
    insert, cancel = stream_records(aws)
    run([insert])
    assert counts(aws)["BRD-001"] == 1
    run([cancel])
    run([insert, cancel])  # the whole stream replayed
    assert counts(aws) == {"BRD-001": 0, "DRK-001": 0, "c1:#ORDERS": 0, "c1:BRD-001": 0, "c1:DRK-001": 0}


def test_a_status_move_is_no_change(aws: Any) -> None:
    aws.put_item(TableName=table("orders"), Item=ORDER)
    aws.update_item(
        TableName=table("orders"),
        Key=KEY,
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "BAKING"}},
    )
    assert run(stream_records(aws)) == {"batchItemFailures": []}
    assert counts(aws)["BRD-001"] == 1


def test_a_poison_record_is_reported_and_does_not_block_the_others(aws: Any) -> None:
    # Given three orders, the middle one with lines that are not a list of lines
    for number, lines in ((1, ORDER["lines"]), (2, {"S": "garbage"}), (3, ORDER["lines"])):
        aws.put_item(TableName=table("orders"), Item={**ORDER, "order_id": {"S": f"01JQ{number:022d}"}, "lines": lines})
    records = stream_records(aws)
    # When the indexer gets them in one batch
    response = run(records)
    # Then only the poison record is reported, by its sequence number, and the two good orders are counted
    assert response == {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    assert counts(aws)["BRD-001"] == 2


@pytest.mark.parametrize("removed_by_ttl", [True, False])
def test_a_deleted_order_is_withdrawn_unless_ttl_expired_it(aws: Any, removed_by_ttl: bool) -> None:
    aws.put_item(TableName=table("orders"), Item=ORDER)
    aws.delete_item(TableName=table("orders"), Key=KEY)
    insert, remove = stream_records(aws)
    if removed_by_ttl:
        remove["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    run([insert, remove])
    assert counts(aws)["BRD-001"] == (1 if removed_by_ttl else 0)
