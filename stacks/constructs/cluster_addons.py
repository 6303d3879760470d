"""EKS add-ons that Auto Mode does not bring itself, at versions pinned in ``stacks/assets/versions.json``.

Auto Mode already runs the Pod Identity agent, VPC CNI, kube-proxy, CoreDNS, EBS CSI and the load balancer
controller. metrics-server is not among them, and without it HorizontalPodAutoscalers have no CPU or memory
numbers to act on.
"""

from __future__ import annotations

from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from stacks.versions import addon_version


class ClusterAddons(Construct):
    """``metrics_server``: the resource metrics API that the HPAs read."""

    def __init__(self, scope: Construct, id_: str, *, cluster: eks.ICluster, kubernetes_version: str) -> None:
        super().__init__(scope, id_)
        self.metrics_server = eks.Addon(
            self,
            "MetricsServer",
            cluster=cluster,
            addon_name="metrics-server",
            addon_version=addon_version("metrics-server", kubernetes_version),
            preserve_on_delete=False,
        )
