"""Capacity: what the autoscalers do, and what pods use against what they request and may use.

Usage comes from the kubelet's cAdvisor (per container), requests and limits from kube-state-metrics; both carry
``namespace``, ``pod`` and ``container`` (kube-state-metrics is scraped with honor_labels, so ``namespace`` is the
object's).
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard

from stacks.dashboards.panels import (
    NAMESPACE,
    PanelBuilder,
    board,
    graph,
    namespace_variable,
    prom,
    single,
    with_sections,
)

# The pod-level cgroup series (container="") and a runtime's sandbox ("POD") are not containers of ours; the
# same filter as kubernetes-monitoring/kubernetes-mixin's resource dashboards.
CONTAINERS = f'{NAMESPACE}, container!="", container!="POD"'
CPU_USED = f"rate(container_cpu_usage_seconds_total{{{CONTAINERS}}}[$__rate_interval])"
MEMORY_USED = f"container_memory_working_set_bytes{{{CONTAINERS}}}"
HPA = "kube_horizontalpodautoscaler"


def _resource(kind: str, resource: str) -> str:
    return f'kube_pod_container_resource_{kind}{{{NAMESPACE}, resource="{resource}"}}'


def _autoscaling() -> list[PanelBuilder]:
    by_hpa = "{{horizontalpodautoscaler}}"
    return [
        graph(
            "HPA replicas: current, desired, min, max",
            "Replicas of each HorizontalPodAutoscaler: what runs (current), what it asks for (desired), and its "
            "bounds. Desired pinned at max means the load outgrows the limit (HpaAtMaxReplicas alert).",
            "short",
            [
                prom(f"{HPA}_status_current_replicas{{{NAMESPACE}}}", f"{by_hpa} current"),
                prom(f"{HPA}_status_desired_replicas{{{NAMESPACE}}}", f"{by_hpa} desired", "B"),
                prom(f"{HPA}_spec_min_replicas{{{NAMESPACE}}}", f"{by_hpa} min", "C"),
                prom(f"{HPA}_spec_max_replicas{{{NAMESPACE}}}", f"{by_hpa} max", "D"),
            ],
            span=16,
        ),
        single(
            "HPA headroom used",
            "Current replicas as a share of each autoscaler's maximum; red from 80%.",
            "percentunit",
            [
                prom(
                    f"{HPA}_status_current_replicas{{{NAMESPACE}}} "
                    f"/ on (namespace, horizontalpodautoscaler) {HPA}_spec_max_replicas{{{NAMESPACE}}}",
                    by_hpa,
                    instant=True,
                )
            ],
            span=8,
            red_above=0.8,
        ),
    ]


def _usage(title: str, resource: str, used: str, unit: str, noun: str) -> list[PanelBuilder]:
    return [
        graph(
            f"{title} against requests and limits",
            f"{noun} used by each container, summed over its pods, with the sum of the containers' requests and "
            "limits. Use above requests is borrowed; at the limit a container is throttled (CPU) or killed (memory).",
            unit,
            [
                prom(f"sum by (container) ({used})", "{{container}} used"),
                prom(f"sum by (container) ({_resource('requests', resource)})", "{{container}} requests", "B"),
                prom(f"sum by (container) ({_resource('limits', resource)})", "{{container}} limits", "C"),
            ],
        ),
        graph(
            f"{title} per pod, share of its limit",
            f"{noun} used by each pod divided by the sum of its containers' limits; a pod near 100% of its memory "
            "limit is about to be OOM-killed.",
            "percentunit",
            [
                prom(
                    f"sum by (namespace, pod) ({used}) / sum by (namespace, pod) ({_resource('limits', resource)})",
                    "{{pod}}",
                )
            ],
        ),
    ]


def _pods() -> list[PanelBuilder]:
    return [
        graph(
            "Ready pods",
            "Pods of the namespace whose Ready condition is true, and the replicas each HPA keeps (login and order "
            "are Argo Rollouts, so no Deployment status covers them; during a release the new ReplicaSet's pods "
            "come on top, see the releases dashboard).",
            "short",
            [
                prom(f'count (kube_pod_status_ready{{{NAMESPACE}, condition="true"}} == 1)', "ready pods"),
                prom(
                    f"kube_horizontalpodautoscaler_status_current_replicas{{{NAMESPACE}}}",
                    "{{horizontalpodautoscaler}} replicas",
                    "B",
                ),
            ],
        ),
        graph(
            "Container restarts",
            "Restarts of each container in the last 15 minutes; PodRestarting alerts above 3.",
            "short",
            [
                prom(
                    f"sum by (pod, container) (increase(kube_pod_container_status_restarts_total{{{NAMESPACE}}}[15m]))",
                    "{{pod}}/{{container}}",
                )
            ],
        ),
    ]


def build() -> dashboard.Dashboard:
    return with_sections(
        board(
            "tlj-capacity",
            "TLJ capacity",
            "Autoscaling, and CPU and memory of the platform's pods against their requests and limits.",
            ["capacity", "kubernetes"],
        ).with_variable(namespace_variable()),
        [
            ("Autoscaling", _autoscaling()),
            ("CPU", _usage("CPU", "cpu", CPU_USED, "suffix: cores", "CPU time (cores)")),
            ("Memory", _usage("Memory", "memory", MEMORY_USED, "bytes", "Working-set memory")),
            ("Pods", _pods()),
        ],
    )
