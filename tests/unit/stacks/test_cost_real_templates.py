"""The estimator on the real DevStack and ProdStack templates, synthesized as `make synth` does (no totals pinned:
the templates change, the invariants do not)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import aws_cdk as cdk
import pytest

from stacks.assembly import add_platform
from stacks.config import DEV, PROD
from stacks.cost import assembly, estimate, tables
from stacks.cost.__main__ import K8S_DIR
from stacks.cost.model import FIXED, StackEstimate
from stacks.cost.pricers import PRICERS


@pytest.fixture(scope="module")
def cdk_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    add_platform(app, [DEV, PROD])
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def estimates(cdk_out: Path) -> dict[str, StackEstimate]:
    _, result = estimate.estimate(assembly.load(cdk_out), k8s_dir=K8S_DIR)
    return {e.name: e for e in result}


def test_every_resource_type_of_every_template_is_priced_or_declared_free(cdk_out: Path) -> None:
    free = tables.load_prices("ap-northeast-2").free
    for stack in assembly.load(cdk_out):
        kinds = {r["Type"] for r in stack.template["Resources"].values()}
        assert kinds - set(PRICERS) - set(free) == set(), stack.name


def test_the_estimates_have_no_unpriced_type_and_totals_are_the_sum_of_their_lines(
    estimates: dict[str, StackEstimate],
) -> None:
    assert set(estimates) == {"AccountStack", "DevStack", "ProdStack"}
    for e in estimates.values():
        assert e.unpriced == {}
        assert e.monthly_usd == pytest.approx(sum(line.monthly_usd for line in e.lines))
        assert 0 <= e.fixed_usd <= e.monthly_usd
        assert all(line.basis for line in e.lines)


def test_prod_costs_more_than_dev_fixed_and_in_total(estimates: dict[str, StackEstimate]) -> None:
    assert estimates["ProdStack"].fixed_usd > estimates["DevStack"].fixed_usd
    assert estimates["ProdStack"].monthly_usd > estimates["DevStack"].monthly_usd
    assert estimates["AccountStack"].monthly_usd == 0  # an OIDC provider, a role, API Gateway's account setting


def test_counts_follow_the_templates(cdk_out: Path, estimates: dict[str, StackEstimate]) -> None:
    for stack in assembly.load(cdk_out):
        if stack.name == "AccountStack":
            continue
        resources = stack.template["Resources"]
        kinds = Counter(r["Type"] for r in resources.values())
        lines = Counter(line.name for line in estimates[stack.name].lines)
        assert lines["NAT gateway hours"] == kinds["AWS::EC2::NatGateway"]
        assert lines["KMS key"] == kinds["AWS::KMS::Key"]
        assert lines["alarm"] == kinds["AWS::CloudWatch::Alarm"]
        assert lines["log ingestion and storage"] == kinds["AWS::Logs::LogGroup"]
        interface = {
            lid: r
            for lid, r in resources.items()
            if r["Type"] == "AWS::EC2::VPCEndpoint" and r["Properties"].get("VpcEndpointType") == "Interface"
        }
        assert lines["interface endpoint AZ-hours"] == len(interface)
        for lid, endpoint in interface.items():
            (hours,) = [
                line
                for line in estimates[stack.name].lines
                if line.logical_id == lid and line.name == "interface endpoint AZ-hours"
            ]
            assert hours.basis.startswith(f"{len(endpoint['Properties']['SubnetIds'])} AZ")


def test_the_cluster_brings_its_nodes_and_the_ingress_alb(estimates: dict[str, StackEstimate]) -> None:
    for name in ("DevStack", "ProdStack"):
        lines = estimates[name].lines
        kinds = {line.type for line in lines if line.logical_id.startswith("EksCluster")}
        assert {"AWS::EKS::Cluster", "AWS::EC2::Instance", "AWS::ElasticLoadBalancingV2::LoadBalancer"} <= kinds
        (nodes,) = [line for line in lines if line.type == "AWS::EC2::Instance"]
        assert nodes.kind == FIXED
        assert "pods at their minimum" in nodes.basis
        assert "k8s/overlays/" in nodes.basis
    prod_nodes = next(line for line in estimates["ProdStack"].lines if line.type == "AWS::EC2::Instance")
    dev_nodes = next(line for line in estimates["DevStack"].lines if line.type == "AWS::EC2::Instance")
    assert prod_nodes.monthly_usd >= dev_nodes.monthly_usd


def test_the_price_table_is_dated_and_sourced_and_every_unconfirmed_price_says_where_it_comes_from() -> None:
    prices = tables.load_prices("ap-northeast-2")
    assert prices.as_of
    for price in prices.prices.values():
        assert price.source.startswith("https://aws.amazon.com/")
        assert price.read
        assert price.unit
        assert price.confirmed or price.note, price.key
