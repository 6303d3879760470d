"""Account quotas the stack consumes: Lambda concurrency, Elastic IPs, VPCs and internet gateways."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from stacks.preflight import template
from stacks.preflight.context import Context, Outcome, error_code

MINIMUM_UNRESERVED = 100  # Lambda keeps this many executions unreserved (PutFunctionConcurrency, below)
DEFAULT_ACCOUNT_CONCURRENCY = 1000


def lambda_concurrency(ctx: Context) -> Outcome:
    # GetAccountSettings: AccountLimit.ConcurrentExecutions / UnreservedConcurrentExecutions, per Region.
    # https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html
    # "leave at least 100 simultaneous executions unreserved" (PutFunctionConcurrency):
    # https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
    # New accounts have reduced concurrency quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    lam = ctx.client("lambda")
    limit = lam.get_account_settings()["AccountLimit"]
    quota, unreserved = int(limit["ConcurrentExecutions"]), int(limit["UnreservedConcurrentExecutions"])
    account = f"account quota {quota}, {unreserved} unreserved"
    wanted = template.reservations(ctx.target.template)
    total = sum(r.concurrency for r in wanted)
    if total == 0:
        low = f" (below the usual {DEFAULT_ACCOUNT_CONCURRENCY}: new accounts start low)" if quota < 1000 else ""
        return Outcome(ok=True, detail=f"the stack reserves no concurrency; {account}{low}")
    stack = ctx.stack()
    already = sum(
        _reserved(lam, (stack.physical_id(r.logical_id) if stack else None) or r.function_name) for r in wanted
    )
    left = unreserved + already - total
    per_function = ", ".join(f"{r.function_name or r.logical_id} {r.concurrency}" for r in wanted)
    detail = (
        f"the stack reserves {total} ({per_function}); {account}, {already} of them already reserved by this "
        f"stack's functions: {left} would stay unreserved"
    )
    if left < MINIMUM_UNRESERVED:
        needed = quota + MINIMUM_UNRESERVED - left
        return Outcome(
            ok=False,
            detail=f"{detail}, Lambda keeps at least {MINIMUM_UNRESERVED}. Request a quota increase to at least "
            f"{needed} (Service Quotas, service lambda, quota L-B99A9384 'Concurrent executions'), "
            "or reserve less in the config",
        )
    return Outcome(ok=True, detail=f"{detail} (at least {MINIMUM_UNRESERVED} needed)")


def _reserved(lam: Any, function_name: str | None) -> int:
    """What a function reserves now; a function that does not exist yet reserves nothing."""
    if not function_name:
        return 0
    try:
        return int(lam.get_function_concurrency(FunctionName=function_name).get("ReservedConcurrentExecutions", 0))
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return 0
        raise


def elastic_ips(ctx: Context) -> Outcome:
    # vpc-max-elastic-ips: "The maximum number of Elastic IP addresses that you can allocate."
    # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAccountAttributes.html
    # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAddresses.html
    ec2 = ctx.client("ec2")
    needed = template.count(ctx.target.template, "AWS::EC2::EIP")
    attributes = ec2.describe_account_attributes(AttributeNames=["vpc-max-elastic-ips"])["AccountAttributes"]
    limit = int(attributes[0]["AttributeValues"][0]["AttributeValue"])
    addresses = ec2.describe_addresses(Filters=[{"Name": "domain", "Values": ["vpc"]}])["Addresses"]
    stack = ctx.stack()
    own = stack.physical_ids("AWS::EC2::EIP") if stack else set()
    others = [a for a in addresses if not own & {a.get("PublicIp"), a.get("AllocationId")}]
    detail = f"the stack needs {needed} (one per NAT gateway); {len(others)} of {limit} allocated by others"
    if len(others) + needed > limit:
        return Outcome(
            ok=False,
            detail=f"{detail}: release unused addresses or request an increase (Service Quotas, service ec2, "
            "quota L-0263D0A3 'EC2-VPC Elastic IPs')",
        )
    return Outcome(ok=True, detail=detail)


def vpc_quota(ctx: Context) -> Outcome:
    # Default 5 VPCs and 5 internet gateways per Region: https://docs.aws.amazon.com/general/latest/gr/vpc-service.html
    # Applied value, else the default: https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
    ec2 = ctx.client("ec2")
    stack = ctx.stack()
    problems, counts = [], []
    for type_, quota_code, label, paginator, key in (
        ("AWS::EC2::VPC", "L-F678F1CE", "VPCs", "describe_vpcs", "Vpcs"),
        (
            "AWS::EC2::InternetGateway",
            "L-A4707A72",
            "internet gateways",
            "describe_internet_gateways",
            "InternetGateways",
        ),
    ):
        new = template.count(ctx.target.template, type_) - (len(stack.physical_ids(type_)) if stack else 0)
        existing = sum(len(page[key]) for page in ec2.get_paginator(paginator).paginate())
        quota = _quota(ctx.client("service-quotas"), "vpc", quota_code)
        counts.append(f"{label}: {existing} + {max(new, 0)} new of {quota}")
        if existing + new > quota:
            problems.append(f"{label} (quota {quota_code})")
    detail = "; ".join(counts)
    if problems:
        return Outcome(
            ok=False,
            detail=f"{detail}: request an increase of {' and '.join(problems)} in Service Quotas, or delete unused",
        )
    return Outcome(ok=True, detail=detail)


def _quota(quotas: Any, service: str, code: str) -> int:
    try:
        return int(quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"])
    except ClientError as error:
        if error_code(error) != "NoSuchResourceException":
            raise
    return int(quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"])
