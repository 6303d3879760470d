"""Platform overview: RED (rate, errors, duration) of the login gateway and the order service, and the error budget.

The SLO is stated here, in code: 99.5% of non-health requests answered without a 5xx over a rolling 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    single,
    with_sections,
)


@dataclass(frozen=True, kw_only=True)
class Slo:
    objective: float  # the fraction of requests that must succeed
    window: str  # PromQL duration of the rolling window

    @property
    def budget(self) -> float:
        """The fraction of requests allowed to fail."""
        return round(1 - self.objective, 6)


AVAILABILITY = Slo(objective=0.995, window="30d")
APPS = 'app=~"login|order"'
REQUESTS = f"http_requests_total{{{NAMESPACE}, {APPS}, {NOT_HEALTH}}}"
ERRORS = f'http_requests_total{{{NAMESPACE}, {APPS}, {NOT_HEALTH}, status=~"5.."}}'
BUCKETS = f"http_request_duration_seconds_bucket{{{NAMESPACE}, {APPS}, {NOT_HEALTH}}}"


def _error_ratio(window: str) -> str:
    return ratio(f"sum by (app) (increase({ERRORS}[{window}]))", f"sum by (app) (increase({REQUESTS}[{window}]))")


def _red() -> list[PanelBuilder]:
    return [
        graph(
            "Requests per second",
            "Non-health requests per second answered by each service (recording rule "
            "namespace_app_handler:http_requests:rate5m, summed over handlers).",
            "reqps",
            [prom(f"sum by (app) (namespace_app_handler:http_requests:rate5m{{{NAMESPACE}, {APPS}}})", "{{app}}")],
            span=8,
        ),
        graph(
            "5xx ratio",
            "Share of non-health requests answered with a 5xx status, per service. The HttpErrorRatioHigh alert "
            "fires above 5% on a route with traffic.",
            "percentunit",
            [
                prom(
                    ratio(
                        f"sum by (app) (rate({ERRORS}[$__rate_interval]))",
                        f"sum by (app) (rate({REQUESTS}[$__rate_interval]))",
                    ),
                    "{{app}}",
                )
            ],
            span=8,
        ),
        graph(
            "p99 latency",
            "99th percentile of the request duration per service, from the histogram buckets (non-health routes).",
            "s",
            [
                prom(
                    f"histogram_quantile(0.99, sum by (app, le) (rate({BUCKETS}[$__rate_interval])))",
                    "{{app}} p99",
                ),
                prom(
                    f"histogram_quantile(0.5, sum by (app, le) (rate({BUCKETS}[$__rate_interval])))",
                    "{{app}} p50",
                    "B",
                ),
            ],
            span=8,
        ),
        graph(
            "5xx ratio by route",
            "Per route (handler template) share of 5xx answers over 5 minutes (recording rule "
            "namespace_app_handler:http_requests_5xx:ratio_rate5m); routes without traffic have no value.",
            "percentunit",
            [
                prom(
                    f"namespace_app_handler:http_requests_5xx:ratio_rate5m{{{NAMESPACE}, {APPS}}}",
                    "{{app}} {{handler}}",
                )
            ],
            span=10,
        ),
        graph(
            "p99 latency by route",
            "Per route p99 request duration over 5 minutes (recording rule "
            "namespace_app_handler:http_request_duration_seconds:p99_5m). The HttpLatencyP99High alert fires above 1s.",
            "s",
            [
                prom(
                    f"namespace_app_handler:http_request_duration_seconds:p99_5m{{{NAMESPACE}, {APPS}}}",
                    "{{app}} {{handler}}",
                )
            ],
            span=10,
        ),
        single(
            "Scrape targets up",
            "Service pods whose metrics endpoint the scraper reads right now, per app (ScrapeTargetDown alerts on 0).",
            "short",
            [prom(f"sum by (app) (up{{{NAMESPACE}, {APPS}}})", "{{app}}", instant=True)],
            span=4,
            red_below=1,
        ),
    ]


def _budget(slo: Slo) -> list[PanelBuilder]:
    objective = f"{slo.objective:.1%}"
    ratio = _error_ratio(slo.window)
    return [
        single(
            f"Availability ({slo.window})",
            f"Share of non-health requests answered without a 5xx over the last {slo.window}, per service. "
            f"SLO: {objective}.",
            "percentunit",
            [prom(f"1 - ({ratio})", "{{app}}", instant=True)],
            red_below=slo.objective,
        ),
        single(
            f"Error budget remaining ({slo.window})",
            f"The part of the {slo.window} error budget ({slo.budget:.1%} of requests may fail, SLO {objective}) "
            "not yet spent: 100% is untouched, 0% or below means the SLO is broken.",
            "percentunit",
            [prom(f"1 - ({ratio}) / {slo.budget}", "{{app}}", instant=True)],
            red_below=0.25,
        ),
        # Burn rate = error ratio / budget; 14.4 over 1h and 6 over 6h are the fast-burn pages of the Google SRE
        # workbook's "Alerting on SLOs" (multiwindow, multi-burn-rate alerts).
        graph(
            "Error budget burn rate",
            f"How fast the budget burns: the 5xx ratio divided by the budget ({slo.budget}). 1 spends exactly the "
            f"budget in {slo.window}; 14.4 over 1 hour spends 2% of it (Google SRE workbook, alerting on SLOs).",
            "suffix:×",
            [
                prom(f"({_error_ratio('1h')}) / {slo.budget}", "{{app}} 1h"),
                prom(f"({_error_ratio('6h')}) / {slo.budget}", "{{app}} 6h", "B"),
            ],
            span=12,
        ),
    ]


def build() -> dashboard.Dashboard:
    return with_sections(
        board(
            "tlj-overview",
            "TLJ platform overview",
            "RED of the login gateway and the order service, and the availability SLO's error budget.",
            ["overview", "slo"],
        ).with_variable(namespace_variable()),
        [
            ("Error budget", _budget(AVAILABILITY)),
            ("Requests, errors, duration", _red()),
        ],
    )
