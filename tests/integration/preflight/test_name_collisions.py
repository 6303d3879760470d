"""name_collisions on moto: every fixed physical name the template sets, against what already exists."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import pytest

from stacks.preflight.checks.names import name_collisions
from tests.integration.preflight.conftest import MOTO_ACCOUNT, ContextFactory, client
from tests.integration.preflight.templates import resource, template

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})  # fmt: skip
TABLE_PROPS = {
    "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
}


def table(name: str) -> None:
    client("dynamodb").create_table(TableName=name, **TABLE_PROPS)


def repository(name: str) -> None:
    client("ecr").create_repository(repositoryName=name)


def log_group(name: str) -> None:
    client("logs").create_log_group(logGroupName=name)


def secret(name: str) -> None:
    client("secretsmanager").create_secret(Name=name, SecretString="x")


def role(name: str) -> None:
    client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)


def vault(name: str) -> None:
    client("backup").create_backup_vault(BackupVaultName=name)


def function(name: str) -> None:
    role("fn-role")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=f"arn:aws:iam::{MOTO_ACCOUNT}:role/fn-role",
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )


def alias(name: str) -> None:
    key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    client("kms").create_alias(AliasName=name, TargetKeyId=key)


def cluster(name: str) -> None:
    role("eks-role")
    client("eks").create_cluster(
        name=name, roleArn=f"arn:aws:iam::{MOTO_ACCOUNT}:role/eks-role", resourcesVpcConfig={"subnetIds": []}
    )


def web_acl(name: str) -> None:
    client("wafv2").create_web_acl(
        Name=name,
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"},
    )


CASES: list[tuple[str, str, str, str, Callable[[str], None]]] = [
    ("AWS::DynamoDB::Table", "TableName", "tlj-prod-customers", "DynamoDB table", table),
    ("AWS::ECR::Repository", "RepositoryName", "tlj-prod-login", "ECR repository", repository),
    ("AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/tlj-prod-call-center", "log group", log_group),
    ("AWS::SecretsManager::Secret", "Name", "tlj-prod/login/signing-key", "secret", secret),
    ("AWS::IAM::Role", "RoleName", "tlj-prod-login", "IAM role", role),
    ("AWS::Backup::BackupVault", "BackupVaultName", "tlj-prod-vault", "backup vault", vault),
    ("AWS::Lambda::Function", "FunctionName", "tlj-prod-call-center", "Lambda function", function),
    ("AWS::KMS::Alias", "AliasName", "alias/tlj-prod/data", "KMS alias", alias),
    ("AWS::EKS::Cluster", "Name", "tlj-prod-cluster", "EKS cluster", cluster),
    ("AWS::WAFv2::WebACL", "Name", "tlj-prod-recommendations", "WAF web ACL", web_acl),
]


@pytest.mark.parametrize(("type_", "prop", "name", "label", "create"), CASES, ids=[c[3] for c in CASES])
def test_given_a_resource_with_the_templates_name_and_no_stack_then_it_is_a_collision(
    make_context: ContextFactory, type_: str, prop: str, name: str, label: str, create: Callable[[str], None]
) -> None:
    ctx = make_context(template(resource("Fixed", type_, **{prop: name})))
    create(name)
    outcome = name_collisions(ctx)
    assert not outcome.ok
    assert f"{label} {name}" in outcome.detail
    assert "ProdStack does not exist" in outcome.detail


@pytest.mark.parametrize(("type_", "prop", "name", "label", "create"), CASES, ids=[c[3] for c in CASES])
def test_given_a_similar_but_different_name_then_there_is_no_collision(
    make_context: ContextFactory, type_: str, prop: str, name: str, label: str, create: Callable[[str], None]
) -> None:
    ctx = make_context(template(resource("Fixed", type_, **{prop: name})))
    create(f"{name}-old")  # same prefix: a log group prefix search must still match exactly
    assert name_collisions(ctx).ok


def test_given_nothing_exists_then_no_fixed_name_is_taken(make_context: ContextFactory) -> None:
    body = template(*(resource(f"R{i}", t, **{p: n}) for i, (t, p, n, _, _) in enumerate(CASES)))
    outcome = name_collisions(make_context(body))
    assert outcome.ok
    assert f"none of the {len(CASES)} fixed names" in outcome.detail


def test_given_a_secret_scheduled_for_deletion_then_its_name_is_reserved_and_the_fix_is_named(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(template(resource("Key", "AWS::SecretsManager::Secret", Name="tlj-prod/login/signing-key")))
    secret("tlj-prod/login/signing-key")
    client("secretsmanager").delete_secret(SecretId="tlj-prod/login/signing-key", RecoveryWindowInDays=7)
    outcome = name_collisions(ctx)
    assert not outcome.ok
    assert "scheduled for deletion" in outcome.detail
    assert "restore-secret" in outcome.detail
    assert "--force-delete-without-recovery" in outcome.detail


def deployed_prod_stack() -> None:
    """ProdStack as CloudFormation holds it: the customers table under logical ID CustomersTable."""
    body = template(resource("CustomersTable", "AWS::DynamoDB::Table", TableName="tlj-prod-customers", **TABLE_PROPS))
    client("cloudformation").create_stack(StackName="ProdStack", TemplateBody=json.dumps(body))


def test_given_the_stack_owns_the_resource_under_the_same_logical_id_then_it_is_not_a_collision(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(template(resource("CustomersTable", "AWS::DynamoDB::Table", TableName="tlj-prod-customers")))
    deployed_prod_stack()
    assert name_collisions(ctx).ok


def test_given_the_stack_holds_the_name_under_another_logical_id_then_a_new_resource_would_collide(
    make_context: ContextFactory,
) -> None:
    ctx = make_context(template(resource("RenamedTable", "AWS::DynamoDB::Table", TableName="tlj-prod-customers")))
    deployed_prod_stack()
    outcome = name_collisions(ctx)
    assert not outcome.ok
    assert "ProdStack does not own them" in outcome.detail


def test_given_a_template_without_fixed_names_then_there_is_nothing_to_check(make_context: ContextFactory) -> None:
    assert name_collisions(make_context(template(resource("T", "AWS::DynamoDB::Table")))).ok
