"""github_oidc_provider, api_gateway_account and connect_alias on moto; CloudFormation's ownership is stubbed where
moto cannot create the resource from a template."""

from __future__ import annotations

from typing import Any

from stacks.preflight.checks.singletons import api_gateway_account, connect_alias, github_oidc_provider
from tests.integration.preflight.conftest import MOTO_ACCOUNT, ContextFactory, client, stub
from tests.integration.preflight.templates import resource, template

GITHUB = "https://token.actions.githubusercontent.com"
PROVIDER_ARN = f"arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
DECLARES_PROVIDER = template(resource("GitHubOidc", "AWS::IAM::OIDCProvider", Url=GITHUB))
ACCOUNT_STACK = template(
    resource("GitHubOidc", "AWS::IAM::OIDCProvider", Url=GITHUB), resource("ApiGw", "AWS::ApiGateway::Account")
)


def create_provider(**tags: str) -> None:
    client("iam").create_open_id_connect_provider(
        Url=GITHUB,
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["a" * 40],
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )


def stacks(**held: dict[str, tuple[str, str]] | None) -> Any:
    """A CloudFormation that knows the given stacks (None: absent), asked in the order given."""
    cfn, stubber = stub("cloudformation")
    for name, resources in held.items():
        if resources is None:
            stubber.add_client_error("describe_stacks", "ValidationError", f"Stack with id {name} does not exist")
            continue
        stack = {"StackName": name, "StackStatus": "CREATE_COMPLETE", "CreationTime": "2026-01-01T00:00:00Z"}
        stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": name})
        summaries = [
            {"LogicalResourceId": logical, "PhysicalResourceId": physical, "ResourceType": type_,
             "ResourceStatus": "CREATE_COMPLETE", "LastUpdatedTimestamp": "2026-01-01T00:00:00Z"}
            for logical, (type_, physical) in resources.items()
        ]  # fmt: skip
        stubber.add_response("list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": name})
    stubber.activate()
    return cfn


def test_given_no_provider_then_the_stack_that_declares_one_creates_it(make_context: ContextFactory) -> None:
    outcome = github_oidc_provider(make_context(DECLARES_PROVIDER))
    assert outcome.ok
    assert "ProdStack creates it" in outcome.detail


def test_given_a_provider_left_by_another_stack_when_this_one_declares_one_too_then_it_fails(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(DECLARES_PROVIDER)
    create_provider(**{"aws:cloudformation:stack-name": "DevStack"})
    outcome = github_oidc_provider(ctx)
    assert not outcome.ok
    assert "created by stack DevStack" in outcome.detail
    assert "one provider per URL per account" in outcome.detail
    assert "IAM allows one provider per URL per account" in outcome.detail


def test_given_a_hand_made_provider_and_an_account_stack_that_owns_the_singleton_then_it_must_be_imported_or_deleted(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(template(), account_template=ACCOUNT_STACK)
    create_provider()
    outcome = github_oidc_provider(ctx)
    assert not outcome.ok
    assert "not managed by AccountStack" in outcome.detail
    assert "delete it" in outcome.detail
    assert "import it into AccountStack" in outcome.detail


def test_given_the_provider_is_managed_by_the_account_stack_then_it_passes(make_context: ContextFactory) -> None:
    cfn = stacks(AccountStack={"GitHubOidc": ("AWS::IAM::OIDCProvider", PROVIDER_ARN)})
    ctx = make_context(template(), account_template=ACCOUNT_STACK, stubbed={"cloudformation": cfn})
    create_provider()
    outcome = github_oidc_provider(ctx)
    assert outcome.ok, outcome.detail
    assert "managed by AccountStack" in outcome.detail


def test_given_the_provider_is_this_stacks_own_then_a_redeploy_passes(make_context: ContextFactory) -> None:
    cfn = stacks(ProdStack={"GitHubOidc": ("AWS::IAM::OIDCProvider", PROVIDER_ARN)}, AccountStack=None)
    ctx = make_context(DECLARES_PROVIDER, stubbed={"cloudformation": cfn})
    create_provider()
    assert github_oidc_provider(ctx).ok


def test_given_a_provider_another_stack_made_and_no_template_that_owns_one_then_the_stack_uses_it(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(template())
    create_provider(**{"aws:cloudformation:stack-name": "DevStack"})
    outcome = github_oidc_provider(ctx)
    assert outcome.ok
    assert "created by stack DevStack" in outcome.detail


def test_given_roles_that_trust_a_provider_nobody_creates_then_it_fails_before_iam_refuses_the_roles(
    make_context: ContextFactory,
) -> None:
    federated = {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"},
                                   ":oidc-provider/token.actions.githubusercontent.com"]]}  # fmt: skip
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Federated": federated}}]}
    outcome = github_oidc_provider(
        make_context(template(resource("Release", "AWS::IAM::Role", AssumeRolePolicyDocument=trust)))
    )
    assert not outcome.ok
    assert "deploy AccountStack (or the stack that creates the provider) first" in outcome.detail


def set_cloudwatch_role() -> str:
    arn = f"arn:aws:iam::{MOTO_ACCOUNT}:role/handmade-apigw-logs"
    client("apigateway").update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}])
    return arn


def test_given_no_cloudwatch_role_then_it_is_informational_and_passes(make_context: ContextFactory) -> None:
    outcome = api_gateway_account(make_context(template(), account_template=ACCOUNT_STACK))
    assert outcome.ok
    assert "AccountStack sets it" in outcome.detail


def test_given_a_role_and_no_account_stack_yet_then_it_says_the_account_stack_will_replace_it(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(template(), account_template=ACCOUNT_STACK)
    arn = set_cloudwatch_role()
    outcome = api_gateway_account(ctx)
    assert outcome.ok
    assert f"{arn} is set; AccountStack (not deployed yet) will replace it" in outcome.detail


def test_given_a_role_and_this_stack_sets_the_account_then_the_last_stack_wins(make_context: ContextFactory) -> None:
    ctx = make_context(template(resource("ApiGw", "AWS::ApiGateway::Account")))
    set_cloudwatch_role()
    outcome = api_gateway_account(ctx)
    assert outcome.ok
    assert "the last stack deployed wins" in outcome.detail


CONNECT = template(resource("CallCenterInstance", "AWS::Connect::Instance", InstanceAlias="tlj-prod-bakery-calls"))


def create_instance(alias: str) -> dict[str, Any]:
    return dict(
        client("connect").create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias=alias,
            InboundCallsEnabled=True,
            OutboundCallsEnabled=False,
        )
    )


def test_given_a_free_alias_then_it_passes_but_warns_that_only_this_account_is_seen(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(CONNECT)
    create_instance("someone-elses-calls")
    outcome = connect_alias(ctx)
    assert outcome.ok
    assert "unique across all of AWS" in outcome.detail
    assert "-c prod:connect_instance_alias=" in outcome.detail


def test_given_an_instance_with_the_alias_and_no_stack_then_it_fails(make_context: ContextFactory) -> None:
    ctx = make_context(CONNECT)
    instance = create_instance("tlj-prod-bakery-calls")
    outcome = connect_alias(ctx)
    assert not outcome.ok
    assert f"instance {instance['Id']} (ACTIVE) in this account already uses 'tlj-prod-bakery-calls'" in outcome.detail


def test_given_the_instance_is_this_stacks_own_then_it_passes(make_context: ContextFactory) -> None:
    make_context(CONNECT)  # moto's session first, then the instance
    instance = create_instance("tlj-prod-bakery-calls")
    cfn = stacks(ProdStack={"CallCenterInstance": ("AWS::Connect::Instance", instance["Arn"])})
    outcome = connect_alias(make_context(CONNECT, stubbed={"cloudformation": cfn}))
    assert outcome.ok, outcome.detail


def test_given_an_alias_starting_with_d_dash_then_it_fails_before_deploy(make_context: ContextFactory) -> None:
    outcome = connect_alias(make_context(template(resource("I", "AWS::Connect::Instance", InstanceAlias="d-bakery"))))
    assert not outcome.ok
    assert "starts with 'd-'" in outcome.detail
