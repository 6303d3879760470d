"""Print a readable summary of the synthesized stacks: ``python -m stacks.summary cdk.out``.

It reads only the cloud assembly (templates and metadata), so it shows what would really be deployed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, kw_only=True)
class StackSummary:
    name: str
    cidr: str
    availability_zones: list[str]
    nat_gateways: int
    cluster_version: str
    cluster_mode: str
    endpoint: str
    tables: list[str]
    resource_counts: Counter[str]
    acknowledgments: dict[str, str]  # rule id -> reason
    acknowledged_scopes: Counter[str]  # rule id -> how many constructs acknowledge it

    def render(self) -> str:
        lines = [
            f"== {self.name}",
            f"   VPC {self.cidr} across {len(self.availability_zones)} AZs ({', '.join(self.availability_zones)}),"
            f" {self.nat_gateways} NAT gateway(s)",
            f"   EKS {self.cluster_version}, {self.cluster_mode}, API endpoint {self.endpoint}",
            f"   Tables: {', '.join(self.tables)}",
            f"   {sum(self.resource_counts.values())} resources:",
        ]
        for kind, count in sorted(self.resource_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"     {count:3d}  {kind}")
        lines.append(f"   {len(self.acknowledgments)} acknowledged rules (construct scopes in brackets):")
        for rule, reason in sorted(self.acknowledgments.items()):
            short = reason if len(reason) <= 100 else reason[:99] + "…"
            name = rule.split("::", 1)[-1].replace("Policy::arn:<AWS::Partition>:iam::aws:policy/", "")
            lines.append(f"     - {name} [{self.acknowledged_scopes[rule]}]: {short}")
        return "\n".join(lines)


def _resources_of(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in template["Resources"].values() if r["Type"] == kind]


def summarize(assembly: Path, stack: str) -> StackSummary:
    template = json.loads((assembly / f"{stack}.template.json").read_text())
    metadata = json.loads((assembly / f"{stack}.metadata.json").read_text())
    (vpc,) = _resources_of(template, "AWS::EC2::VPC")
    (cluster,) = _resources_of(template, "AWS::EKS::Cluster")
    subnets = _resources_of(template, "AWS::EC2::Subnet")
    access = cluster.get("ResourcesVpcConfig", {})
    public = access.get("EndpointPublicAccess", True)
    endpoint = "private only"
    if public:
        endpoint = f"private + public from {', '.join(access.get('PublicAccessCidrs', ['0.0.0.0/0']))}"
    mode = "Auto Mode" if cluster.get("ComputeConfig", {}).get("Enabled") else "managed node groups"
    acknowledgments: dict[str, str] = {}
    scopes: Counter[str] = Counter()
    for entries in metadata.values():
        for entry in entries:
            if entry.get("type") == "aws:cdk:acknowledged-rules":
                acknowledgments.update(entry["data"])
                scopes.update(entry["data"].keys())
    return StackSummary(
        name=stack,
        cidr=vpc["CidrBlock"],
        availability_zones=sorted({s["AvailabilityZone"] for s in subnets}),
        nat_gateways=len(_resources_of(template, "AWS::EC2::NatGateway")),
        cluster_version=cluster["Version"],
        cluster_mode=mode,
        endpoint=endpoint,
        tables=sorted(t["TableName"] for t in _resources_of(template, "AWS::DynamoDB::Table")),
        resource_counts=Counter(r["Type"] for r in template["Resources"].values()),
        acknowledgments=acknowledgments,
        acknowledged_scopes=scopes,
    )


def main(argv: list[str]) -> int:
    assembly = Path(argv[0] if argv else "cdk.out")
    for stack in ("DevStack", "ProdStack"):
        print(summarize(assembly, stack).render())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
