"""The preflight reads what will be deployed from the synthesized template, literals only."""

from __future__ import annotations

from stacks.preflight import template
from tests.integration.preflight.templates import BOOTSTRAP, function, resource
from tests.integration.preflight.templates import template as build


def test_given_literal_and_token_names_then_only_the_literal_names_are_fixed() -> None:
    body = build(
        resource("Orders", "AWS::DynamoDB::Table", TableName="tlj-prod-orders"),
        resource("Generated", "AWS::DynamoDB::Table"),
        resource("Joined", "AWS::Logs::LogGroup", LogGroupName={"Fn::Join": ["", ["/aws/", {"Ref": "X"}]]}),
        resource("Alias", "AWS::KMS::Alias", AliasName="alias/tlj-prod/data", TargetKeyId={"Ref": "Key"}),
        resource("Queue", "AWS::SQS::Queue", QueueName="not-a-checked-type"),
    )
    assert template.fixed_names(body) == [
        template.FixedName("AWS::DynamoDB::Table", "Orders", "tlj-prod-orders"),
        template.FixedName("AWS::KMS::Alias", "Alias", "alias/tlj-prod/data"),
    ]


def test_given_three_reserving_functions_then_the_total_is_their_sum_and_unnamed_ones_keep_their_logical_id() -> None:
    body = build(function("Api", "tlj-prod-api", 50), function("Indexer", None, 4), function("Plain", "tlj-p"))
    assert template.total_reserved_concurrency(body) == 54
    assert [(r.logical_id, r.function_name) for r in template.reservations(body)] == [
        ("Api", "tlj-prod-api"),
        ("Indexer", None),
    ]


def test_given_no_reservation_then_the_total_is_zero() -> None:
    assert template.total_reserved_concurrency(build(function("Api", "tlj-dev-api"))) == 0


def test_given_dynamic_references_and_ssm_parameters_then_each_parameter_name_is_listed_once() -> None:
    layer = "{{resolve:ssm:/aws/service/powertools/python/arm64/python3.14/3.37.0}}"
    body = build(
        resource("B", "AWS::Lambda::Function", Layers=[layer]),
        resource("C", "AWS::Lambda::Function", Layers=[layer], Description="{{resolve:ssm:/tlj/x:3}}"),
        **BOOTSTRAP,
    )
    assert template.ssm_references(body) == [
        "/aws/service/powertools/python/arm64/python3.14/3.37.0",
        "/cdk-bootstrap/hnb659fds/version",
        "/tlj/x:3",
    ]


def test_given_a_cluster_and_addons_then_the_version_and_pinned_addons_are_read() -> None:
    body = build(
        resource("Cluster", "AWS::EKS::Cluster", Name="tlj-prod-cluster", Version="1.34"),
        resource("Metrics", "AWS::EKS::Addon", AddonName="metrics-server", AddonVersion="v0.8.1-eksbuild.5"),
        resource("Unpinned", "AWS::EKS::Addon", AddonName="coredns"),
    )
    assert template.eks_cluster_version(body) == "1.34"
    assert template.eks_addons(body) == [template.Addon("metrics-server", "v0.8.1-eksbuild.5")]


def test_given_no_cluster_then_there_is_no_version() -> None:
    assert template.eks_cluster_version(build()) is None


def test_given_subnets_then_their_literal_zones_are_listed_once_and_sorted() -> None:
    body = build(
        resource("B", "AWS::EC2::Subnet", AvailabilityZone="ap-northeast-2b"),
        resource("A", "AWS::EC2::Subnet", AvailabilityZone="ap-northeast-2a"),
        resource("A2", "AWS::EC2::Subnet", AvailabilityZone="ap-northeast-2a"),
        resource("T", "AWS::EC2::Subnet", AvailabilityZone={"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
    )
    assert template.availability_zones(body) == ["ap-northeast-2a", "ap-northeast-2b"]


def test_given_a_connect_instance_then_its_alias_is_read_by_logical_id() -> None:
    body = build(resource("CallCenterInstance", "AWS::Connect::Instance", InstanceAlias="tlj-prod-bakery-calls"))
    assert template.connect_aliases(body) == {"CallCenterInstance": "tlj-prod-bakery-calls"}


def test_given_cdks_bootstrap_rule_then_the_minimum_is_one_above_the_refused_versions() -> None:
    assert template.bootstrap_requirement(build(**BOOTSTRAP)) == ("/cdk-bootstrap/hnb659fds/version", 6)


def test_given_a_rule_with_only_a_description_then_the_described_version_is_the_minimum() -> None:
    rules = {
        "CheckBootstrapVersion": {"Assertions": [{"AssertDescription": "CDK bootstrap stack version 21 required"}]}
    }
    assert template.bootstrap_requirement(build(Rules=rules))[1] == 21


def test_given_no_bootstrap_rule_then_version_6_of_the_default_qualifier_is_assumed() -> None:
    assert template.bootstrap_requirement(build()) == ("/cdk-bootstrap/hnb659fds/version", 6)


def test_given_a_github_oidc_provider_then_it_is_recognised_by_its_url_only() -> None:
    github = build(resource("P", "AWS::IAM::OIDCProvider", Url="https://token.actions.githubusercontent.com"))
    other = build(resource("P", "AWS::IAM::OIDCProvider", Url="https://oidc.eks.example.com"))
    assert template.declares_github_oidc_provider(github)
    assert not template.declares_github_oidc_provider(other)
    assert not template.declares_github_oidc_provider(None)
