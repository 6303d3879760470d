"""Metrics for release analysis: an encrypted AMP workspace, a scraper of the services' /metrics, and query access
for Argo Rollouts; metrics-server for the HPAs."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
import yaml
from aws_cdk.assertions import Template

from stacks.config import DEV, EnvironmentConfig
from stacks.constructs.metrics import scrape_configuration
from stacks.versions import addon_version
from tests.infrastructure.conftest import only, resources
from tests.infrastructure.iam import actions, allowed, statements, trust

QUERY_ACTIONS = {"aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata"}
WORKSPACE_ARN = json.dumps({"Fn::GetAtt": ["MetricsWorkspace", "Arn"]})


def scraper(template: Template) -> dict:
    _, found = only(template, "AWS::APS::Scraper")
    return dict(found["Properties"])


def test_given_an_environment_then_the_workspace_is_encrypted_with_our_cmk_and_kept_in_prod(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    logical_id, workspace = only(template, "AWS::APS::Workspace")
    assert logical_id == "MetricsWorkspace"
    assert workspace["Properties"]["KmsKeyArn"]["Fn::GetAtt"][0].startswith("EncryptionDataKey")
    assert workspace["DeletionPolicy"] == ("RetainExceptOnCreate" if config.data.retain else "Delete")
    query_url = json.dumps(template.to_json()["Outputs"]["AmpQueryUrl"]["Value"])
    assert "https://aps-workspaces.ap-northeast-2." in query_url
    assert '{"Fn::GetAtt": ["MetricsWorkspace", "WorkspaceId"]}' in query_url


def test_dev_keeps_a_month_of_samples_and_prod_amps_default(dev: Template, prod: Template) -> None:
    # AMP bills stored samples per GB-month; dev needs a month of release history, prod keeps AMP's 150 days.
    _, dev_workspace = only(dev, "AWS::APS::Workspace")
    assert dev_workspace["Properties"]["WorkspaceConfiguration"] == {"RetentionPeriodInDays": 30}
    _, prod_workspace = only(prod, "AWS::APS::Workspace")
    assert "WorkspaceConfiguration" not in prod_workspace["Properties"]
    with pytest.raises(ValueError, match="1 to 1095 days"):
        replace(DEV.metrics, retention_days=2000)


def test_given_the_scraper_then_it_reads_this_cluster_into_this_workspace_from_the_isolated_subnets(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    props = scraper(template)
    assert props["Destination"] == {"AmpConfiguration": {"WorkspaceArn": {"Fn::GetAtt": ["MetricsWorkspace", "Arn"]}}}
    eks = props["Source"]["EksConfiguration"]
    assert eks["ClusterArn"] == {"Fn::GetAtt": ["EksCluster", "Arn"]}
    (group_id,) = (g["Fn::GetAtt"][0] for g in eks["SecurityGroupIds"])
    assert group_id.startswith("MetricsScraperSecurityGroup")  # its own group, not the cluster's
    # NetworkPolicies admit the scraper by the isolated subnets' CIDRs (test_k8s_network_contract.py)
    subnets = {s["Ref"] for s in eks["SubnetIds"]}
    assert len(subnets) == len(config.network.availability_zones) >= 2
    assert all("isolated" in s for s in subnets)


def test_given_the_scrape_configuration_then_only_annotated_pods_of_the_tlj_namespace_are_collected(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    text = base64.b64decode(scraper(template)["ScrapeConfiguration"]["ConfigurationBlob"]).decode()
    assert text == scrape_configuration(config=config.metrics, cluster_name=f"tlj-{config.name}-cluster")
    assert "role: pod" in text
    assert "            - tlj\n" in text  # kubernetes_sd_configs namespaces
    keep_annotated = 'prometheus_io_scrape]\n        action: keep\n        regex: "true"'
    assert keep_annotated in text
    assert "__meta_kubernetes_pod_annotation_prometheus_io_port" in text
    assert "regex: __meta_kubernetes_pod_label_(.+)" in text  # `app`, `rollouts_pod_template_hash` for the analysis
    assert "target_label: namespace" in text
    assert "scrape_interval: 30s" in text
    assert "${" not in text


def test_a_scrape_interval_below_the_managed_collector_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="30"):
        replace(DEV.metrics, scrape_interval_seconds=15)


def test_given_the_cmk_workspace_then_the_scraper_writes_through_a_role_pair_that_only_scrapers_can_use(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    roles = scraper(template)["RoleConfiguration"]
    source_name, target_name = config.role_name("scraper-source"), config.role_name("scraper-target")
    (source_trust,) = trust(template, source_name)
    assert source_trust["Principal"] == {"Service": "scraper.aps.amazonaws.com"}
    assert ":scraper/*" in json.dumps(source_trust["Condition"]["ArnLike"]["aws:SourceArn"])
    assert allowed(template, source_name) == {"sts:AssumeRole": {json.dumps(roles["TargetRoleArn"])}}
    (target_trust,) = trust(template, target_name)
    assert target_trust["Principal"] == {"AWS": roles["SourceRoleArn"]}
    target = allowed(template, target_name)
    assert target["aps:RemoteWrite"] == {WORKSPACE_ARN}
    assert set(target) == {"aps:RemoteWrite", "kms:GenerateDataKey", "kms:Decrypt"}


def test_given_argo_rollouts_then_its_role_may_only_query_the_workspace(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    grants = allowed(template, config.role_name("rollouts-analysis"))
    assert {action for action in grants if action.startswith("aps:")} == QUERY_ACTIONS
    assert all(grants[action] == {WORKSPACE_ARN} for action in QUERY_ACTIONS)
    assert set(grants) == QUERY_ACTIONS | {"kms:Decrypt"}, "read only: no remote write, no workspace changes"


def test_given_the_metrics_role_grants_then_the_cmk_is_usable_only_through_amp(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    for role in ("rollouts-analysis", "scraper-target"):
        key_statements = [s for s in statements(template, config.role_name(role)) if "kms:Decrypt" in actions(s)]
        assert key_statements, role
        for statement in key_statements:
            assert statement["Condition"] == {"StringEquals": {"kms:ViaService": "aps.ap-northeast-2.amazonaws.com"}}


def test_given_an_environment_then_metrics_server_is_an_eks_add_on_at_the_pinned_version(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, addon = only(template, "AWS::EKS::Addon")
    assert addon["Properties"]["AddonName"] == "metrics-server"
    assert addon["Properties"]["AddonVersion"] == addon_version("metrics-server", config.cluster.kubernetes_version)
    assert addon["Properties"]["ClusterName"] == {"Ref": "EksCluster"}


def test_a_kubernetes_version_without_pinned_add_ons_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no metrics-server add-on version pinned for Kubernetes 1\.99"):
        addon_version("metrics-server", "1.99")


def test_given_the_scraper_group_then_it_reaches_only_the_eks_api_and_the_metrics_ports_and_the_cluster_admits_it(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    (group_id,) = (g["Fn::GetAtt"][0] for g in scraper(template)["Source"]["EksConfiguration"]["SecurityGroupIds"])
    group = resources(template, "AWS::EC2::SecurityGroup")[group_id]["Properties"]
    # The services' metrics port (container port `metrics`) and the platform exporters' ports, never the services'
    # API ports 8080/8081 (cAdvisor comes through the API server's node proxy on 443, not a kubelet port).
    assert config.metrics.scrape_ports == (9090,)
    assert config.metrics.platform_scrape_ports == (8085, 8090)
    ports = {443, *config.metrics.scrape_ports, *config.metrics.platform_scrape_ports}
    assert not ports & {8080, 8081, 10250}
    egress = group["SecurityGroupEgress"]
    assert {(rule["FromPort"], rule["ToPort"]) for rule in egress} == {(p, p) for p in ports}
    # Within the VPC only (its CIDR block).
    assert all(rule["IpProtocol"] == "tcp" and rule["CidrIp"]["Fn::GetAtt"][1] == "CidrBlock" for rule in egress)
    assert all(rule["CidrIp"]["Fn::GetAtt"][0].startswith("NetworkVpc") for rule in egress)
    ingress = [
        rule["Properties"]
        for rule in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if rule["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [group_id, "GroupId"]}
    ]
    assert {r["FromPort"] for r in ingress} == ports
    assert all(r["GroupId"] == {"Fn::GetAtt": ["EksCluster", "ClusterSecurityGroupId"]} for r in ingress)


def scrape_jobs(text: str) -> dict[str, dict[str, Any]]:
    return {job["job_name"]: job for job in yaml.safe_load(text)["scrape_configs"]}


def test_given_the_scrape_configuration_then_the_platform_exporters_keep_their_objects_namespace(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # Given the synthesized scraper's configuration
    config, template = env_template
    jobs = scrape_jobs(base64.b64decode(scraper(template)["ScrapeConfiguration"]["ConfigurationBlob"]).decode())
    # Then kube-state-metrics and Argo Rollouts are found as pods of their namespaces, by named container port and
    # exactly the port the security group opens, and their series keep the object's `namespace` (honor_labels)
    for name, namespace, keep in [
        (
            "kube-state-metrics",
            "kube-state-metrics",
            f"kube-state-metrics;http;{config.metrics.kube_state_metrics_port}",
        ),
        ("argo-rollouts", "argo-rollouts", f"argo-rollouts;metrics;{config.metrics.rollouts_metrics_port}"),
    ]:
        job = jobs[name]
        assert job["honor_labels"] is True, name
        (discovery,) = job["kubernetes_sd_configs"]
        assert discovery == {"role": "pod", "namespaces": {"names": [namespace]}}, name
        assert job["relabel_configs"][0]["action"] == "keep"
        assert job["relabel_configs"][0]["regex"] == keep
        assert not any(rule.get("target_label") == "namespace" for rule in job["relabel_configs"]), name
    # And the services' job still labels its series with the pod's namespace (the analysis selects on it)
    assert "honor_labels" not in jobs["tlj-pods"]


def test_given_the_scrape_configuration_then_cadvisor_comes_through_the_api_server_and_keeps_two_series(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    job = scrape_jobs(base64.b64decode(scraper(template)["ScrapeConfiguration"]["ConfigurationBlob"]).decode())[
        "cadvisor"
    ]
    # The only form a managed collector accepts: the API server's name and the service-account bearer token
    assert job["scheme"] == "https"
    assert job["authorization"] == {
        "type": "Bearer",
        "credentials_file": "/var/run/secrets/kubernetes.io/serviceaccount/token",
    }
    relabels = {rule["target_label"]: rule for rule in job["relabel_configs"]}
    assert relabels["__address__"]["replacement"] == "kubernetes.default.svc:443"
    assert relabels["__metrics_path__"]["replacement"] == "/api/v1/nodes/$1/proxy/metrics/cadvisor"
    keep, drop = job["metric_relabel_configs"]
    assert (keep["action"], keep["regex"]) == (
        "keep",
        "container_cpu_usage_seconds_total|container_memory_working_set_bytes",
    )
    assert (drop["source_labels"], drop["action"], drop["regex"]) == (["container"], "drop", "|POD")
