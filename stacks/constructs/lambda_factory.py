"""The one way the platform builds a Lambda function: every default in one place.

arm64, the configured Python runtime, Powertools from its official public layer (the code asset holds only the
modules the handler imports, see :func:`runtime_files`, zipped by CDK itself: no Docker, no pip at synth), X-Ray
active tracing, JSON logs to a
KMS-encrypted log group with retention, reserved concurrency where configured, the private subnets of the VPC
behind a security group that allows HTTPS to DynamoDB and the VPC's interface endpoints only, and a role whose
only built-in rights are its own log group and the network interfaces Lambda manages for it. Callers add what
the function does through ``grant_*`` calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.config import FunctionsConfig
from stacks.constructs.lambda_assets import REPO_ROOT, asset_exclude
from stacks.constructs.logs import encrypted_log_group

if TYPE_CHECKING:
    from stacks.constructs.network import Network

# Built by `make install` from lambdas/requirements.txt: what neither the runtime nor the Powertools layer has.
DEPENDENCY_LAYER_DIR = REPO_ROOT / "build" / "lambda-deps"
DEPENDENCY_LAYER_ID = "LambdaDependencies"
POWERTOOLS_SSM_PARAMETER = "/aws/service/powertools/python/arm64/{runtime}/{version}"
METRICS_NAMESPACE = "TLJ"
# What the Lambda developer guide lists for a function in a VPC. The Describe actions work only on "*"; the
# others are limited to this account and region, the narrowest form the guide documents.
VPC_DESCRIBE_ACTIONS = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
VPC_INTERFACE_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]
# checkov reads skips from a resource's Metadata; these hold for every function this factory builds.
CHECKOV_SKIPS = {
    "CKV_AWS_116": "Invoked synchronously (API Gateway) or by an event source mapping, never asynchronously: a "
    "function DLQ would never receive anything. Stream failures go to the mapping's on-failure SQS queue.",
    "CKV_AWS_173": "The environment holds table names and Powertools settings only, no secret; Lambda encrypts it "
    "at rest with its own key.",
    "CKV_AWS_272": "Code signing needs an AWS Signer profile and a CI signing step; the asset is built and hashed by "
    "CDK from the reviewed repository and deployed by CloudFormation only.",
}

UNRESERVED_REASON = (
    "No reservation in this environment on purpose: a new account's concurrency quota can be 10 and Lambda keeps 100 "
    "executions unreserved (PutFunctionConcurrency API reference), so any reservation fails the first deploy."
)


def lambda_runtime(name: str) -> lambda_.Runtime:
    """The CDK runtime for a Lambda runtime id such as ``python3.14``."""
    for runtime in lambda_.Runtime.ALL:
        if runtime.name == name and runtime.family == lambda_.RuntimeFamily.PYTHON:
            return runtime
    raise ValueError(f"{name!r} is not a Python runtime this aws-cdk-lib knows")


def powertools_layer_arn(config: FunctionsConfig) -> str:
    """The configured layer ARN, or a CloudFormation reference to AWS's public parameter for this exact release."""
    if config.powertools_layer_arn:
        return config.powertools_layer_arn
    parameter = POWERTOOLS_SSM_PARAMETER.format(runtime=config.python_runtime, version=config.powertools_version)
    return f"{{{{resolve:ssm:{parameter}}}}}"


def dependency_layer(scope: Construct, runtime: lambda_.Runtime) -> lambda_.ILayerVersion:
    """The stack's one layer of third-party packages from ``lambdas/requirements.txt`` (made once, shared)."""
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child(DEPENDENCY_LAYER_ID)
    if isinstance(existing, lambda_.LayerVersion):
        return existing
    if not (DEPENDENCY_LAYER_DIR / "python").is_dir():
        raise FileNotFoundError(f"{DEPENDENCY_LAYER_DIR}/python is missing: run `make install` to build it")
    return lambda_.LayerVersion(
        stack,
        DEPENDENCY_LAYER_ID,
        code=lambda_.Code.from_asset(str(DEPENDENCY_LAYER_DIR)),
        compatible_runtimes=[runtime],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description="Third-party packages of the platform's Lambdas (lambdas/requirements.txt)",
    )


def python_function(
    scope: Construct,
    id_: str,
    *,
    config: FunctionsConfig,
    function_name: str,
    service: str,
    handler: str,
    description: str,
    memory_mb: int,
    timeout: cdk.Duration,
    reserved_concurrency: int | None,
    network: Network,
    logs_key: kms.IKey,
    retain_logs: bool,
    environment: Mapping[str, str],
) -> lambda_.Function:
    """A function running ``handler`` (e.g. ``lambdas.recommendation.handler.handler``) with the project defaults."""
    log_group = encrypted_log_group(
        scope,
        f"{id_}Logs",
        name=f"/aws/lambda/{function_name}",
        key=logs_key,
        retention_days=config.log_retention_days,
        retain=retain_logs,
    )
    security_group = ec2.SecurityGroup(
        scope,
        f"{id_}SecurityGroup",
        vpc=network.vpc,
        description=f"{function_name}: HTTPS to DynamoDB and the VPC endpoints only",
        allow_all_outbound=False,
    )
    # What the handlers call: DynamoDB (gateway endpoint, so its prefix list) and AWS APIs behind the interface
    # endpoints. Logs leave through the Lambda service; traces go to the X-Ray daemon that Lambda itself runs and
    # configures at a link-local address (aws-xray-daemon#14, #26), not to an X-Ray endpoint. Check traces on the
    # first dev deploy: should they be missing, add the XRAY interface endpoint, which this rule already admits.
    security_group.add_egress_rule(
        ec2.Peer.prefix_list(network.dynamodb_prefix_list_id), ec2.Port.tcp(443), "HTTPS to DynamoDB (gateway endpoint)"
    )
    security_group.add_egress_rule(
        ec2.Peer.security_group_id(network.endpoint_security_group.security_group_id),
        ec2.Port.tcp(443),
        "HTTPS to the VPC's interface endpoints",
    )
    function = lambda_.Function(
        scope,
        id_,
        function_name=function_name,
        description=description,
        runtime=lambda_runtime(config.python_runtime),
        architecture=lambda_.Architecture.ARM_64,
        handler=handler,
        code=lambda_.Code.from_asset(str(REPO_ROOT), exclude=asset_exclude(handler), ignore_mode=cdk.IgnoreMode.GIT),
        layers=[
            lambda_.LayerVersion.from_layer_version_arn(scope, f"{id_}Powertools", powertools_layer_arn(config)),
            dependency_layer(scope, lambda_runtime(config.python_runtime)),
        ],
        memory_size=memory_mb,
        timeout=timeout,
        reserved_concurrent_executions=reserved_concurrency,
        tracing=lambda_.Tracing.ACTIVE,
        log_group=log_group,
        logging_format=lambda_.LoggingFormat.JSON,
        application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
        system_log_level_v2=lambda_.SystemLogLevel.WARN,
        role=_role(scope, id_, function_name, log_group.log_group_arn),
        vpc=network.vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        security_groups=[security_group],
        environment={
            "POWERTOOLS_SERVICE_NAME": service,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            **environment,
        },
    )
    cfn_function = function.node.default_child
    assert isinstance(cfn_function, lambda_.CfnFunction)
    skips = dict(CHECKOV_SKIPS)
    if reserved_concurrency is None:
        skips["CKV_AWS_115"] = UNRESERVED_REASON
    cfn_function.add_metadata("checkov", {"skip": [{"id": k, "comment": v} for k, v in skips.items()]})
    return function


def _role(scope: Construct, id_: str, function_name: str, log_group_arn: str) -> iam.Role:
    """The execution role: writes to its own log group and manages its VPC network interfaces, nothing else yet."""
    role = iam.Role(
        scope,
        f"{id_}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Execution role of {function_name}",
    )
    role.add_managed_policy(
        iam.ManagedPolicy(
            scope,
            f"{id_}BasePolicy",
            description=f"Logs and VPC networking of {function_name}",
            statements=[
                iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group_arn]),
                iam.PolicyStatement(actions=VPC_DESCRIBE_ACTIONS, resources=["*"]),
                iam.PolicyStatement(
                    actions=VPC_INTERFACE_ACTIONS,
                    resources=[cdk.Stack.of(scope).format_arn(service="ec2", resource="*", resource_name="*")],
                ),
            ],
        )
    )
    return role
