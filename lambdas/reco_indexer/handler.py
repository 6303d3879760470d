"""Orders stream (DynamoDB Streams, NEW_AND_OLD_IMAGES) -> the recommender's statistics.

Each record is turned into at most one change (``updates.changes_for``) and applied at most once
(``repository``): a replayed record counts nothing twice. A record that fails (a malformed image, a throttled
write) is reported in ``batchItemFailures`` while the others are applied; Lambda then retries from it, and after
the bounded retries the event source sends it to the on-failure queue.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from lambdas.reco_indexer.telemetry import logger, metrics, tracer
from lambdas.recommendation.repository import DynamoStatsStore
from lambdas.recommendation.service import apply_changes
from lambdas.recommendation.settings import IndexerSettings
from lambdas.recommendation.updates import changes_for
from lambdas.shared import dynamodb
from lambdas.shared.settings import load

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@cache
def _store() -> DynamoStatsStore:
    return DynamoStatsStore(dynamodb.client(), load(IndexerSettings).recommendations_table)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    stream = record.dynamodb
    assert stream is not None
    changes = changes_for(
        record.event_name.name if record.event_name else "",
        stream.old_image,
        stream.new_image,
        zone=load(IndexerSettings).store_timezone,
        removed_by=record.user_identity.get("principalId"),
    )
    applied = apply_changes(_store(), changes)
    metrics.add_metric(name="OrdersApplied", unit=MetricUnit.Count, value=applied)
    metrics.add_metric(name="ReplaysSkipped", unit=MetricUnit.Count, value=len(changes) - applied)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
