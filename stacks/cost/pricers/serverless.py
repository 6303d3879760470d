"""Lambda functions (requests and GB-seconds at their configured memory and architecture) and REST APIs."""

from __future__ import annotations

from typing import Any

from stacks.cost.model import USAGE, CostError, Line
from stacks.cost.pricers.context import DAYS_PER_MONTH, Context, amount, line

CATEGORY = "serverless"
DEFAULT_MEMORY_MB = 128  # AWS::Lambda::Function MemorySize default (CloudFormation reference)


def function(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    properties = resource.get("Properties", {})
    usage = ctx.usage.for_resource("lambda_functions", logical_id)
    per_day, duration_ms = float(usage["invocations_per_day"]), float(usage["avg_duration_ms"])
    memory_gb = int(properties.get("MemorySize", DEFAULT_MEMORY_MB)) / 1024
    arm = properties.get("Architectures", ["x86_64"]) == ["arm64"]
    invocations = round(per_day * DAYS_PER_MONTH)
    seconds = invocations * duration_ms / 1000 * memory_gb
    return [
        line(
            logical_id,
            resource["Type"],
            "Lambda",
            USAGE,
            CATEGORY,
            ctx.charge(invocations, f"requests ({amount(per_day)}/day)", "lambda_requests_million", per=1e6),
            ctx.charge(
                round(seconds, 1),
                f"GB-s ({amount(duration_ms)} ms x {amount(memory_gb)} GB)",
                "lambda_arm64_gb_second" if arm else "lambda_x86_gb_second",
            ),
        ),
    ]


def rest_api(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    for stage_id, stage in ctx.of_type("AWS::ApiGateway::Stage").items():
        if stage.get("Properties", {}).get("CacheClusterEnabled"):
            raise CostError(f"{stage_id}: API Gateway cache clusters are not priced")
    per_day = ctx.usage.number("apigateway_requests_per_day")
    requests = round(per_day * DAYS_PER_MONTH)
    return [
        line(
            logical_id,
            resource["Type"],
            "REST API requests",
            USAGE,
            CATEGORY,
            ctx.charge(requests, f"requests ({amount(per_day)}/day)", "apigateway_rest_million", per=1e6),
        )
    ]


PRICERS = {"AWS::Lambda::Function": function, "AWS::ApiGateway::RestApi": rest_api}
