"""The order service's business metrics (prometheus-client), served with the request metrics (service_kit.metrics).

Defined at import, so registered once per process however many apps a process builds (tests build many).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# KRW. One pastry or drink is 2,000-5,000, a typical basket 10,000-30,000, a whole cake 25,000-60,000, a party or
# office order 100,000 and more: the bounds follow that spread, finer where most orders fall, and stay few (each
# bound is one more series per pod).
ORDER_VALUE_BUCKETS_KRW = (5_000, 10_000, 15_000, 20_000, 30_000, 50_000, 75_000, 100_000, 200_000, 500_000)

ORDERS_CREATED = Counter("tlj_orders_created", "Orders created (an Idempotency-Key replay is not a new order)")
ORDERS_CANCELLED = Counter("tlj_orders_cancelled", "Orders moved to CANCELLED")
ORDER_VALUE = Histogram("tlj_order_value_krw", "Total of each created order, KRW", buckets=ORDER_VALUE_BUCKETS_KRW)


def order_created(total_krw: int) -> None:
    ORDERS_CREATED.inc()
    ORDER_VALUE.observe(total_krw)


def order_cancelled() -> None:
    ORDERS_CANCELLED.inc()
