"""The VPC of each environment matches ARCHITECTURE's table and never overlaps the other."""

from __future__ import annotations

import ipaddress
from itertools import combinations

from aws_cdk.assertions import Match, Template

from stacks.config import DEV, ENVIRONMENTS, PROD, EnvironmentConfig
from tests.infrastructure.conftest import only, resources


def test_given_the_environments_then_their_cidrs_are_the_documented_ones_and_never_overlap() -> None:
    assert DEV.network.cidr == "10.10.0.0/16"
    assert PROD.network.cidr == "10.20.0.0/16"
    for a, b in combinations(ENVIRONMENTS, 2):
        assert not ipaddress.ip_network(a.network.cidr).overlaps(ipaddress.ip_network(b.network.cidr))


def test_given_an_environment_when_synthesized_then_vpc_azs_and_nat_gateways_follow_config(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, vpc = only(template, "AWS::EC2::VPC")
    assert vpc["Properties"]["CidrBlock"] == config.network.cidr
    azs = {s["Properties"]["AvailabilityZone"] for s in resources(template, "AWS::EC2::Subnet").values()}
    assert azs == set(config.network.availability_zones)
    assert len(resources(template, "AWS::EC2::NatGateway")) == config.network.nat_gateways
    # public, private and isolated subnets in every AZ
    assert len(resources(template, "AWS::EC2::Subnet")) == 3 * len(config.network.availability_zones)


def test_dev_is_smaller_than_prod() -> None:
    assert (len(DEV.network.availability_zones), DEV.network.nat_gateways) == (2, 1)
    assert (len(PROD.network.availability_zones), PROD.network.nat_gateways) == (3, 3)


def test_given_an_environment_then_all_traffic_flow_logs_go_to_an_encrypted_log_group_with_retention(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, flow_log = only(template, "AWS::EC2::FlowLog")
    assert flow_log["Properties"]["TrafficType"] == "ALL"
    assert flow_log["Properties"]["LogDestinationType"] == "cloud-watch-logs"
    group_id = flow_log["Properties"]["LogGroupName"]["Ref"]
    group = template.to_json()["Resources"][group_id]["Properties"]
    assert group["RetentionInDays"] == config.network.flow_log_retention_days
    assert "KmsKeyId" in group


def test_prod_keeps_flow_logs_three_months_or_more_and_dev_one_week() -> None:
    assert DEV.network.flow_log_retention_days == 7
    assert PROD.network.flow_log_retention_days >= 90


def test_given_an_environment_then_dynamodb_and_s3_have_gateway_endpoints_and_aws_apis_interface_endpoints(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    endpoints = resources(template, "AWS::EC2::VPCEndpoint").values()
    gateway = [e for e in endpoints if e["Properties"].get("VpcEndpointType", "Gateway") == "Gateway"]
    interface = [e for e in endpoints if e["Properties"].get("VpcEndpointType") == "Interface"]
    gateway_services = {str(e["Properties"]["ServiceName"]) for e in gateway}
    assert any("dynamodb" in s for s in gateway_services)
    assert any("s3" in s for s in gateway_services)
    interface_services = " ".join(str(e["Properties"]["ServiceName"]) for e in interface)
    for service in ("ecr.api", "ecr.dkr", "sts", "logs"):
        assert service in interface_services
    assert all(e["Properties"]["PrivateDnsEnabled"] for e in interface)


def test_given_public_subnets_then_nothing_gets_a_public_ip_automatically_and_albs_can_find_them(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    template.has_resource_properties(
        "AWS::EC2::Subnet",
        {
            "MapPublicIpOnLaunch": False,
            "Tags": Match.array_with([{"Key": "kubernetes.io/role/elb", "Value": "1"}]),
        },
    )
    for subnet in resources(template, "AWS::EC2::Subnet").values():
        assert subnet["Properties"].get("MapPublicIpOnLaunch") is not True


def test_given_an_environment_then_the_default_security_group_is_emptied_at_deploy(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    (restrict,) = resources(template, "Custom::VpcRestrictDefaultSG").values()
    assert restrict["Properties"]["DefaultSecurityGroupId"] == {
        "Fn::GetAtt": ["NetworkVpc7FB7348F", "DefaultSecurityGroup"]
    }
