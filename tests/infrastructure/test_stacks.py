"""Stack-wide properties: tags, termination protection, stable IDs, and the cdk-nag gate itself."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from stacks.config import DEV, PROD, EnvironmentConfig
from stacks.nag import acknowledge, register_nag_packs
from stacks.platform_stack import PlatformStack
from stacks.summary import summarize

STATEFUL_IDS = {
    "NetworkVpc7FB7348F": "AWS::EC2::VPC",
    "CustomersTable": "AWS::DynamoDB::Table",
    "CatalogTable": "AWS::DynamoDB::Table",
    "OrdersTable": "AWS::DynamoDB::Table",
    "EksCluster": "AWS::EKS::Cluster",
}


def test_given_an_environment_then_stateful_resources_keep_their_logical_ids(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # A changed logical ID makes CloudFormation replace the resource: data loss for a table, an outage for the rest.
    _, template = env_template
    found = template.to_json()["Resources"]
    for logical_id, kind in STATEFUL_IDS.items():
        assert found.get(logical_id, {}).get("Type") == kind, logical_id


@pytest.mark.parametrize("kind", ["AWS::EC2::VPC", "AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::EC2::Subnet"])
def test_given_an_environment_then_resources_carry_project_and_environment_tags(
    env_template: tuple[EnvironmentConfig, Template], kind: str
) -> None:
    config, template = env_template
    for logical_id, resource in template.find_resources(kind).items():
        tags = {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}
        assert tags.get("project") == "tlj", logical_id
        assert tags.get("environment") == config.name, logical_id


def test_given_the_cluster_then_it_is_tagged_too(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    (cluster,) = template.find_resources("AWS::EKS::Cluster").values()
    tags = {t["Key"]: t["Value"] for t in cluster["Properties"]["Tags"]}
    assert tags["environment"] == config.name


def test_only_prod_has_termination_protection() -> None:
    app = cdk.App()
    assert PlatformStack(app, "ProdStack", config=PROD).termination_protection is True
    assert PlatformStack(app, "DevStack", config=DEV).termination_protection is False


def test_given_context_overrides_then_account_region_and_admin_values_are_applied() -> None:
    config = PROD.with_overrides({"account": "111122223333", "region": "ap-northeast-1", "admin_role_arn": ""})
    assert (config.account, config.region, config.cluster.admin_role_arn) == ("111122223333", "ap-northeast-1", None)
    assert PROD.account is None  # the module-level config is never mutated


def test_given_the_nag_packs_when_a_construct_breaks_a_rule_then_synth_fails() -> None:
    # Given an app with the three packs and a bucket that breaks AwsSolutions-S1 (no access logs) among others
    app = cdk.App()
    register_nag_packs(app)
    stack = cdk.Stack(app, "Broken")
    s3.Bucket(stack, "Bucket")
    # When it is synthesized, then validation fails and names the rule
    with pytest.raises(RuntimeError, match="ValidationFailed") as failure:
        app.synth()
    assert "AwsSolutions::AwsSolutions-S1'" in str(failure.value)
    assert "NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS" in str(failure.value)


def test_given_the_platform_without_its_acknowledgments_then_synth_fails_on_exactly_those_rules(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Given the acknowledgments switched off, the findings they accept come back: none of them is dead weight
    monkeypatch.setattr(PlatformStack, "_acknowledge_findings", lambda self: None)
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk.out")))
    register_nag_packs(app)
    PlatformStack(app, "DevStack", config=DEV)
    with pytest.raises(RuntimeError) as failure:
        app.synth()
    report = str(failure.value)
    assert "NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW" in report
    assert "AmazonEKSComputePolicy" in report
    assert "NIST.800.53.R5-DynamoDBInBackupPlan" in report  # dev keeps no vault on purpose
    assert "NIST.800.53.R5-LambdaConcurrency" in report  # dev reserves nothing on purpose


def test_an_acknowledgment_without_a_real_reason_is_refused() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValueError, match="real reason"):
        acknowledge([stack], ["AwsSolutions::AwsSolutions-IAM4"], "accepted")


def test_given_both_stacks_with_every_nag_pack_then_they_synthesize_with_no_unacknowledged_finding(
    assembly_dir: Path,
) -> None:
    assert (assembly_dir / "DevStack.template.json").is_file()
    assert (assembly_dir / "ProdStack.template.json").is_file()


def test_given_the_assembly_then_every_acknowledgment_is_recorded_with_its_reason(assembly_dir: Path) -> None:
    for stack in ("DevStack", "ProdStack"):
        acknowledged = summarize(assembly_dir, stack).acknowledgments
        ours = {rule: reason for rule, reason in acknowledged.items() if rule.startswith(("AwsSolutions", "NIST"))}
        assert any("VPCNoUnrestrictedRouteToIGW" in rule for rule in ours)
        assert all(len(reason.split()) >= 8 for reason in ours.values())


def test_given_the_assembly_then_the_summary_shows_each_environment(assembly_dir: Path) -> None:
    dev = summarize(assembly_dir, "DevStack").render()
    prod = summarize(assembly_dir, "ProdStack").render()
    assert "VPC 10.10.0.0/16 across 2 AZs" in dev
    assert "1 NAT gateway(s)" in dev
    assert "VPC 10.20.0.0/16 across 3 AZs" in prod
    assert "3 NAT gateway(s)" in prod
    assert "API endpoint private only" in prod
    assert "Auto Mode" in prod
    assert "tlj-prod-orders" in prod
