"""The pods an environment runs at its minimum: the rendered k8s overlay's HPA minimums and requests.

EKS Auto Mode sizes its nodes from pending pods' requests, so the minimum node count follows from the pods the
HPAs never scale below (``minReplicas``) plus the platform's pods (Argo Rollouts, kube-state-metrics from
``k8s/platform/<env>``; Argo CD's own pods from the usage file, since its Helm release lives in the template).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k8s.manifests import Manifest, RenderError, render
from stacks.cost.model import CostError

WORKLOAD_KINDS = ("Deployment", "Rollout", "StatefulSet")
ZONE_KEY = "topology.kubernetes.io/zone"


@dataclass(frozen=True, kw_only=True)
class Pods:
    name: str
    replicas: int
    cpu_m: float  # requested millicores per pod
    memory_mi: float  # requested MiB per pod
    spread_by_zone: bool = False  # a DoNotSchedule zone spread: at least one node per zone


@dataclass(frozen=True, kw_only=True)
class Workloads:
    source: str  # where the pods were read, for the basis
    pods: tuple[Pods, ...]
    load_balancers: tuple[str, ...] = ()  # one ALB per Ingress (or per alb.ingress.kubernetes.io/group.name)

    @property
    def cpu_m(self) -> float:
        return sum(p.replicas * p.cpu_m for p in self.pods)

    @property
    def memory_mi(self) -> float:
        return sum(p.replicas * p.memory_mi for p in self.pods)

    @property
    def count(self) -> int:
        return sum(p.replicas for p in self.pods)

    @property
    def spread_by_zone(self) -> bool:
        return any(p.spread_by_zone for p in self.pods)


def cpu_millicores(value: Any) -> float:
    text = str(value)
    return float(text[:-1]) if text.endswith("m") else float(text) * 1000


MEMORY_UNITS = {
    "Ki": 1 / 1024,
    "Mi": 1.0,
    "Gi": 1024.0,
    "K": 1000 / 1024**2,
    "M": 1000**2 / 1024**2,
    "G": 1000**3 / 1024**2,
}


def memory_mebibytes(value: Any) -> float:
    text = str(value)
    for suffix in sorted(MEMORY_UNITS, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * MEMORY_UNITS[suffix]
    return float(text) / 1024**2  # plain bytes


def _requests(resources: dict[str, Any] | None, default: dict[str, float]) -> tuple[float, float]:
    requests = (resources or {}).get("requests") or {}
    cpu = cpu_millicores(requests["cpu"]) if "cpu" in requests else default["cpu_m"]
    memory = memory_mebibytes(requests["memory"]) if "memory" in requests else default["memory_mi"]
    return cpu, memory


def _zone_spread(spec: dict[str, Any]) -> bool:
    return any(
        c.get("topologyKey") == ZONE_KEY and c.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule"
        for c in spec.get("topologySpreadConstraints") or []
    )


def from_manifests(documents: Iterable[Manifest], *, default: dict[str, float]) -> list[Pods]:
    """Workloads at their HPA minimum (else ``spec.replicas``, else 1) and Helm-installed controllers."""
    documents = list(documents)
    minimums = {
        (d["spec"]["scaleTargetRef"]["kind"], d["spec"]["scaleTargetRef"]["name"]): int(d["spec"].get("minReplicas", 1))
        for d in documents
        if d.get("kind") == "HorizontalPodAutoscaler"
    }
    pods: list[Pods] = []
    for document in documents:
        kind, name = document.get("kind"), (document.get("metadata") or {}).get("name", "")
        if kind in WORKLOAD_KINDS:
            spec = document.get("spec") or {}
            template = (spec.get("template") or {}).get("spec") or {}
            replicas = minimums.get((kind, name), int(spec.get("replicas", 1)))
            totals = [_requests(c.get("resources"), default) for c in template.get("containers") or []]
            pods.append(
                Pods(
                    name=f"{kind} {name}",
                    replicas=replicas,
                    cpu_m=sum(t[0] for t in totals),
                    memory_mi=sum(t[1] for t in totals),
                    spread_by_zone=_zone_spread(template),
                )
            )
        elif kind == "Application":
            helm = ((document.get("spec") or {}).get("source") or {}).get("helm") or {}
            values = helm.get("valuesObject")
            if values is None:
                continue  # an app of apps: its workloads are rendered from their own directory
            block = values.get("controller") if isinstance(values.get("controller"), dict) else values
            cpu, memory = _requests(block.get("resources"), default)
            replicas = int(block.get("replicas", 1))
            pods.append(Pods(name=f"Application {name}", replicas=replicas, cpu_m=cpu, memory_mi=memory))
    return pods


GROUP = "alb.ingress.kubernetes.io/group.name"


def load_balancers(documents: Iterable[Manifest]) -> tuple[str, ...]:
    """The ALBs the cluster's load balancer controller makes: an IngressGroup shares one, else one per Ingress."""
    names: dict[str, None] = {}
    for document in documents:
        if document.get("kind") != "Ingress":
            continue
        metadata = document.get("metadata") or {}
        group = (metadata.get("annotations") or {}).get(GROUP)
        names[
            f"group {group}" if group else f"Ingress {metadata.get('namespace', 'default')}/{metadata.get('name')}"
        ] = None
    return tuple(names)


def load(k8s_dir: Path, environment: str, *, default: dict[str, float], extra: dict[str, int]) -> Workloads:
    """The minimum pods of ``k8s/overlays/<env>`` and ``k8s/platform/<env>`` plus ``extra`` (name -> count)."""
    documents: list[Manifest] = []
    for target in (k8s_dir / "overlays" / environment, k8s_dir / "platform" / environment):
        try:
            # an absolute target replaces K8S_DIR in render's `K8S_DIR / target` (pathlib joining), so another
            # checkout's k8s/ (cost-diff's base worktree) renders with the same kubectl
            documents.extend(render(str(target.resolve())))
        except RenderError as error:
            raise CostError(str(error)) from error
    pods = from_manifests(documents, default=default)
    pods += [
        Pods(name=name, replicas=int(count), cpu_m=default["cpu_m"], memory_mi=default["memory_mi"])
        for name, count in extra.items()
    ]
    return Workloads(
        source=f"k8s/overlays/{environment} + k8s/platform/{environment}",
        pods=tuple(pods),
        load_balancers=load_balancers(documents),
    )


def nodes_needed(workloads: Workloads, *, allocatable_cpu_m: float, allocatable_memory_mi: float, zones: int) -> int:
    """Nodes that hold the pods' requests (bin-packed by the larger of CPU and memory); one per zone when spread."""
    by_requests = max(
        1,
        math.ceil(workloads.cpu_m / allocatable_cpu_m),
        math.ceil(workloads.memory_mi / allocatable_memory_mi),
    )
    return max(by_requests, zones) if workloads.spread_by_zone else by_requests
