"""Customer-managed KMS keys of one environment: one for data at rest, one for logs, one for EKS secrets."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.constructs.removal import removal_policy


class Encryption(Construct):
    """Keys with rotation on. The logs key lets CloudWatch Logs of this account and region use it."""

    def __init__(self, scope: Construct, id_: str, *, prefix: str, retain: bool) -> None:
        super().__init__(scope, id_)
        removal = removal_policy(retain)
        self.data_key = self._key("DataKey", f"{prefix} DynamoDB tables and streams", prefix, removal)
        self.secrets_key = self._key("SecretsKey", f"{prefix} EKS Kubernetes secrets", prefix, removal)
        self.logs_key = self._key("LogsKey", f"{prefix} CloudWatch log groups", prefix, removal)
        stack = cdk.Stack.of(self)
        self.logs_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": self._logs_arn_pattern(stack)}},
            )
        )

    @staticmethod
    def _logs_arn_pattern(stack: cdk.Stack) -> str:
        return f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:*"

    def _key(self, id_: str, description: str, prefix: str, removal: cdk.RemovalPolicy) -> kms.Key:
        return kms.Key(
            self,
            id_,
            description=description,
            alias=f"alias/{prefix}/{id_.removesuffix('Key').lower()}",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=cdk.Duration.days(30) if removal == cdk.RemovalPolicy.RETAIN else cdk.Duration.days(7),
        )
