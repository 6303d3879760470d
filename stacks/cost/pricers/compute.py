"""The EKS cluster: its control-plane hour, the Auto Mode nodes the minimum pods need, and the ALB of the Ingress.

Nodes and the ALB are not in the template (EKS Auto Mode launches both), so they are lines of the cluster with a
basis naming where their count comes from: the rendered overlays' HPA minimums and Ingresses.
"""

from __future__ import annotations

from typing import Any

from stacks.cost.model import FIXED, USAGE, Line
from stacks.cost.pricers.context import Context, amount, line
from stacks.cost.workloads import nodes_needed

CATEGORY = "compute"
ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def zones(ctx: Context) -> int:
    return len(
        {r.get("Properties", {}).get("AvailabilityZone") for r in ctx.of_type("AWS::EC2::Subnet").values()} - {None}
    )


def cluster(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    kind = resource["Type"]
    lines = [line(logical_id, kind, "EKS control plane", FIXED, CATEGORY, ctx.hourly(1, "cluster", "eks_cluster_hour"))]
    if resource.get("Properties", {}).get("ComputeConfig", {}).get("Enabled"):
        lines += auto_mode_nodes(ctx, logical_id, kind)
    lines += load_balancers(ctx, logical_id)
    return lines


def auto_mode_nodes(ctx: Context, logical_id: str, kind: str) -> list[Line]:
    node = ctx.usage.get("cluster", "node")
    workloads = ctx.workloads
    count = nodes_needed(
        workloads,
        allocatable_cpu_m=ctx.usage.number("cluster", "node", "allocatable_cpu_m"),
        allocatable_memory_mi=ctx.usage.number("cluster", "node", "allocatable_memory_mi"),
        zones=zones(ctx),
    )
    instance = str(node["instance_type"])
    spread = ", spread over zones" if workloads.spread_by_zone else ""
    pods = (
        f"{workloads.count} pods at their minimum ({amount(workloads.cpu_m)}m CPU,"
        f" {amount(round(workloads.memory_mi))} MiB requested, {workloads.source}{spread})"
    )
    what = f"{instance} nodes for {pods}"
    volume_gb = ctx.usage.number("cluster", "node", "root_volume_gb")
    return [
        line(
            f"{logical_id}/Nodes",
            "AWS::EC2::Instance",
            f"{instance} nodes launched by EKS Auto Mode",
            FIXED,
            CATEGORY,
            ctx.hourly(count, what, str(node["instance_price"])),
            ctx.hourly(count, "Auto Mode fee", str(node["auto_mode_price"])),
        ),
        line(
            f"{logical_id}/Nodes",
            "AWS::EC2::Volume",
            "node root volumes",
            FIXED,
            CATEGORY,
            ctx.charge(count * volume_gb, f"GB ({count} x {amount(volume_gb)} GB gp3)", "ebs_gp3_gb_month"),
        ),
    ]


def load_balancers(ctx: Context, logical_id: str) -> list[Line]:
    lines = []
    lcus = ctx.usage.number("cluster", "alb_average_lcus")
    # an internet-facing ALB takes one node (and one public IPv4) in each subnet tagged kubernetes.io/role/elb=1,
    # the tag the load balancer controller discovers subnets by (EKS user guide, "Tag subnets for load balancers")
    public_subnets = [
        r
        for r in ctx.of_type("AWS::EC2::Subnet").values()
        if {"Key": "kubernetes.io/role/elb", "Value": "1"} in r.get("Properties", {}).get("Tags", [])
    ]
    for name in ctx.workloads.load_balancers:
        alb_id = f"{logical_id}/ALB ({name})"
        lines += [
            line(
                alb_id,
                ALB,
                f"ALB hours, made by EKS Auto Mode for {name}",
                FIXED,
                CATEGORY,
                ctx.hourly(1, "ALB", "alb_hour"),
                ctx.hourly(len(public_subnets), "public IPv4 (one per public subnet)", "public_ipv4_hour"),
            ),
            line(
                alb_id, ALB, f"ALB capacity units for {name}", USAGE, CATEGORY, ctx.hourly(lcus, "LCU", "alb_lcu_hour")
            ),
        ]
    return lines


PRICERS = {"AWS::EKS::Cluster": cluster}
