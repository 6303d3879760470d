"""EKS Pod Identity: one least-privilege IAM role per Kubernetes service account, associated with it by EKS.

The Pod Identity agent is built into EKS Auto Mode (EKS user guide, "Set up the Amazon EKS Pod Identity
Agent"), so no add-on is installed, and an association needs no kubectl: ``AWS::EKS::PodIdentityAssociation``.
The roles start empty; the composition root grants them exactly the tables, keys and secrets they use.
"""

from __future__ import annotations

from collections.abc import Callable

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
