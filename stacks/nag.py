"""cdk-nag registration and the helper that records an accepted finding with its reason."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks
from constructs import IConstruct

if TYPE_CHECKING:
    from stacks.constructs.grafana import Grafana

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


def acknowledge_kubectl_provider(provider: IConstruct) -> None:
    """Findings on the kubectl/helm custom-resource provider that ``aws_eks_v2.Cluster`` builds: CDK-owned code
    (handler, framework function and their roles) that we configure but do not write."""
    stack = cdk.Stack.of(provider)
    handler = provider.node.find_child("Handler")
    handler_function = handler.node.default_child
    condition = handler.node.find_child("HasEcrPublic")
    assert isinstance(handler_function, cdk.CfnResource)
    assert isinstance(condition, cdk.CfnCondition)
    ecr_public_arn = [
        "arn:",
        {"Ref": "AWS::Partition"},
        ":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly",
    ]
    ecr_public_policy = json.dumps(
        {"Fn::If": [stack.get_logical_id(condition), {"Fn::Join": ["", ecr_public_arn]}, {"Ref": "AWS::NoValue"}]},
        separators=(",", ":"),
    )
    acknowledge(
        [provider],
        [
            *managed_policy_findings(
                ["service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole"]
            ),
            f"AwsSolutions::AwsSolutions-IAM4[Policy::{ecr_public_policy}]",
        ],
        "aws_eks_v2's kubectl provider attaches these AWS managed policies itself: logging, the ENIs it needs in the "
        "private subnets, and read access to public ECR for Helm charts published as OCI images.",
    )
    acknowledge(
        [provider],
        [
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{stack.get_logical_id(handler_function)}.Arn>:*]",
            "NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
        ],
        "CDK's custom-resource framework may invoke versions of exactly one function, the kubectl handler; CDK writes "
        "that grant and eks:DescribeCluster on this cluster as the provider roles' default policies.",
    )
    acknowledge(
        [provider],
        [
            "AwsSolutions::AwsSolutions-L1",
            "Serverless::Serverless-LambdaLatestVersion",
        ],
        "aws-cdk-lib chooses the kubectl handler's Python runtime (the newest its bundled handler is built for); it "
        "moves forward when aws-cdk-lib is upgraded, never by editing CDK's own function.",
    )
    acknowledge(
        [provider],
        [
            "Serverless::Serverless-LambdaDLQ",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency",
            "Serverless::Serverless-LambdaTracing",
            "Serverless::Serverless-LambdaDefaultMemorySize",
        ],
        "CloudFormation invokes these provider functions synchronously during a deployment and rolls back on "
        "failure, so a DLQ would stay empty, reserved concurrency would only shrink the account pool, and traces "
        "would show only CDK's own relay code; CDK sizes the framework function itself.",
    )


# checkov reads skips from a resource's Metadata: {"checkov": {"skip": [{"id": ..., "comment": ...}]}}.
CDK_PROVIDER_CHECKOV_SKIPS = {
    "CKV_AWS_115": "CDK's own custom-resource provider runs once per deployment; a concurrency reservation "
    "would only take capacity from the account pool.",
    "CKV_AWS_116": "Invoked synchronously by CloudFormation, which reports and rolls back on failure; a DLQ "
    "would never receive anything.",
    "CKV_AWS_117": "It calls only the EC2 control-plane API (to empty the default security group) and touches no "
    "VPC resource; running it in the VPC would add ENIs and a NAT dependency for nothing.",
}
# Why each of CDK's singleton providers needs no VPC (CKV_AWS_117), by the provider's construct id.
CDK_PROVIDER_OUTSIDE_VPC = {
    "Custom::VpcRestrictDefaultSGCustomResourceProvider": CDK_PROVIDER_CHECKOV_SKIPS["CKV_AWS_117"],
    "Custom::S3AutoDeleteObjectsCustomResourceProvider": "It calls only the S3 API, to empty this stack's own "
    "bucket before CloudFormation deletes it; running it in the VPC would add ENIs and a NAT dependency for nothing.",
    "AWSCDKCfnUtilsProviderCustomResourceProvider": "CfnJson's provider calls no AWS API and reaches no network: it "
    "hands CloudFormation back the JSON object it was given (the IRSA condition keys), so a VPC would add nothing.",
}


# aws_eks_v2's kubectl provider (handler + framework function): in the VPC already, so CKV_AWS_117 passes.
KUBECTL_PROVIDER_CHECKOV_SKIPS = {
    "CKV_AWS_115": CDK_PROVIDER_CHECKOV_SKIPS["CKV_AWS_115"],
    "CKV_AWS_116": CDK_PROVIDER_CHECKOV_SKIPS["CKV_AWS_116"],
    "CKV_AWS_173": "CDK sets only non-secret settings here (the STS endpoint mode, the handler's function ARN); "
    "Lambda encrypts environment variables at rest with its service key regardless.",
}


def skip_checkov_on_cdk_providers(stack: cdk.Stack) -> None:
    """Record checkov skips, with reasons, on the Lambda handlers that CDK itself adds as custom-resource providers."""
    for node in stack.node.find_all():
        if not (isinstance(node, cdk.CfnResource) and node.cfn_resource_type == "AWS::Lambda::Function"):
            continue
        if "CustomResourceProvider" in node.node.path:
            providers = [p for p in CDK_PROVIDER_OUTSIDE_VPC if f"/{p}/" in node.node.path]
            if len(providers) != 1:
                raise ValueError(f"{node.node.path}: say in CDK_PROVIDER_OUTSIDE_VPC why it may run outside the VPC")
            skips = {**CDK_PROVIDER_CHECKOV_SKIPS, "CKV_AWS_117": CDK_PROVIDER_OUTSIDE_VPC[providers[0]]}
        elif "/KubectlProvider/" in node.node.path:
            skips = KUBECTL_PROVIDER_CHECKOV_SKIPS
        else:
            continue
        node.add_metadata("checkov", {"skip": [{"id": k, "comment": v} for k, v in skips.items()]})


def acknowledge_grafana(grafana: Grafana) -> None:
    """Findings on the Managed Grafana workspace role, its provisioner Lambda and CDK's Provider framework."""
    stack = cdk.Stack.of(grafana)
    provisioning = grafana.provisioning
    function = provisioning.function
    cfn_function = function.node.default_child
    assert isinstance(cfn_function, cdk.CfnResource)
    account = "<AWS::AccountId>" if cdk.Token.is_unresolved(stack.account) else stack.account
    partition = "<AWS::Partition>" if cdk.Token.is_unresolved(stack.partition) else stack.partition
    acknowledge(
        [grafana.role],
        ["AwsSolutions::AwsSolutions-IAM5[Resource::*]"],
        "The CloudWatch data source's reads are those of AmazonGrafanaCloudWatchAccess: GetMetricData, ListMetrics, "
        "GetMetricStatistics and tag:GetResources have no resource type (Service Authorization Reference), and the "
        "alarm reads serve any alarm a dashboard shows. All are reads; AMP and KMS rights name their ARNs.",
    )
    role = function.role
    base_policy = provisioning.node.find_child("FunctionBasePolicy")  # the Lambda factory's
    acknowledge(
        [*([role] if role is not None else []), provisioning.policy, base_policy],
        [
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:{partition}:ec2:{stack.region}:{account}:*/*]",
        ],
        "'*' only where the Service Authorization Reference has no resource type: X-Ray trace writes, the EC2 "
        "Describe calls of a VPC function, and the IAM Identity Center reads UpdatePermissions needs for groups "
        "(AWSGrafanaWorkspacePermissionManagementV2). The service-account calls name this one workspace.",
    )
    acknowledge(
        [role] if role is not None else [],
        ["NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy"],
        "The only inline statement is the X-Ray write CDK adds for active tracing; everything the provisioner may do "
        "to the workspace is in its own managed policy.",
    )
    acknowledge(
        [function],
        [
            "Serverless::Serverless-LambdaDLQ",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency",
        ],
        "CloudFormation's Provider framework invokes the provisioner synchronously during deployments only and "
        "reports its failure back, which rolls the deployment back: a DLQ would stay empty, and a concurrency "
        "reservation would only take capacity from the account pool.",
    )
    acknowledge(
        [provisioning.provider],
        [
            *managed_policy_findings(["service-role/AWSLambdaBasicExecutionRole"]),
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{stack.get_logical_id(cfn_function)}.Arn>:*]",
            "NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC",
            "Serverless::Serverless-LambdaDLQ",
            "Serverless::Serverless-LambdaDefaultMemorySize",
            "Serverless::Serverless-LambdaTracing",
        ],
        "CDK's Provider framework is CDK's own relay: it may invoke versions of exactly the provisioner and answers "
        "CloudFormation's pre-signed URL, during deployments only (synchronous, failures roll back). It touches no VPC "
        "resource, so it runs outside the VPC; the provisioner that calls Grafana runs inside it.",
    )
