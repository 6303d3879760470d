"""cdk-nag registration and the helper that records an accepted finding with its reason."""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks
from constructs import IConstruct

# The AWS managed policies that EKS Auto Mode documents for its cluster role and its node role.
EKS_AUTO_MODE_CLUSTER_POLICIES = (
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
)
EKS_AUTO_MODE_NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly")


def register_nag_packs(app: cdk.App) -> None:
    """AwsSolutions, Serverless and NIST 800-53 rev 5, verbose so every finding names its resource."""
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True),
        ServerlessChecks(app, verbose=True),
        NIST80053R5Checks(app, verbose=True),
    )


def acknowledge(scopes: Iterable[IConstruct], rule_ids: Iterable[str], reason: str) -> None:
    """Accept ``rule_ids`` on each scope (and its children). ``reason`` must say why, for a reviewer."""
    if len(reason.split()) < 8:
        raise ValueError(f"an acknowledgment needs a real reason, got {reason!r}")
    rules = [cdk.Acknowledgment(id=rule_id, reason=reason) for rule_id in rule_ids]
    for scope in scopes:
        cdk.Validations.of(scope).acknowledge(*rules)


def managed_policy_findings(policy_names: Iterable[str]) -> list[str]:
    return [f"AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{n}]" for n in policy_names]


# checkov reads skips from a resource's Metadata: {"checkov": {"skip": [{"id": ..., "comment": ...}]}}.
CDK_PROVIDER_CHECKOV_SKIPS = {
    "CKV_AWS_115": "CDK's own custom-resource provider runs once per deployment; a concurrency reservation "
    "would only take capacity from the account pool.",
    "CKV_AWS_116": "Invoked synchronously by CloudFormation, which reports and rolls back on failure; a DLQ "
    "would never receive anything.",
    "CKV_AWS_117": "It calls only the EC2 control-plane API (to empty the default security group) and touches no "
    "VPC resource; running it in the VPC would add ENIs and a NAT dependency for nothing.",
}


def skip_checkov_on_cdk_providers(stack: cdk.Stack) -> None:
    """Record checkov skips, with reasons, on the Lambda handlers that CDK itself adds as custom-resource providers."""
    for node in stack.node.find_all():
        if (
            isinstance(node, cdk.CfnResource)
            and node.cfn_resource_type == "AWS::Lambda::Function"
            and "CustomResourceProvider" in node.node.path
        ):
            node.add_metadata(
                "checkov", {"skip": [{"id": k, "comment": v} for k, v in CDK_PROVIDER_CHECKOV_SKIPS.items()]}
            )
