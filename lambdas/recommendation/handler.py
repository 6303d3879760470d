"""``GET /recommendations?customer_id=&items=&k=&at=&lang=`` behind API Gateway (REST, IAM auth).

Answers ``{"items": [{"sku", "name", "score", "reason"}]}``; invalid input is 422 JSON, a DynamoDB outage 503.

The Powertools resolver is built on first use (:func:`resolver`): its package imports every resolver and event class
(AppSync, Bedrock, VPC Lattice, asyncio; ~90 ms of the 250 ms this module cost, ``python -X importtime``). Inside
Lambda that first use, with the settings and the DynamoDB client, happens at init, not in the first request.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.recommendation.models import InvalidQuery, RecommendationQuery
from lambdas.recommendation.service import default_recommender, recommend
from lambdas.recommendation.telemetry import logger, metrics, tracer

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver


@cache
def resolver() -> APIGatewayRestResolver:
    """The API's routes and error answers, built once per process."""
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

    app = APIGatewayRestResolver()

    @app.get("/recommendations")
    @tracer.capture_method
    def get_recommendations() -> dict[str, Any]:
        query = RecommendationQuery.parse(app.current_event.query_string_parameters or {})
        items = recommend(query)
        metrics.add_metric(name="EmptyRecommendations", unit=MetricUnit.Count, value=0 if items else 1)
        return {"items": [asdict(item) for item in items]}

    @app.exception_handler(InvalidQuery)
    def invalid_query(error: InvalidQuery) -> Response[Any]:
        metrics.add_metric(name="InvalidRequests", unit=MetricUnit.Count, value=1)
        errors = [{"field": e.field, "message": e.message} for e in error.errors]
        body = {"message": "invalid query", "errors": errors}
        return Response(status_code=422, content_type=content_types.APPLICATION_JSON, body=body)

    @app.exception_handler([ClientError, BotoCoreError])
    def store_unavailable(error: Exception) -> Response[Any]:
        logger.exception("the statistics or the catalog could not be read")
        metrics.add_metric(name="StoreErrors", unit=MetricUnit.Count, value=1)
        body = {"message": "recommendations unavailable"}
        return Response(status_code=503, content_type=content_types.APPLICATION_JSON, body=body)

    return app


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return resolver().resolve(event, context)


if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:  # inside Lambda: the init phase, once per execution environment
    try:
        resolver()
        default_recommender()  # settings and the DynamoDB client
    except Exception:  # noqa: BLE001 - invalid settings must not fail the init: requests then answer 5xx and log why
        logger.exception("warm-up failed")
