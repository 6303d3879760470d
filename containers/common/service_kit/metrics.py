"""Prometheus request metrics (``prometheus-fastapi-instrumentator``) served on a port of their own.

Series: ``http_requests_total{method, handler, status}`` and ``http_request_duration_seconds{method, handler}``
(the names the release analysis queries, k8s/base/order/analysis-template.yaml). ``handler`` is the matched
route's template (``/orders/{order_id}``), ``none`` when no route matched, so label cardinality stays bounded
whatever clients send. Nothing is exposed on the API port.

The exporter is ``prometheus_client.start_http_server``: a daemon thread in the service process, so a scrape is
answered even while the event loop is busy, and it needs no second ASGI server. The images run one uvicorn
process per pod (replicas scale by pods), so the process registry is the pod's. Should a pod ever run
``uvicorn --workers N``, set ``PROMETHEUS_MULTIPROC_DIR``: the exporter then serves the workers' aggregate
(prometheus_client's multiprocess mode) and the first worker to bind the port serves it for all of them.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import prometheus_client
from fastapi import FastAPI, routing
from prometheus_client import REGISTRY, CollectorRegistry, Counter, multiprocess, start_http_server
from prometheus_fastapi_instrumentator import Instrumentator, metrics

# No `<name>_created` series: every counter and histogram (and each of their label sets) would export one more
# sample per scrape that no rule or dashboard reads, and AMP bills per sample ingested. prometheus_client checks
# this flag when it collects (metrics.py, `_child_samples`), so it holds for metrics made before or after.
prometheus_client.disable_created_metrics()

UNMATCHED_ROUTE = "none"  # the instrumentator's handler label for requests no route matched
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_log = logging.getLogger("tlj.metrics")


def _required(instrumentation: Callable[[metrics.Info], None] | None) -> Callable[[metrics.Info], None]:
    assert instrumentation is not None, "metric registered twice"
    return instrumentation


# Made once per process: the instrumentator registers a metric when its function is built, and returns None when
# the name is already registered (its metrics.py, _is_duplicated_time_series), so a second app built in the same
# process (tests build many) would record nothing; all apps share these.
_DURATION = _required(metrics.latency(should_include_status=False, buckets=DURATION_BUCKETS))

# The request counter is ours rather than metrics.requests()'s, with the same name, help and labels (handler,
# method, status: prometheus-fastapi-instrumentator 8.1.0 metrics.py, requests and _build_label_attribute_names),
# so that its 5xx series can be made at 0 before the first error (prime_error_series).
REQUESTS = Counter(
    "http_requests_total", "Total number of requests by method, status and handler.", ("handler", "method", "status")
)
# The server errors the services answer with: 500 (unhandled), 502/504 (a downstream's bad or late answer), 503.
PRIMED_STATUSES = ("500", "502", "503", "504")


def _count_request(info: metrics.Info) -> None:
    REQUESTS.labels(info.modified_handler, info.method, info.modified_status).inc()


def instrument(app: FastAPI) -> None:
    """Adds the metrics middleware (status codes kept exact: the analysis selects ``status=~"5.."``)."""
    Instrumentator(should_group_status_codes=False, should_group_untemplated=True).add(
        _count_request, _DURATION
    ).instrument(app)


def prime_error_series(app: FastAPI) -> int:
    """Creates every route's 5xx series of ``http_requests_total`` at 0; returns how many label sets that is.

    A series that first appears with the value 1 has no earlier sample, so ``rate()`` and ``increase()`` never see
    that first error (they only extrapolate between samples: prometheus v2.42.0 promql/functions.go,
    extrapolatedRate; Prometheus docs, "Instrumentation", "Avoid missing metrics"). A release's first 5xx would then
    go uncounted by the analysis (k8s/base/*/analysis-template.yaml) exactly when the new version starts failing.
    Handlers are the route templates, as the instrumentator labels them; a few dozen series per pod. The services
    declare their routes on APIRouters, which FastAPI 0.163 keeps as included routers in ``app.routes`` rather than
    copying their routes in; ``fastapi.routing.iter_route_contexts`` (what FastAPI's OpenAPI generator walks)
    yields every route with its full path, prefixes applied.
    """
    label_sets = 0
    for route in routing.iter_route_contexts(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            for status in PRIMED_STATUSES:
                REQUESTS.labels(route.path, method, status)
                label_sets += 1
    return label_sets


def exporter_registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@contextmanager
def metrics_server(port: int | None, host: str) -> Iterator[int | None]:
    """Serves the registry on ``host:port`` while the context is open; yields the bound port (``None``: off)."""
    if port is None:
        yield None
        return
    try:
        server, thread = start_http_server(port, addr=host, registry=exporter_registry())
    except OSError as error:
        if error.errno == errno.EADDRINUSE and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            _log.info("metrics port served by another worker", extra={"port": port})
            yield port
            return
        raise
    bound = int(server.server_port)
    _log.info("metrics served", extra={"host": host, "port": bound})
    try:
        yield bound
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
