"""Business: orders, revenue, cancellations, sign-ins and recommendations, from the services' own counters.

Rates are per minute (a bakery counts orders per minute, not per second); values are KRW. Counters reset when a
pod restarts, which ``rate`` and ``increase`` handle.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard
from grafana_foundation_sdk.models import units

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

# A custom unit is `suffix:<text>` (FieldConfig.unit in Grafana's dashboard schema, the SDK's models/dashboard.py).
PER_MINUTE = "suffix: /min"
KRW = units.SouthKoreanWon  # Grafana's unit id currencyKRW (₩)
VALUE_BUCKETS = f"rate(tlj_order_value_krw_bucket{{{NAMESPACE}}}[$__rate_interval])"


def _per_minute(metric: str, by: str = "") -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({metric}{{{NAMESPACE}}}[$__rate_interval])) * 60"


def _over_range(metric: str) -> str:
    return f"sum (increase({metric}{{{NAMESPACE}}}[$__range]))"


def _totals() -> list[PanelBuilder]:
    return [
        single(
            "Orders in range",
            "Orders created over the dashboard's time range (an Idempotency-Key replay is not a new order).",
            "short",
            [prom(_over_range("tlj_orders_created_total"), "orders", instant=True)],
        ),
        single(
            "Revenue in range",
            "Total value of the orders created over the time range, before cancellations, in KRW.",
            KRW,
            [prom(_over_range("tlj_order_value_krw_sum"), "revenue", instant=True)],
        ),
        single(
            "Average order value",
            "Revenue divided by orders over the time range, in KRW.",
            KRW,
            [
                prom(
                    f"{_over_range('tlj_order_value_krw_sum')} / {_over_range('tlj_order_value_krw_count')}",
                    "average",
                    instant=True,
                )
            ],
        ),
        single(
            "Cancelled share",
            "Orders cancelled over the time range as a share of the orders created in it; red from 10%.",
            "percentunit",
            [
                prom(
                    f"{_over_range('tlj_orders_cancelled_total')} / {_over_range('tlj_orders_created_total')}",
                    "cancelled",
                    instant=True,
                )
            ],
            red_above=0.1,
        ),
    ]


def _trends() -> list[PanelBuilder]:
    return [
        graph(
            "Orders and cancellations per minute",
            "Orders created and orders cancelled per minute, across the order service's pods.",
            PER_MINUTE,
            [
                prom(_per_minute("tlj_orders_created_total"), "created"),
                prom(_per_minute("tlj_orders_cancelled_total"), "cancelled", "B"),
            ],
        ),
        graph(
            "Revenue per minute",
            "Value of the orders created per minute, in KRW.",
            KRW,
            [prom(_per_minute("tlj_order_value_krw_sum"), "revenue")],
        ),
        graph(
            "Order value percentiles",
            "Median and 90th percentile of the order total, in KRW, estimated from the histogram buckets "
            "(5,000 to 500,000).",
            KRW,
            [
                prom(f"histogram_quantile({q}, sum by (le) ({VALUE_BUCKETS}))", f"p{round(q * 100)}", ref)
                for q, ref in ((0.5, "A"), (0.9, "B"))
            ],
        ),
        graph(
            "Recommendations served per minute",
            "Recommendation answers the gateway gave per minute: ok were shown to the customer, unavailable were "
            "5xx from a failed or slow recommendation API.",
            PER_MINUTE,
            [prom(_per_minute("tlj_recommendations_served_total", "outcome"), "{{outcome}}")],
            stacked=True,
        ),
        graph(
            "Sign-ins per minute by result",
            "Login attempts per minute: success, invalid_credentials (wrong email or password), throttled (429 "
            "back-off) and busy (503, no password-hash slot free).",
            PER_MINUTE,
            [prom(_per_minute("tlj_login_attempts_total", "result"), "{{result}}")],
            stacked=True,
        ),
        graph(
            "Sign-ups per minute",
            "Customer accounts created by sign-up per minute.",
            PER_MINUTE,
            [prom(_per_minute("tlj_signups_total"), "sign-ups")],
        ),
    ]


def build() -> dashboard.Dashboard:
    return with_sections(
        board(
            "tlj-business",
            "TLJ business",
            "Orders per minute, revenue in KRW, cancellations, sign-ins and recommendations served.",
            ["business"],
        ).with_variable(namespace_variable()),
        [
            ("Over the time range", _totals()),
            ("Per minute", _trends()),
        ],
    )
