"""Recommendations: the statistics table, the API (API Gateway REST + Lambda) and the Orders-stream indexer.

The API is ``PRIVATE``: only callable through the VPC's ``execute-api`` interface endpoint ("Private REST APIs in API
Gateway"), and its resource policy denies every request that does not come through that endpoint (``aws:SourceVpce``,
the best practice that page names). The login gateway's calls so never leave the VPC, never share the NAT gateways'
few addresses, and no per-IP web ACL can mistake the whole platform for one client.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.config import DataConfig, FunctionsConfig, RecommendationConfig
from stacks.constructs.data import table_from_spec
from stacks.constructs.lambda_factory import python_function
from stacks.constructs.logs import encrypted_log_group
from stacks.constructs.network import Network
from stacks.constructs.removal import removal_policy
from stacks.table_specs import load_tables

STAGE = "v1"
QUERY_PARAMETERS = ("customer_id", "items", "k", "at", "lang")  # all optional; the handler validates values
NO_CACHE_REASON = (
    "No stage cache: answers are per customer, basket and time of day, and must change right after an order."
)


class Recommendation(Construct):
    """``GET /recommendations``: private, IAM auth, throttled, access-logged, traced; the indexer keeps the
    statistics current from the Orders stream, sending what it cannot process to a queue."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: RecommendationConfig,
        functions: FunctionsConfig,
        data: DataConfig,
        prefix: str,
        network: Network,
        data_key: kms.IKey,
        logs_key: kms.IKey,
        orders: dynamodb.ITable,
        catalog_table_name: str,
    ) -> None:
        super().__init__(scope, id_)
        self.table = table_from_spec(self, load_tables()["recommendations"], config=data, prefix=prefix, key=data_key)
        function = partial(
            python_function, self, config=functions, network=network, logs_key=logs_key, retain_logs=data.retain
        )
        self.api_function = function(
            "ApiFunction",
            function_name=f"{prefix}-recommendation-api",
            service="recommendation",
            handler="lambdas.recommendation.handler.handler",
            description="GET /recommendations: co-purchases, time of day and the customer's history",
            memory_mb=config.api_memory_mb,
            timeout=cdk.Duration.seconds(config.api_timeout_seconds),
            reserved_concurrency=config.api_reserved_concurrency,
            environment={"RECOMMENDATIONS_TABLE": self.table.table_name, "CATALOG_TABLE": catalog_table_name},
        )
        self.indexer_function = function(
            "IndexerFunction",
            function_name=f"{prefix}-reco-indexer",
            service="reco-indexer",
            handler="lambdas.reco_indexer.handler.handler",
            description="Orders stream -> recommendation statistics (idempotent, partial batch failures)",
            memory_mb=config.indexer_memory_mb,
            timeout=cdk.Duration.seconds(config.indexer_timeout_seconds),
            reserved_concurrency=config.indexer_reserved_concurrency,
            environment={"RECOMMENDATIONS_TABLE": self.table.table_name},
        )
        self.table.grant_read_data(self.api_function)
        # The indexer only adds to counters and writes markers (in transactions), and reads a marker back.
        self.table.grant(
            self.indexer_function,
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:ConditionCheckItem",
        )
        data_key.grant_encrypt_decrypt(self.indexer_function)

        self.failures = sqs.Queue(
            self,
            "IndexerFailures",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=data_key,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
            removal_policy=removal_policy(data.retain),
        )
        self.indexer_function.add_event_source(
            event_sources.DynamoEventSource(
                orders,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=config.stream_batch_size,
                max_batching_window=cdk.Duration.seconds(1),
                bisect_batch_on_error=True,
                retry_attempts=config.stream_retry_attempts,
                max_record_age=cdk.Duration.hours(config.stream_max_record_age_hours),
                report_batch_item_failures=True,
                parallelization_factor=1,  # per-shard order matters: an order's cancel follows its insert
                on_failure=event_sources.SqsDlq(self.failures),
                filters=_stream_filters(),
            )
        )
        self.api = self._api(
            config,
            functions,
            prefix=prefix,
            endpoint=network.api_endpoint,
            logs_key=logs_key,
            retain_logs=data.retain,
        )
        cdk.CfnOutput(self, "ApiUrl", value=self.api.url, description="RECOMMENDATION_API_URL of the login gateway")

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (e.g. the login gateway's pod role) call ``GET /recommendations`` with SigV4."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["execute-api:Invoke"],
            resource_arns=[self.api.arn_for_execute_api("GET", "/recommendations", STAGE)],
        )

    def _api(
        self,
        config: RecommendationConfig,
        functions: FunctionsConfig,
        *,
        prefix: str,
        endpoint: ec2.IInterfaceVpcEndpoint,
        logs_key: kms.IKey,
        retain_logs: bool,
    ) -> apigateway.RestApi:
        access_logs = encrypted_log_group(
            self, "ApiAccessLogs", key=logs_key, retention_days=functions.log_retention_days, retain=retain_logs
        )
        api = apigateway.RestApi(
            self,
            "Api",
            rest_api_name=f"{prefix}-recommendations",
            description="Product recommendations for the login gateway (SigV4-signed calls from the VPC only)",
            endpoint_configuration=apigateway.EndpointConfiguration(
                types=[apigateway.EndpointType.PRIVATE], vpc_endpoints=[endpoint]
            ),
            policy=_private_api_policy(endpoint),
            cloud_watch_role=False,  # the account-level logging role belongs to AccountStack
            default_method_options=apigateway.MethodOptions(authorization_type=apigateway.AuthorizationType.IAM),
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full requests in logs would include customer ids and baskets
                throttling_rate_limit=config.api_throttle_rate,
                throttling_burst_limit=config.api_throttle_burst,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
        )
        validator = api.add_request_validator(
            "RequestValidator", validate_request_parameters=True, validate_request_body=True
        )
        api.root.add_resource("recommendations").add_method(
            "GET",
            apigateway.LambdaIntegration(self.api_function),
            authorization_type=apigateway.AuthorizationType.IAM,
            request_validator=validator,
            request_parameters={f"method.request.querystring.{name}": False for name in QUERY_PARAMETERS},
        )
        stage = api.deployment_stage.node.default_child
        assert isinstance(stage, apigateway.CfnStage)
        stage.add_metadata("checkov", {"skip": [{"id": "CKV_AWS_120", "comment": NO_CACHE_REASON}]})
        return api


def _private_api_policy(endpoint: ec2.IInterfaceVpcEndpoint) -> iam.PolicyDocument:
    """This account's principals may invoke, and nothing arrives but through this VPC's endpoint.

    Naming the account (not "*") leaves the decision to the callers' IAM policies, so only the gateway's pod role,
    which holds execute-api:Invoke on GET /recommendations, gets in; the explicit deny wins over every allow.
    """
    invoke = "execute-api:/*"
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                principals=[iam.AccountRootPrincipal()], actions=["execute-api:Invoke"], resources=[invoke]
            ),
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["execute-api:Invoke"],
                resources=[invoke],
                conditions={"StringNotEquals": {"aws:SourceVpce": endpoint.vpc_endpoint_id}},
            ),
        ]
    )


def _stream_filters() -> list[Mapping[str, Any]]:
    """Only the records that can change the statistics: inserts, deletions, and modifications to CANCELLED."""
    return [
        lambda_.FilterCriteria.filter({"eventName": lambda_.FilterRule.or_("INSERT", "REMOVE")}),
        lambda_.FilterCriteria.filter(
            {
                "eventName": lambda_.FilterRule.is_equal("MODIFY"),
                "dynamodb": {"NewImage": {"status": {"S": lambda_.FilterRule.is_equal("CANCELLED")}}},
            }
        ),
    ]
