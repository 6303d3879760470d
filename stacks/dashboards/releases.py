"""Releases: the order Rollout's phase, its analysis results, and the preview ReplicaSet against the active one.

The order service is released blue-green by Argo Rollouts. During a release both ReplicaSets serve: the preview
one takes the analysis Job's traffic, the active one the customers'. Their pods differ in the
``rollouts_pod_template_hash`` label, which the scrape keeps, so every series here is split by it.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard

from stacks.dashboards.panels import (
    NAMESPACE,
    NOT_HEALTH,
    PanelBuilder,
    board,
    graph,
    namespace_variable,
    prom,
    ratio,
    states,
    with_sections,
)

ORDER = f'{NAMESPACE}, app="order", {NOT_HEALTH}'
BY_HASH = "sum by (rollouts_pod_template_hash)"


def _argo() -> list[PanelBuilder]:
    # rollout_info, analysis_run_info and analysis_run_metric_phase are 1 for the phase an object is in:
    # argo-rollouts controller/metrics/prommetrics.go (v1.8.3).
    return [
        states(
            "Rollout phase",
            "Phase of each Rollout over time (Healthy, Progressing, Paused, Degraded). Degraded means the release "
            "was aborted or its pods fail; the RolloutDegraded alert fires after 2 minutes of it.",
            "bool_yes_no",
            [prom(f"max by (name, phase) (rollout_info{{{NAMESPACE}}} == 1)", "{{name}} {{phase}}")],
            span=12,
        ),
        states(
            "Analysis runs",
            "Phase of each AnalysisRun (Pending, Running, Successful, Failed, Error, Inconclusive): a release is "
            "promoted only after its pre-promotion analysis is Successful, and switched back when the post-promotion "
            "one fails.",
            "bool_yes_no",
            [prom(f"max by (name, phase) (analysis_run_info{{{NAMESPACE}}} == 1)", "{{name}} {{phase}}")],
            span=12,
        ),
        states(
            "Analysis metric results",
            "Result of every metric of every AnalysisRun (success-rate and p99-latency-seconds of the order-health "
            "template, run before and after promotion); Failed or Error on any metric aborts the release.",
            "bool_yes_no",
            [
                prom(
                    f"max by (name, metric, phase) (analysis_run_metric_phase{{{NAMESPACE}}} == 1)",
                    "{{name}} {{metric}} {{phase}}",
                )
            ],
            span=24,
        ),
    ]


def _preview_vs_active() -> list[PanelBuilder]:
    return [
        graph(
            "Order requests per second by ReplicaSet",
            "Non-health requests per second per pod-template hash: during a release the new hash (preview) and the "
            "current one (active) both appear; `kubectl argo rollouts get rollout order` names which is which.",
            "reqps",
            [
                prom(
                    f"{BY_HASH} (rate(http_requests_total{{{ORDER}}}[$__rate_interval]))",
                    "{{rollouts_pod_template_hash}}",
                )
            ],
            span=8,
        ),
        graph(
            "Order 5xx ratio by ReplicaSet",
            "Share of 5xx answers per pod-template hash: a preview worse than the active ReplicaSet is what the "
            "analysis is there to catch.",
            "percentunit",
            [
                prom(
                    ratio(
                        f'{BY_HASH} (rate(http_requests_total{{{ORDER}, status=~"5.."}}[$__rate_interval]))',
                        f"{BY_HASH} (rate(http_requests_total{{{ORDER}}}[$__rate_interval]))",
                    ),
                    "{{rollouts_pod_template_hash}}",
                )
            ],
            span=8,
        ),
        graph(
            "Order p99 latency by ReplicaSet",
            "99th percentile request duration per pod-template hash (non-health routes).",
            "s",
            [
                prom(
                    "histogram_quantile(0.99, sum by (rollouts_pod_template_hash, le) "
                    f"(rate(http_request_duration_seconds_bucket{{{ORDER}}}[$__rate_interval])))",
                    "{{rollouts_pod_template_hash}}",
                )
            ],
            span=8,
        ),
    ]


def build() -> dashboard.Dashboard:
    return with_sections(
        board(
            "tlj-releases",
            "TLJ releases",
            "Blue-green releases of the order service: Rollout phase, analysis results, preview against active.",
            ["releases", "argo-rollouts"],
        ).with_variable(namespace_variable()),
        [
            ("Rollouts and analysis", _argo()),
            ("Preview against active", _preview_vs_active()),
        ],
    )
