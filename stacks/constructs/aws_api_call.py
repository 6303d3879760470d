"""One AWS API call made by CloudFormation during a deployment (CDK's ``AwsCustomResource``), with the project's
defaults: the provider runs in the private subnets, logs to one encrypted log group, and uses one stack-wide role
whose customer-managed policy holds exactly the statements each call declares.

CDK builds a single provider function per stack for every ``AwsCustomResource`` (a ``SingletonFunction``), and its
role, VPC and log group are those of the first call made; so every call here passes the same role, VPC and log group
instead of letting each call bring its own, which the second call would silently lose.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from stacks.constructs.lambda_factory import VPC_DESCRIBE_ACTIONS, VPC_INTERFACE_ACTIONS
from stacks.constructs.logs import encrypted_log_group

# AwsCustomResource's singleton provider function, a child of the stack ("AWS" + its UUID without dashes).
PROVIDER_ID = "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
_SHARED_ID = "AwsApiCalls"
PROVIDER_CHECKOV_SKIPS = {
    "CKV_AWS_115": "CDK's AwsCustomResource provider runs only while CloudFormation deploys; a concurrency "
    "reservation would only take capacity from the account pool.",
    "CKV_AWS_116": "CloudFormation invokes it synchronously and rolls back on failure; a DLQ would never receive "
    "anything.",
    "CKV_AWS_173": "CDK sets no secret in its environment; Lambda encrypts environment variables at rest regardless.",
}


class AwsApiCalls(Construct):
    """The stack's shared provider settings: ``role`` (with ``policy``), ``log_group`` and the VPC placement."""

    def __init__(
        self, scope: Construct, id_: str, *, vpc: ec2.IVpc, logs_key: kms.IKey, log_retention_days: int, retain: bool
    ) -> None:
        super().__init__(scope, id_)
        self.vpc = vpc
        self.log_group = encrypted_log_group(
            self, "ProviderLogs", key=logs_key, retention_days=log_retention_days, retain=retain
        )
        stack = cdk.Stack.of(self)
        self.policy = iam.ManagedPolicy(
            self,
            "ProviderPolicy",
            description="AWS API calls CloudFormation makes for this stack during deployments; logs; VPC networking",
            statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
                ),
                iam.PolicyStatement(actions=VPC_DESCRIBE_ACTIONS, resources=["*"]),
                iam.PolicyStatement(
                    actions=VPC_INTERFACE_ACTIONS,
                    resources=[stack.format_arn(service="ec2", resource="*", resource_name="*")],
                ),
            ],
        )
        self.role = iam.Role(
            self,
            "ProviderRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="CDK's AwsCustomResource provider: the deployment-time API calls of this stack",
            managed_policies=[self.policy],
        )

    @classmethod
    def of(cls, scope: Construct) -> AwsApiCalls | None:
        found = cdk.Stack.of(scope).node.try_find_child(_SHARED_ID)
        return found if isinstance(found, AwsApiCalls) else None

    @classmethod
    def ensure(
        cls, scope: Construct, *, vpc: ec2.IVpc, logs_key: kms.IKey, log_retention_days: int, retain: bool
    ) -> AwsApiCalls:
        """The stack's one instance, made on first use."""
        return cls.of(scope) or cls(
            cdk.Stack.of(scope),
            _SHARED_ID,
            vpc=vpc,
            logs_key=logs_key,
            log_retention_days=log_retention_days,
            retain=retain,
        )

    def call(
        self,
        scope: Construct,
        id_: str,
        *,
        resource_type: str,
        on_create: cr.AwsSdkCall,
        statements: Sequence[iam.PolicyStatement],
        on_update: cr.AwsSdkCall | None = None,
        on_delete: cr.AwsSdkCall | None = None,
    ) -> cr.AwsCustomResource:
        """A custom resource making ``on_create`` (and ``on_update``/``on_delete``) with exactly ``statements``."""
        self.policy.add_statements(*statements)
        resource = cr.AwsCustomResource(
            scope,
            id_,
            resource_type=resource_type,
            on_create=on_create,
            on_update=on_update,
            on_delete=on_delete,
            role=self.role,
            install_latest_aws_sdk=False,  # the SDK of the Lambda runtime: no download at deploy time
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            log_group=self.log_group,
            memory_size=256,
            timeout=cdk.Duration.minutes(2),
        )
        resource.node.add_dependency(self.policy)  # the role's grants are attached before the first call
        provider = cdk.Stack.of(self).node.find_child(PROVIDER_ID).node.default_child
        assert isinstance(provider, cdk.CfnResource)
        provider.add_metadata("checkov", {"skip": [{"id": k, "comment": v} for k, v in PROVIDER_CHECKOV_SKIPS.items()]})
        return resource

    @property
    def provider(self) -> IConstruct:
        """CDK's singleton provider function (exists once a call was made)."""
        return cdk.Stack.of(self).node.find_child(PROVIDER_ID)
