"""One denied or unreachable API fails its own check with a clear detail; the other checks still run."""

from __future__ import annotations

import boto3
from botocore.config import Config

from stacks.preflight.checks.account import credentials
from stacks.preflight.checks.pinned import availability_zones
from stacks.preflight.checks.quotas import lambda_concurrency
from stacks.preflight.runner import run
from tests.integration.preflight.conftest import REGION, ContextFactory, stub
from tests.integration.preflight.templates import resource, template


def test_given_access_denied_on_one_api_then_that_check_fails_clearly_and_the_next_one_runs(
    make_context: ContextFactory,
) -> None:
    lam, stubber = stub("lambda")
    stubber.add_client_error(
        "get_account_settings",
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: lambda:GetAccountSettings",
        http_status_code=403,
    )
    stubber.activate()
    denied, passed = run([lambda_concurrency, credentials], make_context(template(), stubbed={"lambda": lam}))
    assert (denied.name, denied.ok) == ("lambda_concurrency", False)
    assert denied.detail.startswith("access denied to GetAccountSettings (AccessDeniedException)")
    assert "lambda:GetAccountSettings" in denied.detail
    assert (passed.name, passed.ok) == ("credentials", True)


def test_given_an_unreachable_endpoint_for_one_service_then_that_check_fails_without_a_traceback(
    make_context: ContextFactory,
) -> None:
    ec2 = boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",  # discard port: nothing listens
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    body = template(resource("Subnet", "AWS::EC2::Subnet", AvailabilityZone="ap-northeast-2a"))
    (unreachable,) = run([availability_zones], make_context(body, stubbed={"ec2": ec2}))
    assert not unreachable.ok
    assert unreachable.detail.startswith("could not ask AWS: Could not connect to the endpoint URL")


def test_given_an_endpoint_without_the_api_then_the_detail_says_so_instead_of_dumping_html(
    make_context: ContextFactory,
) -> None:
    lam, stubber = stub("lambda")
    stubber.add_client_error("get_account_settings", "404", "<!doctype html><title>404 Not Found</title>", 404)
    stubber.activate()
    (result,) = run([lambda_concurrency], make_context(template(), stubbed={"lambda": lam}))
    assert result.detail == "GetAccountSettings failed: HTTP 404 from the endpoint, which may not offer this API"
