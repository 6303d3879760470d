"""What a fresh AWS account would reject, checked on the synthesized templates (issue: first real deploy).

Synth with a concrete account works offline; account singletons live once per account in AccountStack; DevStack
reserves no Lambda concurrency; a failed first create leaves nothing with a fixed name behind; fixed IAM role names
carry the region; and nothing trusts a GitHub owner that is not configured.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from stacks.account_stack import AccountStack
from stacks.assembly import add_platform
from stacks.config import DEV, PROD, EnvironmentConfig
from stacks.nag import register_nag_packs
from stacks.platform_stack import PlatformStack
from tests.infrastructure.conftest import OWNER, resources

ACCOUNT = "111122223333"
# Types whose physical name we fix; each must be disposable on a failed first create (dev: Delete; prod:
# RetainExceptOnCreate), never plain Retain.
NAMED = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::Connect::Instance": "InstanceAlias",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Function": "FunctionName",
}


def assemble(environments: list[EnvironmentConfig], outdir: Path) -> cdk.cloud_assembly_schema.AssemblyManifest:
    app = cdk.App(outdir=str(outdir))
    register_nag_packs(app)
    add_platform(app, environments)
    return app.synth()


@pytest.fixture(scope="module")
def one_account(tmp_path_factory: pytest.TempPathFactory) -> cdk.cx_api.CloudAssembly:
    """Both environments in one concrete account, with an owner: what `cdk synth -c account=... -c github_owner=...`
    builds, every nag pack registered."""
    environments = [c.with_overrides({"account": ACCOUNT, "github_owner": OWNER}) for c in (DEV, PROD)]
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("one-account")))
    register_nag_packs(app)
    add_platform(app, environments)
    return app.synth()


def template_of(assembly: cdk.cx_api.CloudAssembly, stack: str) -> dict[str, Any]:
    return dict(assembly.get_stack_by_name(stack).template)


def test_given_a_concrete_account_then_synth_needs_no_context_lookup(one_account: cdk.cx_api.CloudAssembly) -> None:
    # A lookup would need credentials (the AZ provider); the configured zones are used instead.
    manifest = json.loads((Path(one_account.directory) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest.get("missing") in (None, [])
    for name, config in (("DevStack", DEV), ("ProdStack", PROD)):
        stack = one_account.get_stack_by_name(name)
        assert stack.environment.account == ACCOUNT
        zones = {
            s["Properties"]["AvailabilityZone"]
            for s in resources_of(template_of(one_account, name), "AWS::EC2::Subnet")
        }
        assert zones == set(config.network.availability_zones), name


def resources_of(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def test_given_both_environments_in_one_account_then_its_singletons_exist_once_in_account_stack(
    one_account: cdk.cx_api.CloudAssembly,
) -> None:
    account = template_of(one_account, "AccountStack")
    assert len(resources_of(account, "AWS::IAM::OIDCProvider")) == 1
    (provider,) = resources_of(account, "AWS::IAM::OIDCProvider")
    assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["DeletionPolicy"] == "RetainExceptOnCreate"  # the environments' roles trust it
    assert len(resources_of(account, "AWS::ApiGateway::Account")) == 1
    for name in ("DevStack", "ProdStack"):
        template = template_of(one_account, name)
        assert resources_of(template, "AWS::ApiGateway::Account") == [], name
        # The only provider of an environment is its own cluster's issuer (IRSA), never GitHub's account singleton.
        assert [p["Properties"]["Url"] for p in resources_of(template, "AWS::IAM::OIDCProvider")] == [
            {"Fn::GetAtt": ["EksCluster", "OpenIdConnectIssuerUrl"]}
        ], name
        # `cdk deploy DevStack` deploys AccountStack first: it is a declared dependency, not an export.
        dependencies = {d.id for d in one_account.get_stack_by_name(name).dependencies}
        assert "AccountStack" in dependencies, name
        assert "Fn::ImportValue" not in json.dumps(template), name


def test_given_the_api_gateway_logging_role_then_only_api_gateway_of_this_account_assumes_it(
    one_account: cdk.cx_api.CloudAssembly,
) -> None:
    account = template_of(one_account, "AccountStack")
    (setting,) = resources_of(account, "AWS::ApiGateway::Account")
    role_id = setting["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    (statement,) = account["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_given_environments_in_different_accounts_then_each_account_gets_its_own_singletons(tmp_path: Path) -> None:
    environments = [DEV.with_overrides({"account": "111111111111"}), PROD.with_overrides({"account": "222222222222"})]
    assembly = assemble(environments, tmp_path)
    names = {s.stack_name for s in assembly.stacks}
    assert {"DevAccountStack", "ProdAccountStack"} <= names
    for name in ("DevAccountStack", "ProdAccountStack"):
        template = template_of(assembly, name)
        assert len(resources_of(template, "AWS::IAM::OIDCProvider")) == 1, name
        assert len(resources_of(template, "AWS::ApiGateway::Account")) == 1, name


def test_given_one_account_in_two_regions_then_the_global_iam_provider_is_still_made_once(tmp_path: Path) -> None:
    environments = [
        DEV.with_overrides({"account": ACCOUNT}),
        PROD.with_overrides({"account": ACCOUNT, "region": "ap-northeast-1"}),
    ]
    assembly = assemble(
        [
            replace_zones(environments[0]),
            replace_zones(environments[1], ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")),
        ],
        tmp_path,
    )
    providers = [
        s.stack_name
        for s in assembly.stacks
        if any(
            p["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
            for p in resources_of(dict(s.template), "AWS::IAM::OIDCProvider")
        )
    ]
    api_accounts = [s.stack_name for s in assembly.stacks if resources_of(dict(s.template), "AWS::ApiGateway::Account")]
    assert providers == ["DevAccountStack"]  # IAM is global: one per account
    assert sorted(api_accounts) == ["DevAccountStack", "ProdAccountStack"]  # API Gateway's setting is regional


def replace_zones(config: EnvironmentConfig, zones: tuple[str, ...] | None = None) -> EnvironmentConfig:
    return replace(
        config, network=replace(config.network, availability_zones=zones or config.network.availability_zones)
    )


def test_given_dev_then_no_function_reserves_concurrency_and_prod_keeps_its_reservations(
    dev: Template, prod: Template
) -> None:
    # New accounts can have a quota of 10 and Lambda keeps 100 unreserved: any reservation fails a fresh account.
    dev_functions = resources(dev, "AWS::Lambda::Function").values()
    assert not [f for f in dev_functions if "ReservedConcurrentExecutions" in f["Properties"]]
    reserved = [
        f["Properties"]["ReservedConcurrentExecutions"]
        for f in resources(prod, "AWS::Lambda::Function").values()
        if "ReservedConcurrentExecutions" in f["Properties"]
    ]
    assert sorted(reserved) == sorted(
        [
            PROD.recommendation.api_reserved_concurrency,
            PROD.recommendation.indexer_reserved_concurrency,
            PROD.call_center.lambda_reserved_concurrency,
        ]
    )


def test_given_an_environment_then_nothing_with_a_fixed_name_outlives_a_failed_first_create(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    expected = "RetainExceptOnCreate" if config.data.retain else "Delete"
    for kind, name_property in NAMED.items():
        for logical_id, resource in resources(template, kind).items():
            if name_property not in resource["Properties"]:
                continue
            policy = resource.get("DeletionPolicy", "Delete")
            assert policy in {expected, "Delete"}, (logical_id, policy)  # a plain Retain would block the retry
    kept = [r.get("DeletionPolicy") for r in template.to_json()["Resources"].values()]
    assert "Retain" not in kept


def test_given_an_environment_then_every_fixed_role_name_carries_the_region(
    configured_env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = configured_env_template
    names = [
        r["Properties"]["RoleName"]
        for r in resources(template, "AWS::IAM::Role").values()
        if "RoleName" in r["Properties"]
    ]
    # release, login, order, scraper source and target, rollouts analysis, grafana, and loadgen (issue 12: the load
    # test's report writer)
    assert len(names) == 8
    assert all(name.startswith(f"tlj-{config.name}-") and name.endswith(f"-{config.region}") for name in names)
    assert all(len(name) <= 64 for name in names)


def test_given_no_github_owner_then_nothing_trusts_or_syncs_from_github(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    text = json.dumps(template.to_json())
    assert "github.com" not in text
    assert "token.actions.githubusercontent.com" not in text


def test_given_an_owner_then_every_trust_and_every_argo_cd_source_names_that_owner(
    one_account: cdk.cx_api.CloudAssembly,
) -> None:
    for name in ("DevStack", "ProdStack"):
        text = json.dumps(template_of(one_account, name))
        subjects = set(re.findall(r"repo:([^/\"]+)/", text))
        owners = set(re.findall(r"github\.com/([^/\"\\]+)/", text))
        assert subjects == {OWNER}, name
        assert owners == {OWNER}, name


def test_the_account_stack_is_termination_protected() -> None:
    stack = AccountStack(
        cdk.App(),
        "AccountStack",
        account=None,
        region="ap-northeast-2",
        owns_github_provider=True,
        environments=["DevStack"],
    )
    assert stack.termination_protection is True


def test_given_platform_stacks_then_none_is_its_own_account_singleton_owner() -> None:
    template = Template.from_stack(
        PlatformStack(cdk.App(), "ProdStack", config=PROD.with_overrides({"github_owner": OWNER}))
    )
    urls = [p["Properties"]["Url"] for p in resources(template, "AWS::IAM::OIDCProvider").values()]
    assert "https://token.actions.githubusercontent.com" not in urls
    assert urls == [{"Fn::GetAtt": ["EksCluster", "OpenIdConnectIssuerUrl"]}]  # the cluster's own issuer (IRSA)
    assert resources(template, "AWS::ApiGateway::Account") == {}
