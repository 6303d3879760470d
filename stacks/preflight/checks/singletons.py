"""Account singletons: one GitHub OIDC provider per account, one API Gateway CloudWatch role per Region, and
Amazon Connect instance aliases (unique across all of AWS)."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from stacks.preflight import template
from stacks.preflight.context import Context, Outcome

GITHUB_HOST = template.GITHUB_OIDC_URL.removeprefix("https://")
# InstanceAlias: length 1-45, pattern ^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$
# https://docs.aws.amazon.com/connect/latest/APIReference/API_Instance.html
CONNECT_ALIAS = re.compile(r"^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$")


def github_oidc_provider(ctx: Context) -> Outcome:
    # "You cannot register the same provider multiple times in a single AWS account":
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOpenIDConnectProviders.html
    iam = ctx.client("iam")
    target = ctx.target
    owner = target.account_stack
    here = template.declares_github_oidc_provider(target.template)
    manager = target.stack_name if here else None
    if not here and template.declares_github_oidc_provider(target.account_template):
        manager = owner
    arns = [
        p["Arn"]
        for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        if p["Arn"].endswith(f":oidc-provider/{GITHUB_HOST}")
    ]
    if not arns:
        return _absent(ctx, manager)
    arn = arns[0]  # IAM holds at most one per URL
    if manager is None:
        return Outcome(ok=True, detail=f"{arn} exists{_created_by(iam, arn, [])}; {target.stack_name} uses it as is")
    owners = [name for name in dict.fromkeys((manager, owner)) if _holds(ctx, name, arn)]
    if manager in owners:
        return Outcome(ok=True, detail=f"{arn} is managed by {manager}")
    found = f"{arn} exists{_created_by(iam, arn, owners)}"
    if here:
        return Outcome(
            ok=False,
            detail=f"{found}, and this template creates another one: IAM allows one provider per URL per account. "
            f"Delete it, or import it into {target.stack_name} (`npx cdk import {target.stack_name}`)",
        )
    return Outcome(
        ok=False,
        detail=f"{found} but is not managed by {owner}, which owns it: IAM allows one provider per URL per "
        f"account, so delete it (`aws iam delete-open-id-connect-provider`) or import it into {owner} "
        f"(`npx cdk import {owner}`)",
    )


def _absent(ctx: Context, manager: str | None) -> Outcome:
    if manager:
        return Outcome(ok=True, detail=f"no provider for {GITHUB_HOST} yet: {manager} creates it")
    if f"oidc-provider/{GITHUB_HOST}" not in json.dumps(ctx.target.template.get("Resources", {})):
        return Outcome(ok=True, detail=f"no provider for {GITHUB_HOST}, and the stack needs none")
    # IAM refuses a trust policy whose federated principal does not exist ("Federated principals must be valid
    # domain names or SAML metadata ARNs"), e.g. terraform-aws-modules/terraform-aws-eks#2594.
    return Outcome(
        ok=False,
        detail=f"no provider for {GITHUB_HOST}, no synthesized template creates one, and this stack's roles trust "
        f"it: deploy {ctx.target.account_stack} (or the stack that creates the provider) first",
    )


def _holds(ctx: Context, stack_name: str, arn: str) -> bool:
    stack = ctx.stack(stack_name)
    return stack is not None and arn in stack.physical_ids("AWS::IAM::OIDCProvider")


def _created_by(iam: Any, arn: str, owners: list[str]) -> str:
    """Who made the provider, as far as we can tell: another stack that holds it, or the tag CloudFormation adds."""
    if owners:
        return f" (managed by {owners[0]})"
    # CloudFormation tags what it creates with aws:cloudformation:stack-name (where the resource type takes tags):
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html
    try:
        tags = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn).get("Tags", [])
    except ClientError:
        return ""  # only a hint: without iam:GetOpenIDConnectProvider the advice stays the same
    stacks = [t["Value"] for t in tags if t.get("Key") == "aws:cloudformation:stack-name"]
    return f" (created by stack {stacks[0]})" if stacks else " (not created by CloudFormation, or untagged)"


def api_gateway_account(ctx: Context) -> Outcome:
    # Informational. AWS::ApiGateway::Account sets the Region's one CloudWatch role: "you should only have one
    # AWS::ApiGateway::Account resource per region per account".
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-account.html
    # https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
    role = ctx.client("apigateway").get_account().get("cloudwatchRoleArn")
    owner = None
    account_stack = ctx.target.account_stack
    if template.declares(ctx.target.account_template, "AWS::ApiGateway::Account"):
        owner = account_stack
    elif template.declares(ctx.target.template, "AWS::ApiGateway::Account"):
        owner = ctx.target.stack_name
    if not role:
        return Outcome(ok=True, detail="no CloudWatch role set yet" + (f": {owner} sets it" if owner else ""))
    if owner == account_stack and ctx.stack(account_stack) is None:
        return Outcome(
            ok=True, detail=f"{role} is set; {account_stack} (not deployed yet) will replace it with its own"
        )
    if owner == ctx.target.stack_name:
        return Outcome(
            ok=True,
            detail=f"{role} is set; this stack's AWS::ApiGateway::Account will replace it (one setting per account "
            "and Region: the last stack deployed wins)",
        )
    return Outcome(ok=True, detail=f"{role} is set" + (f", managed by {owner}" if owner else ""))


def connect_alias(ctx: Context) -> Outcome:
    # https://docs.aws.amazon.com/connect/latest/APIReference/API_ListInstances.html (paginated)
    aliases = template.connect_aliases(ctx.target.template)
    if not aliases:
        return Outcome(ok=True, detail="the template has no Amazon Connect instance")
    pages = ctx.client("connect").get_paginator("list_instances").paginate()
    existing = {
        i["InstanceAlias"].lower(): i for page in pages for i in page["InstanceSummaryList"] if "InstanceAlias" in i
    }
    stack = ctx.stack()
    problems = []
    for logical_id, alias in aliases.items():
        if alias.lower().startswith("d-"):
            problems.append(f"{alias!r} starts with 'd-', which Amazon Connect refuses")
        elif not CONNECT_ALIAS.match(alias) or len(alias) > 45:
            problems.append(f"{alias!r} is not a valid alias (1-45 letters, digits and inner hyphens)")
        instance = existing.get(alias.lower())
        if instance and (stack is None or stack.physical_id(logical_id) not in (instance["Arn"], instance["Id"])):
            status = instance.get("InstanceStatus", "unknown status")
            problems.append(f"instance {instance['Id']} ({status}) in this account already uses {alias!r}")
    scope = (
        "aliases are unique across all of AWS and this check sees only this account: an alias taken elsewhere "
        f"fails at deploy; choose another with `-c {ctx.target.env}:connect_instance_alias=...`"
    )
    if problems:
        return Outcome(ok=False, detail=f"{'; '.join(problems)}. Note: {scope}")
    return Outcome(ok=True, detail=f"{', '.join(aliases.values())} is free in this account; {scope}")
