"""The CIDRs in the overlays' NetworkPolicies are the synthesized VPC's subnets, and never the pods' own.

Pods get addresses from the private subnets (EKS Auto Mode nodes live there), and an ipBlock matches pod
addresses too. So an ipBlock that overlaps a private subnet would admit every pod in the cluster, whatever the
podSelector rules say. The ALB is named by the public subnets and the AMP scraper by the isolated subnets (the
CDK app must place the scraper's interfaces there); these tests hold the two sides of that contract together.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from aws_cdk.assertions import Template

from k8s.manifests import Manifest
from stacks.config import EnvironmentConfig
from tests.infrastructure.conftest import resources

Network = ipaddress.IPv4Network


def subnets(template: Template, subnet_type: str) -> set[Network]:
    """CIDRs of the VPC's subnets of one CDK subnet type (Public, Private, Isolated)."""
    found = set()
    for subnet in resources(template, "AWS::EC2::Subnet").values():
        tags = {tag["Key"]: tag["Value"] for tag in subnet["Properties"]["Tags"]}
        if tags["aws-cdk:subnet-type"] == subnet_type:
            found.add(ipaddress.IPv4Network(subnet["Properties"]["CidrBlock"]))
    assert found, f"the VPC has no {subnet_type} subnets"
    return found


def policy(documents: list[Manifest], name: str) -> dict[str, Any]:
    (spec,) = [d["spec"] for d in documents if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == name]
    return dict(spec)


def ip_blocks(rules: list[dict[str, Any]], key: str) -> Iterator[dict[str, Any]]:
    for rule in rules:
        for peer in rule.get(key, []):
            if "ipBlock" in peer:
                yield peer["ipBlock"]


def cidrs(rules: list[dict[str, Any]], key: str = "from") -> set[Network]:
    return {ipaddress.IPv4Network(block["cidr"]) for block in ip_blocks(rules, key)}


def test_given_an_environment_then_the_alb_is_admitted_from_exactly_its_public_subnets(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    config, template = env_template
    admitted = cidrs(policy(overlays[config.name], "login-ingress-from-alb")["ingress"])
    assert admitted == subnets(template, "Public")


def test_given_an_environment_then_the_scraper_is_admitted_from_exactly_its_isolated_subnets(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    config, template = env_template
    for name in ("login-metrics-from-scraper", "order-metrics-from-scraper"):
        assert cidrs(policy(overlays[config.name], name)["ingress"]) == subnets(template, "Isolated"), name


def test_given_an_environment_then_no_ingress_ip_block_overlaps_the_pod_subnets(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    config, template = env_template
    pod_subnets = subnets(template, "Private")
    policies = [d for d in overlays[config.name] if d["kind"] == "NetworkPolicy"]
    for block in ip_blocks([rule for p in policies for rule in p["spec"].get("ingress", [])], "from"):
        admitted = ipaddress.IPv4Network(block["cidr"])
        excepted = [ipaddress.IPv4Network(cidr) for cidr in block.get("except", [])]
        for pods in pod_subnets:
            assert not admitted.overlaps(pods) or any(pods.subnet_of(e) for e in excepted), (
                f"ingress from {admitted} admits the pod subnet {pods}"
            )


def test_given_an_environment_then_https_egress_skips_the_vpc_except_its_interface_endpoints(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    config, template = env_template
    (vpc,) = resources(template, "AWS::EC2::VPC").values()
    egress = policy(overlays[config.name], "aws-apis-egress")["egress"]
    (https,) = [rule for rule in egress if rule["ports"] == [{"protocol": "TCP", "port": 443}]]
    blocks = {block["cidr"]: block for block in ip_blocks([https], "to")}
    assert blocks.pop("0.0.0.0/0")["except"] == [vpc["Properties"]["CidrBlock"]]
    assert {ipaddress.IPv4Network(cidr) for cidr in blocks} == subnets(template, "Isolated")


def test_given_an_environment_then_the_scraper_interfaces_are_placed_in_the_isolated_subnets(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    all_subnets = resources(template, "AWS::EC2::Subnet")
    (scraper,) = resources(template, "AWS::APS::Scraper").values()
    refs = scraper["Properties"]["Source"]["EksConfiguration"]["SubnetIds"]
    placed = {ipaddress.IPv4Network(all_subnets[ref["Ref"]]["Properties"]["CidrBlock"]) for ref in refs}
    assert placed == subnets(template, "Isolated")


def test_given_an_environment_then_pods_annotate_their_metrics_port_and_the_scraper_reaches_only_that_port(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    # Given the rendered overlay and the stack's scraper ports (MetricsConfig.scrape_ports)
    config, _ = env_template
    documents = overlays[config.name]
    workloads = [d for d in documents if d["kind"] in {"Deployment", "Rollout"}]
    assert {w["metadata"]["name"] for w in workloads} == {"login", "order"}
    for workload in workloads:
        template = workload["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        (container,) = template["spec"]["containers"]
        named = {port["name"]: port["containerPort"] for port in container["ports"]}
        # Then each pod asks to be scraped on its container port named `metrics`, one the scraper may reach,
        # which is not its API port
        assert int(annotations["prometheus.io/port"]) == named["metrics"] == 9090, workload["metadata"]["name"]
        assert (named["metrics"],) == config.metrics.scrape_ports
        assert named["http"] != named["metrics"]
    # And the NetworkPolicies admit the scraper on that port only
    for name in ("login-metrics-from-scraper", "order-metrics-from-scraper"):
        (rule,) = policy(documents, name)["ingress"]
        assert [p["port"] for p in rule["ports"]] == list(config.metrics.scrape_ports), name


def test_given_an_environment_then_no_egress_ip_block_reaches_the_pod_subnets(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    # An egress ipBlock over a private subnet would let its pods open connections to every pod by address,
    # around the podSelector rules (the release check's, the gateway's)
    config, template = env_template
    pod_subnets = subnets(template, "Private")
    policies = [d for d in overlays[config.name] if d["kind"] == "NetworkPolicy"]
    for block in ip_blocks([rule for p in policies for rule in p["spec"].get("egress", [])], "to"):
        allowed = ipaddress.IPv4Network(block["cidr"])
        excepted = [ipaddress.IPv4Network(cidr) for cidr in block.get("except", [])]
        for pods in pod_subnets:
            assert not allowed.overlaps(pods) or any(pods.subnet_of(e) for e in excepted), (
                f"egress to {allowed} reaches the pod subnet {pods}"
            )


def test_given_an_environment_then_the_release_check_reaches_pods_by_label_only_and_no_address_at_all(
    env_template: tuple[EnvironmentConfig, Template], overlays: dict[str, list[Manifest]]
) -> None:
    # The release check (the release-smoke AnalysisTemplate's Job, pods app=release-check) has no AWS role: none of
    # its egress names an address (no VPC endpoint, no NAT, no internet), and no ipBlock admits anything to it
    config, _ = env_template
    documents = overlays[config.name]
    (metric,) = next(d for d in documents if d["metadata"]["name"] == "release-smoke")["spec"]["metrics"]
    labels = metric["provider"]["job"]["spec"]["template"]["metadata"]["labels"]
    selecting = [
        d
        for d in documents
        if d["kind"] == "NetworkPolicy"
        and all(labels.get(k) == v for k, v in d["spec"]["podSelector"].get("matchLabels", {}).items())
        and all(
            (labels.get(e["key"]) in e["values"]) == (e["operator"] == "In")
            for e in d["spec"]["podSelector"].get("matchExpressions", [])
        )
    ]
    names = {d["metadata"]["name"] for d in selecting}
    assert {"default-deny-all", "allow-dns-egress", "release-check-egress"} <= names
    assert "aws-apis-egress" not in names
    for policy_doc in selecting:
        spec = policy_doc["spec"]
        assert not list(ip_blocks(spec.get("egress", []), "to")), policy_doc["metadata"]["name"]
        assert not list(ip_blocks(spec.get("ingress", []), "from")), policy_doc["metadata"]["name"]
    # And the pods it may reach by label are the services' API ports, which the scraper's subnets never are
    check_egress = policy(documents, "release-check-egress")["egress"]
    assert sorted(port["port"] for rule in check_egress for port in rule["ports"]) == [8080, 8081]
    assert not set(config.metrics.scrape_ports) & {8080, 8081}
