"""``GET /recommendations?customer_id=&items=&k=&at=&lang=`` behind API Gateway (REST, IAM auth).

Answers ``{"items": [{"sku", "name", "score", "reason"}]}``; invalid input is 422 JSON, a DynamoDB outage 503.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from lambdas.recommendation.models import RecommendationQuery
from lambdas.recommendation.service import recommend
from lambdas.recommendation.telemetry import logger, metrics, tracer

app = APIGatewayRestResolver()


@app.get("/recommendations")
@tracer.capture_method
def get_recommendations() -> dict[str, Any]:
    query = RecommendationQuery.model_validate(app.current_event.query_string_parameters or {})
    items = recommend(query)
    metrics.add_metric(name="EmptyRecommendations", unit=MetricUnit.Count, value=0 if items else 1)
    return {"items": [item.model_dump() for item in items]}


@app.exception_handler(ValidationError)
def invalid_query(error: ValidationError) -> Response[Any]:
    metrics.add_metric(name="InvalidRequests", unit=MetricUnit.Count, value=1)
    errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()]
    return Response(
        status_code=422,
        content_type=content_types.APPLICATION_JSON,
        body={"message": "invalid query", "errors": errors},
    )


@app.exception_handler([ClientError, BotoCoreError])
def store_unavailable(error: Exception) -> Response[Any]:
    logger.exception("the statistics or the catalog could not be read")
    metrics.add_metric(name="StoreErrors", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=503, content_type=content_types.APPLICATION_JSON, body={"message": "recommendations unavailable"}
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return app.resolve(event, context)
