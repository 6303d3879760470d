"""The VPC of each environment matches ARCHITECTURE's table and never overlaps the other."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import replace
from itertools import combinations
from typing import Any

import pytest
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
    assert "execute-api" in interface_services  # the private REST API has no other way in
    assert all(e["Properties"]["PrivateDnsEnabled"] for e in interface)


def test_prod_reaches_aws_apis_privately_and_dev_through_its_nat_gateway(dev: Template, prod: Template) -> None:
    # Prod keeps ECR, STS and CloudWatch Logs off the NAT gateways; dev (issue 16) pays for no endpoint its NAT
    # gateway can stand in for: execute-api remains (the private REST API's only way in) and Grafana's two (the
    # provisioner Lambda, like every function of ours, may reach nothing but DynamoDB and the endpoints).
    def interface_services(template: Template) -> set[str]:
        # ServiceName is com.amazonaws.<region>.<service> (possibly inside a Fn::Join): keep <service>
        return {
            ".".join(json.dumps(e["Properties"]["ServiceName"]).strip('"]').split(".")[3:])
            for e in resources(template, "AWS::EC2::VPCEndpoint").values()
            if e["Properties"].get("VpcEndpointType") == "Interface"
        }

    assert {"ecr.api", "ecr.dkr", "sts", "logs", "execute-api"} <= interface_services(prod)
    assert interface_services(dev) == {"execute-api", "grafana", "grafana-workspace"}
    assert set(DEV.network.interface_endpoints) < set(PROD.network.interface_endpoints)


def test_given_an_environment_then_every_interface_endpoint_sits_in_its_endpoint_zones_only(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    subnets = resources(template, "AWS::EC2::Subnet")
    interface = [
        e["Properties"]
        for e in resources(template, "AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Interface"
    ]
    assert interface
    for endpoint in interface:
        placed = [subnets[ref["Ref"]]["Properties"] for ref in endpoint["SubnetIds"]]
        assert [s["AvailabilityZone"] for s in placed] == list(config.network.endpoint_availability_zones)
        # the isolated subnets (10.x.96.0/24 and on), never the pods' private ones
        assert all(any(t == {"Key": "aws-cdk:subnet-type", "Value": "Isolated"} for t in s["Tags"]) for s in placed)


def test_dev_places_its_endpoints_in_the_zone_of_its_one_nat_gateway_and_prod_in_every_zone(
    dev: Template,
) -> None:
    # One NAT gateway already ties dev's AWS calls to its zone: endpoints there alone add no new dependency.
    subnets = resources(dev, "AWS::EC2::Subnet")
    _, nat = only(dev, "AWS::EC2::NatGateway")
    assert (subnets[nat["Properties"]["SubnetId"]["Ref"]]["Properties"]["AvailabilityZone"],) == (
        DEV.network.endpoint_availability_zones
    )
    assert PROD.network.endpoint_availability_zones == PROD.network.availability_zones


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"endpoint_zones": 0}, "endpoint_zones must be 1..2"),
        ({"endpoint_zones": 3}, "endpoint_zones must be 1..2"),
        ({"endpoint_zones": 1, "nat_gateways": 2}, "zone dependency"),
    ],
)
def test_given_endpoint_zones_out_of_range_or_fewer_than_the_nat_gateways_then_config_refuses(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        replace(DEV.network, **changes)


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
