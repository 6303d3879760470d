"""Releases: the Rollouts' phases, their analysis results, and each new ReplicaSet against the current one.

Both services are released by Argo Rollouts: the order service blue-green (the preview ReplicaSet takes the
release-smoke Job's traffic, the active one the customers'), the login gateway as a canary (the canary ReplicaSet
takes its share of pods' worth of customer traffic). During a release both ReplicaSets serve; their pods differ in
the ``rollouts_pod_template_hash`` label, which the scrape keeps, so every series here is split by it and by ``app``.
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

# NOT_HEALTH leaves out both probe routes, as the analysis templates (k8s/base/*/analysis-template.yaml) do.
RELEASED = f'{NAMESPACE}, app=~"order|login", {NOT_HEALTH}'
BY_HASH = "sum by (app, rollouts_pod_template_hash)"
LEGEND = "{{app}} {{rollouts_pod_template_hash}}"


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
            "Result of every metric of every AnalysisRun (release-smoke, and success-rate and p99-latency-seconds of "
            "order-health and login-health); Failed or Error on any metric aborts the release, Inconclusive (below "
            "the traffic floor) pauses it.",
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
            "Requests per second by ReplicaSet",
            "Non-probe requests per second per service and pod-template hash: during a release the new hash "
            "(preview or canary) and the current one both appear; `kubectl argo rollouts get rollout <name> -n tlj` "
            "names which is which. The analyses need at least the traffic floor on the new one.",
            "reqps",
            [
                prom(
                    f"{BY_HASH} (rate(http_requests_total{{{RELEASED}}}[$__rate_interval]))",
                    LEGEND,
                )
            ],
            span=8,
        ),
        graph(
            "5xx ratio by ReplicaSet",
            "Share of 5xx answers per pod-template hash: a new ReplicaSet worse than the current one is what the "
            "analysis is there to catch.",
            "percentunit",
            [
                prom(
                    ratio(
                        f'{BY_HASH} (rate(http_requests_total{{{RELEASED}, status=~"5.."}}[$__rate_interval]))',
                        f"{BY_HASH} (rate(http_requests_total{{{RELEASED}}}[$__rate_interval]))",
                    ),
                    LEGEND,
                )
            ],
            span=8,
        ),
        graph(
            "p99 latency by ReplicaSet",
            "99th percentile request duration per pod-template hash (non-probe routes).",
            "s",
            [
                prom(
                    "histogram_quantile(0.99, sum by (app, rollouts_pod_template_hash, le) "
                    f"(rate(http_request_duration_seconds_bucket{{{RELEASED}}}[$__rate_interval])))",
                    LEGEND,
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
            "Releases of the order service (blue-green) and the login gateway (canary): Rollout phase, analysis "
            "results, the new ReplicaSet against the current one.",
            ["releases", "argo-rollouts"],
        ).with_variable(namespace_variable()),
        [
            ("Rollouts and analysis", _argo()),
            ("New against current ReplicaSet", _preview_vs_active()),
        ],
    )
