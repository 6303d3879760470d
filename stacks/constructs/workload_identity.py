"""Workload identity: one least-privilege IAM role per Kubernetes service account.

EKS Pod Identity for the services: the agent is built into EKS Auto Mode (EKS user guide, "Set up the Amazon EKS
Pod Identity Agent"), so no add-on is installed, and an association needs no kubectl:
``AWS::EKS::PodIdentityAssociation``. IAM roles for service accounts (IRSA) only where a workload's AWS SDK cannot
read Pod Identity credentials (``WebIdentityRole``). The roles start empty; the composition root grants them exactly
the tables, keys and secrets they use.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import jsii
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.constructs.grantable_role import GrantableRole

# Session tags EKS Pod Identity sets when it assumes a role (EKS user guide, "pod-id-abac").
_TAG = "aws:RequestTag/{}"


@jsii.implements(iam.IGrantable)
class PodIdentity(Construct):
    """A role that only pods of ``namespace/service_account`` on ``cluster`` can assume, and its association."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.ICluster,
        namespace: str,
        service_account: str,
        role_name: str,
    ) -> None:
        super().__init__(scope, id_)
        self.namespace = namespace
        self.service_account = service_account
        trust = iam.ServicePrincipal(
            "pods.eks.amazonaws.com",
            conditions={
                "StringEquals": {
                    _TAG.format("eks-cluster-arn"): cluster.cluster_arn,
                    _TAG.format("kubernetes-namespace"): namespace,
                    _TAG.format("kubernetes-service-account"): service_account,
                }
            },
        ).with_session_tags()
        self.role = GrantableRole(
            self,
            "Role",
            assumed_by=trust,
            role_name=role_name,
            description=f"Pods of service account {namespace}/{service_account}",
        )
        self.association = eks.CfnPodIdentityAssociation(
            self,
            "Association",
            cluster_name=cluster.cluster_name,
            namespace=namespace,
            service_account=service_account,
            role_arn=self.role.role_arn,
        )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self.role.grant_principal


@jsii.implements(iam.IGrantable)
class WebIdentityRole(Construct):
    """IRSA: a role that only tokens of ``namespace/service_account`` issued by the cluster's OIDC provider can assume.

    The pods get it from the service-account annotation ``eks.amazonaws.com/role-arn`` (set by whoever creates the
    service account; no EKS association). Trust as in the EKS user guide, "Assign IAM roles to Kubernetes service
    accounts": ``sts:AssumeRoleWithWebIdentity`` from the provider, ``<issuer>:sub`` =
    ``system:serviceaccount:<namespace>:<name>`` and ``<issuer>:aud`` = ``sts.amazonaws.com``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        provider: iam.IOpenIdConnectProvider,
        namespace: str,
        service_account: str,
        role_name: str,
    ) -> None:
        super().__init__(scope, id_)
        self.namespace = namespace
        self.service_account = service_account
        issuer = provider.open_id_connect_provider_issuer
        # The condition keys name the issuer, known only once the cluster exists: CloudFormation resolves no
        # intrinsic in a key, so CfnJson builds the object at deploy time (what aws_eks_v2.ServiceAccount does).
        conditions = cdk.CfnJson(
            self,
            "Conditions",
            value={
                f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                f"{issuer}:aud": "sts.amazonaws.com",
            },
        )
        self.role = GrantableRole(
            self,
            "Role",
            assumed_by=iam.OpenIdConnectPrincipal(provider).with_conditions({"StringEquals": conditions}),
            role_name=role_name,
            description=f"Pods of service account {namespace}/{service_account} (IRSA)",
        )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self.role.grant_principal

    @property
    def role_arn(self) -> str:
        return self.role.role_arn


class WorkloadIdentity(Construct):
    """The identities of the platform's services in namespace ``tlj``: ``login`` and ``order``.

    Grants are made by the composition root. ``login`` is also where the recommendation API's
    ``execute-api:Invoke`` goes (``login.grant_principal.add_to_principal_policy(...)``).
    """

    def __init__(
        self, scope: Construct, id_: str, *, cluster: eks.ICluster, role_name: Callable[[str], str], namespace: str
    ) -> None:
        super().__init__(scope, id_)
        self.login = PodIdentity(
            self, "Login", cluster=cluster, namespace=namespace, service_account="login", role_name=role_name("login")
        )
        self.order = PodIdentity(
            self, "Order", cluster=cluster, namespace=namespace, service_account="order", role_name=role_name("order")
        )
