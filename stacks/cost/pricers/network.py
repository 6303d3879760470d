"""NAT gateways, their public addresses, and interface VPC endpoints (one ENI per subnet, billed per AZ-hour)."""

from __future__ import annotations

from typing import Any

from stacks.cost.model import FIXED, USAGE, CostError, Line
from stacks.cost.pricers.context import Context, line

CATEGORY = "network"


def nat_gateway(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    kind = resource["Type"]
    gb = ctx.usage.number("network", "nat_gb_per_gateway_month")
    return [
        line(logical_id, kind, "NAT gateway hours", FIXED, CATEGORY, ctx.hourly(1, "NAT", "nat_gateway_hour")),
        line(logical_id, kind, "NAT data processed", USAGE, CATEGORY, ctx.charge(gb, "GB", "nat_gateway_gb")),
    ]


def elastic_ip(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return [
        line(
            logical_id,
            resource["Type"],
            "public IPv4 address",
            FIXED,
            CATEGORY,
            ctx.hourly(1, "IP", "public_ipv4_hour"),
        )
    ]


def vpc_endpoint(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    properties = resource.get("Properties", {})
    endpoint_type = properties.get("VpcEndpointType", "Gateway")
    if endpoint_type == "Gateway":
        return []  # gateway endpoints (S3, DynamoDB) are free: AWS PrivateLink pricing covers interface endpoints only
    if endpoint_type != "Interface":
        raise CostError(f"{logical_id}: VPC endpoint type {endpoint_type!r} is not priced (only Interface and Gateway)")
    subnets = properties.get("SubnetIds") or []
    if not subnets:
        raise CostError(f"{logical_id}: an interface endpoint without SubnetIds cannot be counted per AZ")
    gb = ctx.usage.number("network", "interface_endpoint_gb_month")
    kind = resource["Type"]
    return [
        line(
            logical_id,
            kind,
            "interface endpoint AZ-hours",
            FIXED,
            CATEGORY,
            ctx.hourly(
                len(subnets), "AZs" if len(subnets) != 1 else "AZ", "interface_endpoint_az_hour", show_count=True
            ),
        ),
        line(
            logical_id, kind, "interface endpoint data", USAGE, CATEGORY, ctx.charge(gb, "GB", "interface_endpoint_gb")
        ),
    ]


PRICERS = {
    "AWS::EC2::NatGateway": nat_gateway,
    "AWS::EC2::EIP": elastic_ip,
    "AWS::EC2::VPCEndpoint": vpc_endpoint,
}
