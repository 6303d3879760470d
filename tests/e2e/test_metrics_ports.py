"""Prometheus metrics are served on a port of their own (LOGIN_METRICS_PORT, ORDER_METRICS_PORT), not the API's."""

from __future__ import annotations

import re

import httpx
import pytest

from local.platform import Platform

pytestmark = pytest.mark.e2e


def test_given_traffic_then_each_service_counts_it_by_route_template_on_its_metrics_port(platform: Platform) -> None:
    # Given a request to each service, on a templated route
    httpx.get(f"{platform.login_url}/api/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV", timeout=10.0)
    httpx.get(f"{platform.order_url}/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV", timeout=10.0)
    # When the metrics ports are scraped
    login = httpx.get(platform.login_metrics_url, timeout=10.0)
    order = httpx.get(platform.order_metrics_url, timeout=10.0)
    # Then both answer with Prometheus text, the series labelled by route template, never by raw path
    assert login.status_code == order.status_code == 200
    assert 'handler="/api/orders/{order_id}"' in login.text
    assert 'handler="/orders/{order_id}"' in order.text
    assert "01ARZ3NDEKTSV4RRFFQ69G5FAV" not in login.text + order.text
    for text in (login.text, order.text):
        assert "http_request_duration_seconds_bucket" in text
        # the platform's readiness checks, counted with their exact status
        assert re.search(r'http_requests_total\{(?=[^}]*handler="/readyz")(?=[^}]*status="200")[^}]*\} [1-9]', text)


def test_given_the_api_ports_then_they_serve_no_metrics(platform: Platform) -> None:
    for base in (platform.login_url, platform.order_url):
        assert httpx.get(f"{base}/metrics", timeout=10.0).status_code == 404, base


def test_given_the_platform_then_the_metrics_ports_are_the_configured_ones(platform: Platform) -> None:
    # The e2e platform runs on free ports; `make up` uses 9180 and 9181 (LOGIN_METRICS_PORT, ORDER_METRICS_PORT).
    ports = {c.name: c.metrics_port for c in platform.components if c.metrics_port is not None}
    assert ports == {"login": platform.settings.login_metrics_port, "order": platform.settings.order_metrics_port}
    assert platform.login_metrics_url == f"http://127.0.0.1:{platform.settings.login_metrics_port}/metrics"


def test_given_the_running_services_then_every_routes_5xx_series_is_already_there_at_zero(platform: Platform) -> None:
    # Given the services as they run (routes on included routers, prefixes applied); When their metrics are scraped
    login = httpx.get(platform.login_metrics_url, timeout=10.0).text
    order = httpx.get(platform.order_metrics_url, timeout=10.0).text
    # Then a route that never failed has its 5xx series, so a release's first error is seen by rate()
    for text, handler, method in ((order, "/orders", "POST"), (login, "/auth/login", "POST")):
        for status in ("500", "502", "503", "504"):
            labels = rf'(?=[^}}]*handler="{re.escape(handler)}")(?=[^}}]*method="{method}")(?=[^}}]*status="{status}")'
            assert re.search(rf"http_requests_total\{{{labels}[^}}]*\}} ", text), (handler, method, status)
