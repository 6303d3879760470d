"""The EKS cluster: Auto Mode, private subnets, audited, secrets encrypted, endpoint access per environment."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from stacks.config import DEV, PROD, ClusterConfig, EnvironmentConfig
from stacks.platform_stack import PlatformStack
from tests.infrastructure.conftest import only, resources


def cluster_props(template: Template) -> dict:
    logical_id, cluster = only(template, "AWS::EKS::Cluster")
    assert logical_id == "EksCluster"
    return cluster["Properties"]


def test_given_an_environment_then_the_cluster_runs_auto_mode_on_private_subnets(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    props = cluster_props(template)
    assert props["Version"] == config.cluster.kubernetes_version
    assert props["ComputeConfig"]["Enabled"] is True
    assert set(props["ComputeConfig"]["NodePools"]) == {"system", "general-purpose"}
    assert props["KubernetesNetworkConfig"]["ElasticLoadBalancing"]["Enabled"] is True
    subnet_ids = {s["Ref"] for s in props["ResourcesVpcConfig"]["SubnetIds"]}
    assert subnet_ids
    assert all("private" in s for s in subnet_ids)


def test_given_an_environment_then_control_plane_logging_covers_api_audit_and_authenticator(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    enabled = {t["Type"] for t in cluster_props(template)["Logging"]["ClusterLogging"]["EnabledTypes"]}
    assert {"api", "audit", "authenticator"} <= enabled
    groups = [g["Properties"] for g in resources(template, "AWS::Logs::LogGroup").values()]
    (control_plane,) = [g for g in groups if g.get("LogGroupName") == f"/aws/eks/tlj-{config.name}-cluster/cluster"]
    assert control_plane["RetentionInDays"] == config.cluster.log_retention_days
    assert "KmsKeyId" in control_plane


def test_given_an_environment_then_kubernetes_secrets_are_encrypted_with_a_rotating_key(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    (encryption,) = cluster_props(template)["EncryptionConfig"]
    assert encryption["Resources"] == ["secrets"]
    key_id = encryption["Provider"]["KeyArn"]["Fn::GetAtt"][0]
    assert template.to_json()["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True


def test_given_prod_then_the_api_endpoint_is_private_only(prod: Template) -> None:
    access = cluster_props(prod)["ResourcesVpcConfig"]
    assert access["EndpointPrivateAccess"] is True
    assert access["EndpointPublicAccess"] is False


def test_given_dev_then_the_public_endpoint_is_limited_to_the_configured_cidrs(dev: Template) -> None:
    access = cluster_props(dev)["ResourcesVpcConfig"]
    assert access["EndpointPrivateAccess"] is True
    assert access["EndpointPublicAccess"] is True
    assert access["PublicAccessCidrs"] == list(DEV.cluster.public_access_cidrs)
    assert "0.0.0.0/0" not in access["PublicAccessCidrs"]


def test_given_prod_with_admin_cidrs_then_its_public_endpoint_opens_only_to_them() -> None:
    config = PROD.with_overrides({"public_access_cidrs": "203.0.113.0/24, 198.51.100.7/32"})
    template = Template.from_stack(PlatformStack(cdk.App(), "ProdStack", config=config))
    access = cluster_props(template)["ResourcesVpcConfig"]
    assert access["EndpointPublicAccess"] is True
    assert access["PublicAccessCidrs"] == ["203.0.113.0/24", "198.51.100.7/32"]


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_an_api_endpoint_open_to_the_internet_is_refused(cidr: str) -> None:
    with pytest.raises(ValueError, match="must not be open"):
        ClusterConfig(kubernetes_version="1.34", public_access_cidrs=(cidr,), admin_role_arn=None, log_retention_days=7)


def operator_access_entries(template: Template) -> list[dict]:
    """Access entries for principals from outside the stack (the kubectl provider's own role is in the stack)."""
    return [
        entry
        for entry in resources(template, "AWS::EKS::AccessEntry").values()
        if "Fn::GetAtt" not in entry["Properties"]["PrincipalArn"]
    ]


def test_given_an_admin_role_then_it_gets_a_cluster_admin_access_entry() -> None:
    role = "arn:aws:iam::111122223333:role/PlatformAdmin"
    config = DEV.with_overrides({"admin_role_arn": role})
    template = Template.from_stack(PlatformStack(cdk.App(), "DevStack", config=config))
    (entry,) = operator_access_entries(template)
    assert entry["Properties"]["PrincipalArn"] == role
    (policy,) = entry["Properties"]["AccessPolicies"]
    assert ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" in json.dumps(policy["PolicyArn"])
    assert policy["AccessScope"]["Type"] == "cluster"


def test_given_no_admin_role_then_no_access_entry_is_made(dev: Template) -> None:
    assert operator_access_entries(dev) == []
