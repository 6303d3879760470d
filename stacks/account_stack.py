"""Account-wide singletons, owned by one small stack that every environment stack of the account depends on.

IAM keeps one OIDC provider per issuer URL in an account (a second CreateOpenIDConnectProvider for the same URL fails
with EntityAlreadyExists, IAM API reference), and ``AWS::ApiGateway::Account`` is one setting per account and region
(CloudFormation reference: "you should only have one AWS::ApiGateway::Account resource per region per account").
Two environment stacks that each made them would fail, or fight over whichever deployed last. ``cdk deploy
DevStack`` deploys this stack first on its own, since the CDK CLI includes a stack's dependencies unless
``--exclusively`` is given (CDK CLI reference, "cdk deploy").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs.removal import removal_policy
from stacks.nag import acknowledge

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
API_GATEWAY_LOGS_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs"


def github_oidc_provider_arn(stack: cdk.Stack) -> str:
    """The ARN of the account's GitHub OIDC provider: IAM names it after the issuer's host."""
    return f"arn:{stack.partition}:iam::{stack.account}:oidc-provider/{GITHUB_OIDC_HOST}"


class AccountStack(cdk.Stack):
    """The GitHub OIDC provider (when this stack is its account's owner) and API Gateway's CloudWatch role."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        account: str | None,
        region: str,
        owns_github_provider: bool,
        environments: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            id_,
            env=cdk.Environment(account=account, region=region),
            termination_protection=True,  # other stacks' roles and APIs rely on what is here
            description=f"TLJ bakery platform: account-wide settings shared by {', '.join(environments)}",
            **kwargs,
        )
        if owns_github_provider:
            provider = iam.OidcProviderNative(
                self, "GitHubOidcProvider", url=f"https://{GITHUB_OIDC_HOST}", client_ids=["sts.amazonaws.com"]
            )
            cfn_provider = provider.node.default_child
            assert isinstance(cfn_provider, cdk.CfnResource)
            cfn_provider.override_logical_id("GitHubOidcProvider")
            cfn_provider.apply_removal_policy(removal_policy(True))  # the environments' release roles trust it
        self.api_gateway_logs_role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal(
                "apigateway.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": self.account}}
            ),
            description="API Gateway writes execution logs of this account's REST APIs (account-wide setting)",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(API_GATEWAY_LOGS_POLICY)],
        )
        account_setting = apigateway.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=self.api_gateway_logs_role.role_arn
        )
        account_setting.override_logical_id("ApiGatewayAccount")
        cdk.Tags.of(self).add("project", "tlj")
        acknowledge(
            [self.api_gateway_logs_role],
            [
                f"AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{API_GATEWAY_LOGS_POLICY}]"
            ],
            "API Gateway writes execution logs through this one account-level role; "
            "AmazonAPIGatewayPushToCloudWatchLogs is the policy the API Gateway developer guide documents for it, and "
            "it follows the service's changes.",
        )


def account_stacks(app: cdk.App, environments: Sequence[EnvironmentConfig]) -> dict[str, AccountStack]:
    """One AccountStack per account and region the environments deploy to, by environment name. The first stack
    of each account owns its GitHub OIDC provider (IAM is global)."""
    groups: dict[tuple[str | None, str], list[EnvironmentConfig]] = {}
    for config in environments:
        groups.setdefault((config.account, config.region), []).append(config)
    by_environment: dict[str, AccountStack] = {}
    provider_accounts: set[str | None] = set()
    for (account, region), members in groups.items():
        names = [config.name for config in members]
        stack_id = "AccountStack" if len(groups) == 1 else "".join(n.title() for n in names) + "AccountStack"
        stack = AccountStack(
            app,
            stack_id,
            account=account,
            region=region,
            owns_github_provider=account not in provider_accounts,
            environments=[config.stack_name for config in members],
        )
        provider_accounts.add(account)
        by_environment.update(dict.fromkeys(names, stack))
    return by_environment
