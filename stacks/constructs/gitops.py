"""GitOps: Argo CD on the cluster, and the root Application that makes it reconcile ``k8s/platform/<env>``.

With an IAM Identity Center instance configured, Argo CD is the EKS managed capability (``AWS::EKS::Capability``,
it runs outside the cluster and signs users in through Identity Center); otherwise it is the Argo CD Helm chart
at the version pinned in ``stacks/assets/versions.json``. Either way the root Application is a Kubernetes object,
applied by the cluster's kubectl provider, which runs in the private subnets and so reaches a private endpoint.

Either Argo CD gets the same ``argocd-cm`` settings (``ARGOCD_CM``): a health check for ``argoproj.io/Application``,
without which sync waves between the root's children do nothing (``assets/gitops/application-health.lua``). The
chart takes them as ``configs.cm``; the managed capability reads them from an ``argocd-cm`` ConfigMap that we create
in its namespace, and it supports ``resource.customizations.health.<group>_<kind>`` (EKS user guide, "Configure Argo
CD settings", Supported settings).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct, IDependable

from stacks.config import GitOpsConfig
from stacks.constructs.workload_identity import WebIdentityRole
from stacks.versions import helm_chart

ASSETS = Path(__file__).parent.parent / "assets" / "gitops"
ARGOCD_NAMESPACE = "argocd"
LOCAL_CLUSTER_NAME = "in-cluster"  # what Applications name as their destination
APPLICATION_HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
# The argocd-cm data both Argo CDs get (Helm: configs.cm; managed capability: the argocd-cm ConfigMap).
ARGOCD_CM = {APPLICATION_HEALTH_KEY: (ASSETS / "application-health.lua").read_text(encoding="utf-8")}
_PLACEHOLDER = re.compile(r"\$\{[A-Z_]+\}")  # ours; CDK tokens (${Token[...]}) may be among the values


def json_asset(name: str, **values: str) -> dict[str, Any]:
    """A JSON file of ``ASSETS`` with its ``${KEY}`` placeholders filled in and ``_comment`` keys dropped."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    if _PLACEHOLDER.search(text):
        raise ValueError(f"unfilled placeholder in {ASSETS / name}")
    data: dict[str, Any] = json.loads(text)
    return {key: value for key, value in data.items() if not key.startswith("_")}


class GitOps(Construct):
    """``root_application``; plus ``chart`` (Helm) or ``capability``, ``capability_role`` and ``settings`` (managed).

    ``rollouts_identity`` is the IRSA role of argo-rollouts/argo-rollouts: the root Application writes its ARN into
    the argo-rollouts Application and is applied only once the role and its grants exist.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: GitOpsConfig,
        environment: str,
        repo_url: str | None,
        revision: str,
        cluster: eks.ICluster,
        rollouts_identity: WebIdentityRole,
    ) -> None:
        super().__init__(scope, id_)
        self.chart: eks.HelmChart | None = None
        self.capability: eks.CfnCapability | None = None
        self.root_application: eks.KubernetesManifest | None = None
        self.settings: eks.KubernetesManifest | None = None
        argocd = self._managed_argocd(config, cluster) if config.managed_capability else self._helm_argocd(cluster)
        if repo_url is None:
            # Argo CD runs, but syncs nothing until the operator names the repository (-c github_owner=...).
            cdk.Annotations.of(self).add_warning_v2(
                "tlj:gitops-unconfigured",
                "github_owner is not set: Argo CD is installed but syncs no repository; deploy again with "
                "-c github_owner=<owner> to create the root Application.",
            )
            return
        application = json_asset(
            "root-application.json",
            ARGOCD_NAMESPACE=ARGOCD_NAMESPACE,
            ENVIRONMENT=environment,
            REPO_URL=repo_url,
            REVISION=revision,
            PATH=config.platform_path,
            ROLLOUTS_ROLE_ARN=rollouts_identity.role_arn,
        )
        self.root_application = eks.KubernetesManifest(
            self, "RootApplication", cluster=cluster, manifest=[application], overwrite=True
        )
        # Argo CD syncs argo-rollouts as soon as this exists: its role (and the role's query grants) come first.
        self.root_application.node.add_dependency(argocd, rollouts_identity)

    def _helm_argocd(self, cluster: eks.ICluster) -> IDependable:
        pin = helm_chart("argo-cd")
        self.chart = eks.HelmChart(
            self,
            "ArgoCd",
            cluster=cluster,
            repository=pin.repository,
            chart=pin.chart,
            version=pin.version,
            release="argocd",
            namespace=ARGOCD_NAMESPACE,
            create_namespace=True,
            values=self._chart_values(),
            wait=True,  # the Application CRD must exist before the root Application is applied
            # Below the kubectl handler's own 15-minute Lambda limit, so a slow install fails with Helm's error
            # (and rolls back) instead of the function timing out mid-install (Lambda quotas: 900 s at most).
            timeout=cdk.Duration.minutes(12),
        )
        return self.chart

    @staticmethod
    def _chart_values() -> dict[str, Any]:
        values = json_asset("argocd-values.json")
        # The chart renders configs.cm into argocd-cm beside its own defaults (argo-helm@argo-cd-9.5.14:
        # charts/argo-cd/templates/argocd-configs/argocd-cm.yaml, helper "argo-cd.config.cm").
        configs = values.setdefault("configs", {})
        configs["cm"] = {**configs.get("cm", {}), **ARGOCD_CM}
        return values

    def _managed_argocd(self, config: GitOpsConfig, cluster: eks.ICluster) -> IDependable:
        assert config.identity_center_instance_arn
        stack = cdk.Stack.of(self)
        self.capability_role = iam.Role(
            self,
            "CapabilityRole",
            # Confused-deputy guard: only EKS capabilities of this account may assume it (IAM user guide, "The
            # confused deputy problem": aws:SourceAccount on service principals).
            assumed_by=iam.ServicePrincipal(
                "capabilities.eks.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ).with_session_tags(),
            description="EKS managed Argo CD; public Git repository, so no AWS permission is needed",
        )
        mappings = [
            eks.CfnCapability.ArgoCdRoleMappingProperty(
                role="ADMIN",
                identities=[
                    eks.CfnCapability.SsoIdentityProperty(id=g, type="SSO_GROUP") for g in config.argocd_admin_group_ids
                ],
            )
        ]
        self.capability = eks.CfnCapability(
            self,
            "ArgoCd",
            capability_name="argocd",
            cluster_name=cluster.cluster_name,
            type="ARGOCD",
            role_arn=self.capability_role.role_arn,
            delete_propagation_policy="RETAIN",
            configuration=eks.CfnCapability.CapabilityConfigurationProperty(
                argo_cd=eks.CfnCapability.ArgoCdProperty(
                    aws_idc=eks.CfnCapability.AwsIdcProperty(
                        idc_instance_arn=config.identity_center_instance_arn, idc_region=config.identity_center_region
                    ),
                    namespace=ARGOCD_NAMESPACE,
                    rbac_role_mappings=mappings if config.argocd_admin_group_ids else None,
                )
            ),
        )
        # EKS gives the capability role an access entry but no Kubernetes permission, and does not register the
        # local cluster (EKS user guide, "Register target clusters"). The platform's Applications install CRDs,
        # namespaces and cluster RBAC (Argo Rollouts), so Argo CD gets cluster-admin, as the chart's controller has.
        local_cluster = eks.KubernetesManifest(
            self,
            "LocalCluster",
            cluster=cluster,
            overwrite=True,
            manifest=[
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {
                        "name": LOCAL_CLUSTER_NAME,
                        "namespace": ARGOCD_NAMESPACE,
                        "labels": {"argocd.argoproj.io/secret-type": "cluster"},
                    },
                    "stringData": {"name": LOCAL_CLUSTER_NAME, "server": cluster.cluster_arn, "project": "default"},
                },
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": {"name": "argocd-capability-cluster-admin"},
                    "roleRef": {
                        "apiGroup": "rbac.authorization.k8s.io",
                        "kind": "ClusterRole",
                        "name": "cluster-admin",
                    },
                    "subjects": [
                        {
                            "apiGroup": "rbac.authorization.k8s.io",
                            "kind": "Group",
                            "name": f"eks-access-entry:{self.capability_role.role_arn}",
                        }
                    ],
                },
            ],
        )
        local_cluster.node.add_dependency(self.capability)
        # The capability reads the settings it supports from argocd-cm in its namespace, labelled as upstream's
        # (EKS user guide, "Configure Argo CD settings"); created before the root Application, so the first sync's
        # waves already see the Application health check.
        self.settings = eks.KubernetesManifest(
            self,
            "Settings",
            cluster=cluster,
            overwrite=True,
            manifest=[
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {
                        "name": "argocd-cm",
                        "namespace": ARGOCD_NAMESPACE,
                        "labels": {"app.kubernetes.io/part-of": "argocd"},
                    },
                    "data": ARGOCD_CM,
                }
            ],
        )
        self.settings.node.add_dependency(self.capability)
        local_cluster.node.add_dependency(self.settings)
        return local_cluster
