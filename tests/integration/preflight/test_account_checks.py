"""credentials, cdk_bootstrap and stack_state against moto (and a stubbed CloudFormation for failed stacks)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.preflight.checks.account import cdk_bootstrap, credentials, stack_state
from tests.integration.preflight.conftest import MOTO_ACCOUNT, ContextFactory, client, stub
from tests.integration.preflight.templates import BOOTSTRAP, resource, template


def test_given_the_templates_account_when_the_credentials_match_then_it_passes(make_context: ContextFactory) -> None:
    outcome = credentials(make_context(template(), account=MOTO_ACCOUNT))
    assert outcome.ok
    assert MOTO_ACCOUNT in outcome.detail


def test_given_another_account_in_the_manifest_then_the_credentials_check_fails(make_context: ContextFactory) -> None:
    outcome = credentials(make_context(template(), account="111122223333"))
    assert not outcome.ok
    assert "synthesized for account 111122223333" in outcome.detail


def test_given_no_account_in_the_manifest_then_it_passes_and_suggests_pinning_one(make_context: ContextFactory) -> None:
    outcome = credentials(make_context(template()))
    assert outcome.ok
    assert "-c account=" in outcome.detail


def test_given_no_bootstrap_parameter_then_it_fails_and_says_how_to_bootstrap(make_context: ContextFactory) -> None:
    outcome = cdk_bootstrap(make_context(template(**BOOTSTRAP)))
    assert not outcome.ok
    assert f"npx cdk bootstrap aws://{MOTO_ACCOUNT}/ap-northeast-2" in outcome.detail


@pytest.mark.parametrize(("version", "ok"), [("5", False), ("6", True), ("21", True)])
def test_given_a_bootstrap_version_then_it_must_be_at_least_the_templates_minimum(
    make_context: ContextFactory, version: str, ok: bool
) -> None:
    ctx = make_context(template(**BOOTSTRAP))
    client("ssm").put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value=version, Type="String")
    outcome = cdk_bootstrap(ctx)
    assert outcome.ok is ok, outcome.detail
    assert version in outcome.detail


def test_given_no_stack_then_the_deploy_is_a_first_create(make_context: ContextFactory) -> None:
    outcome = stack_state(make_context(template()))
    assert outcome.ok
    assert "first create" in outcome.detail


def test_given_a_complete_stack_then_the_deploy_updates_it(make_context: ContextFactory) -> None:
    ctx = make_context(template())
    body = template(resource("Topic", "AWS::SNS::Topic"))
    client("cloudformation").create_stack(StackName="ProdStack", TemplateBody=json.dumps(body))
    outcome = stack_state(ctx)
    assert outcome.ok
    assert "CREATE_COMPLETE" in outcome.detail


def stack_in(status: str) -> Any:
    cfn, stubber = stub("cloudformation")
    stubber.add_response(
        "describe_stacks",
        {"Stacks": [{"StackName": "ProdStack", "StackStatus": status, "CreationTime": "2026-01-01T00:00:00Z"}]},
    )
    stubber.add_response("list_stack_resources", {"StackResourceSummaries": []})
    stubber.activate()
    return cfn


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        ("ROLLBACK_COMPLETE", "delete-stack --stack-name ProdStack"),
        ("ROLLBACK_FAILED", "delete-stack"),
        ("DELETE_FAILED", "delete it again"),
        ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback"),
        ("REVIEW_IN_PROGRESS", "change set"),
        ("UPDATE_IN_PROGRESS", "wait"),
        ("CREATE_IN_PROGRESS", "wait"),
    ],
)
def test_given_a_stack_cloudformation_cannot_deploy_then_it_fails_with_what_to_do(
    make_context: ContextFactory, status: str, advice: str
) -> None:
    outcome = stack_state(make_context(template(), stubbed={"cloudformation": stack_in(status)}))
    assert not outcome.ok
    assert status in outcome.detail
    assert advice in outcome.detail


def test_given_an_update_rolled_back_then_the_stack_can_be_updated(make_context: ContextFactory) -> None:
    outcome = stack_state(make_context(template(), stubbed={"cloudformation": stack_in("UPDATE_ROLLBACK_COMPLETE")}))
    assert outcome.ok
