"""The call center's lookup Lambda (built by the shared factory) and exactly the reads it makes."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from lambdas.call_center.hours import WeeklyHours
from stacks.config import CallCenterConfig, FunctionsConfig
from stacks.constructs.lambda_factory import python_function
from stacks.constructs.network import Network

PHONE_INDEX = "by-phone"


@dataclass(frozen=True, kw_only=True)
class LookupTables:
    """What the lookup Lambda reads: two ``by-phone`` indexes, the recommender's statistics and the menu."""

    orders: dynamodb.ITable
    customers: dynamodb.ITable
    catalog: dynamodb.ITable
    recommendations: dynamodb.ITable
    key: kms.IKey  # the tables' encryption key


def lookup_function(
    scope: Construct,
    *,
    config: CallCenterConfig,
    functions: FunctionsConfig,
    prefix: str,
    network: Network,
    logs_key: kms.IKey,
    retain: bool,
    tables: LookupTables,
) -> lambda_.Function:
    """``lambdas.call_center.handler`` with the project defaults; its role may read only what the lookup reads."""
    function = python_function(
        scope,
        "LookupFunction",
        config=functions,
        function_name=f"{prefix}-call-center",
        service="call-center",
        handler="lambdas.call_center.handler.handler",
        description="Amazon Connect: the caller's latest order by phone, recommendations, store hours",
        memory_mb=config.lambda_memory_mb,
        timeout=cdk.Duration.seconds(config.lambda_timeout_seconds),
        reserved_concurrency=config.lambda_reserved_concurrency,
        network=network,
        logs_key=logs_key,
        retain_logs=retain,
        environment={
            "ORDERS_TABLE": tables.orders.table_name,
            "CUSTOMERS_TABLE": tables.customers.table_name,
            "CATALOG_TABLE": tables.catalog.table_name,
            "RECOMMENDATIONS_TABLE": tables.recommendations.table_name,
            "STORE_HOURS": WeeklyHours.of(config.hours, config.time_zone).to_json(),
            "STORE_TIMEZONE": config.time_zone,
            "DEFAULT_LANG": config.language,
            "BUDGET_MS": str(config.lambda_budget_ms),
        },
    )
    assert function.role is not None
    # Exactly the reads the lookup makes, in a managed policy of its own (no inline grants).
    iam.ManagedPolicy(
        scope,
        "LookupReads",
        description=f"Reads of {prefix}-call-center: phone indexes, statistics, menu",
        roles=[function.role],
        statements=[
            iam.PolicyStatement(
                actions=["dynamodb:Query"],
                resources=[
                    f"{tables.orders.table_arn}/index/{PHONE_INDEX}",
                    f"{tables.customers.table_arn}/index/{PHONE_INDEX}",
                    tables.recommendations.table_arn,
                ],
            ),
            iam.PolicyStatement(actions=["dynamodb:Scan"], resources=[tables.catalog.table_arn]),
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=[tables.key.key_arn]),
        ],
    )
    return function
