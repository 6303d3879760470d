"""lambda_concurrency (stubbed Lambda: moto has no GetAccountSettings), elastic_ips and vpc_quota on moto."""

from __future__ import annotations

from typing import Any

from stacks.preflight.checks.quotas import elastic_ips, lambda_concurrency, vpc_quota
from tests.integration.preflight.conftest import ContextFactory, client, stub
from tests.integration.preflight.templates import function, resource, template

# ProdStack's reservations: 50 + 4 + 20 = 74.
PROD = template(
    function("Api", "tlj-prod-recommendation-api", 50),
    function("Indexer", "tlj-prod-reco-indexer", 4),
    function("CallCenter", "tlj-prod-call-center", 20),
)
NAMES = ["tlj-prod-recommendation-api", "tlj-prod-reco-indexer", "tlj-prod-call-center"]


def lambda_with(quota: int, unreserved: int, reserved_now: dict[str, int] | None = None) -> Any:
    """Account settings, then each function's current reservation (absent functions answer ResourceNotFound)."""
    lam, stubber = stub("lambda")
    limit = {"ConcurrentExecutions": quota, "UnreservedConcurrentExecutions": unreserved}
    stubber.add_response("get_account_settings", {"AccountLimit": limit})
    for name in NAMES:
        if reserved_now is None:
            stubber.add_client_error("get_function_concurrency", "ResourceNotFoundException", http_status_code=404)
        else:
            answer = {"ReservedConcurrentExecutions": reserved_now[name]}
            stubber.add_response("get_function_concurrency", answer, {"FunctionName": name})
    stubber.activate()
    return lam


def test_given_a_new_accounts_quota_of_10_and_a_reservation_of_74_then_it_fails_and_asks_for_an_increase(
    make_context: ContextFactory,
) -> None:
    outcome = lambda_concurrency(make_context(PROD, stubbed={"lambda": lambda_with(10, 10)}))
    assert not outcome.ok
    assert "reserves 74" in outcome.detail
    assert "L-B99A9384" in outcome.detail
    assert "at least 174" in outcome.detail  # 74 reserved + 100 left unreserved


def test_given_the_default_quota_of_1000_then_the_reservation_fits(make_context: ContextFactory) -> None:
    outcome = lambda_concurrency(make_context(PROD, stubbed={"lambda": lambda_with(1000, 1000)}))
    assert outcome.ok, outcome.detail
    assert "926 would stay unreserved" in outcome.detail


def test_given_just_too_little_headroom_then_it_fails(make_context: ContextFactory) -> None:
    assert not lambda_concurrency(make_context(PROD, stubbed={"lambda": lambda_with(173, 173)})).ok
    assert lambda_concurrency(make_context(PROD, stubbed={"lambda": lambda_with(174, 174)})).ok


def test_given_the_functions_already_reserve_their_share_then_a_redeploy_does_not_count_it_twice(
    make_context: ContextFactory,
) -> None:
    current = dict(zip(NAMES, [50, 4, 20], strict=True))
    outcome = lambda_concurrency(make_context(PROD, stubbed={"lambda": lambda_with(200, 126, current)}))
    assert outcome.ok, outcome.detail
    assert "74 of them already reserved" in outcome.detail


def test_given_a_stack_that_reserves_nothing_then_it_passes_and_still_reports_a_low_quota(
    make_context: ContextFactory,
) -> None:
    lam, stubber = stub("lambda")
    limit = {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}
    stubber.add_response("get_account_settings", {"AccountLimit": limit})
    stubber.activate()
    outcome = lambda_concurrency(make_context(template(function("Api", "tlj-dev-api")), stubbed={"lambda": lam}))
    assert outcome.ok
    assert "account quota 10, 10 unreserved" in outcome.detail
    assert "new accounts start low" in outcome.detail


def eips(count: int) -> dict[str, Any]:
    return template(*(resource(f"Eip{i}", "AWS::EC2::EIP", Domain="vpc") for i in range(count)))


def test_given_free_elastic_ips_then_three_nat_gateways_fit(make_context: ContextFactory) -> None:
    outcome = elastic_ips(make_context(eips(3)))
    assert outcome.ok
    assert "needs 3" in outcome.detail
    assert "0 of 5" in outcome.detail


def test_given_four_of_five_elastic_ips_taken_then_three_more_do_not_fit(make_context: ContextFactory) -> None:
    ctx = make_context(eips(3))
    for _ in range(4):
        client("ec2").allocate_address(Domain="vpc")
    outcome = elastic_ips(ctx)
    assert not outcome.ok
    assert "4 of 5 allocated by others" in outcome.detail
    assert "L-0263D0A3" in outcome.detail


NETWORK = template(
    resource("Vpc", "AWS::EC2::VPC", CidrBlock="10.20.0.0/16"), resource("Igw", "AWS::EC2::InternetGateway")
)


def test_given_the_default_vpc_only_then_one_more_vpc_and_gateway_fit(make_context: ContextFactory) -> None:
    outcome = vpc_quota(make_context(NETWORK))
    assert outcome.ok, outcome.detail
    assert "VPCs: 1 + 1 new of 5" in outcome.detail


def test_given_five_vpcs_then_a_sixth_exceeds_the_quota(make_context: ContextFactory) -> None:
    ctx = make_context(NETWORK)
    for i in range(4):
        client("ec2").create_vpc(CidrBlock=f"10.{100 + i}.0.0/16")
    outcome = vpc_quota(ctx)
    assert not outcome.ok
    assert "VPCs (quota L-F678F1CE)" in outcome.detail
