"""The local Prometheus scrapes both services' metrics ports and evaluates AMP's recording and alert rules."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from local.journey import show_request_rates
from local.platform import Platform
from local.prometheus import RULES_SOURCE
from tests.e2e.test_gateway import order, signup_and_login

pytestmark = pytest.mark.e2e

RATE = "namespace_app_handler:http_requests:rate5m"
# Locally Prometheus scrapes and evaluates every 5 s; a rate needs two scrapes that saw the counter grow.
WAIT_SECONDS = 35.0


@pytest.fixture(scope="module")
def prometheus(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.prometheus_url, timeout=5.0, trust_env=False) as client:
        yield client


def query(prometheus: httpx.Client, expr: str) -> list[dict[str, Any]]:
    """An instant query through the HTTP API (GET /api/v1/query): the result vector."""
    response = prometheus.get("/api/v1/query", params={"query": expr})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def positive(series: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((s for s in series if float(s["value"][1]) > 0), None)


def test_given_orders_through_the_gateway_then_the_recording_rule_reads_back_a_positive_rate_per_service(
    platform: Platform, prometheus: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as http:
        # Given a customer who signs up, logs in and orders through the login gateway (which calls the order service)
        _, auth = signup_and_login(http, phone="+82 10-5555-0190")
        menu = http.get("/api/menu").json()
        sku = next(item["sku"] for item in (menu["items"] if isinstance(menu, dict) else menu) if item["available"])
        assert order(http, auth, [{"sku": sku, "quantity": 1}]).status_code == 201
        # When they keep listing their orders while Prometheus scrapes and evaluates (bounded wait)
        deadline = time.monotonic() + WAIT_SECONDS
        order_rate = login_rate = None
        while (order_rate is None or login_rate is None) and time.monotonic() < deadline:
            assert http.get("/api/orders", headers=auth).status_code == 200
            order_rate = positive(query(prometheus, f'{RATE}{{app="order", handler="/orders"}}'))
            login_rate = positive(query(prometheus, f'{RATE}{{app="login", handler="/api/orders"}}'))
            time.sleep(1.0)
    # Then the rule gives both services a positive rate, labelled as in the cluster (namespace, app, route template)
    assert order_rate is not None, f"no positive {RATE} for the order service within {WAIT_SECONDS} s"
    assert login_rate is not None, f"no positive {RATE} for the login gateway within {WAIT_SECONDS} s"
    assert order_rate["metric"] == {"__name__": RATE, "namespace": "tlj", "app": "order", "handler": "/orders"}
    assert login_rate["metric"] == {"__name__": RATE, "namespace": "tlj", "app": "login", "handler": "/api/orders"}
    # And `make demo`'s transcript prints those rates read back from Prometheus
    capsys.readouterr()
    show_request_rates(platform.prometheus_url)
    lines = [line.split() for line in capsys.readouterr().out.splitlines() if "requests/s" in line]
    printed = {words[0]: words[1] for words in lines}
    assert set(printed) == {"login", "order"}
    assert all(float(rate) > 0 for rate in printed.values()), printed


def test_given_the_local_prometheus_then_it_loaded_every_group_and_rule_of_amps_file(
    prometheus: httpx.Client,
) -> None:
    # Given the rule file AMP gets, read now (other groups may be added to it at any time)
    source = {
        group["name"]: [rule.get("record") or rule.get("alert") for rule in group["rules"]]
        for group in yaml.safe_load(RULES_SOURCE.read_text(encoding="utf-8"))["groups"]
    }
    # When the local Prometheus is asked for its rules (GET /api/v1/rules)
    response = prometheus.get("/api/v1/rules")
    # Then it evaluates the same groups with the same rules, in the same order, every 5 s instead of 1 m
    assert response.status_code == 200, response.text
    groups = response.json()["data"]["groups"]
    assert {group["name"]: [rule["name"] for rule in group["rules"]] for group in groups} == source
    assert {group["interval"] for group in groups} == {5}
    alerts = next(group for group in groups if group["name"] == "tlj-alerts")
    assert {rule["type"] for rule in alerts["rules"]} == {"alerting"}
    assert all(rule["health"] != "err" for group in groups for rule in group["rules"]), groups
    # And the alerts API answers (no Alertmanager locally: this and /alerts are where alerts show)
    listed = prometheus.get("/api/v1/alerts")
    assert listed.status_code == 200
    assert listed.json()["status"] == "success"


def test_given_the_local_prometheus_then_both_metrics_ports_are_scraped_with_the_clusters_labels(
    platform: Platform, prometheus: httpx.Client
) -> None:
    # Given the platform's metrics ports (free ones for e2e; 9180 and 9181 under `make up`)
    expected = {
        "login": f"127.0.0.1:{platform.settings.login_metrics_port}",
        "order": f"127.0.0.1:{platform.settings.order_metrics_port}",
    }
    # When `up` is queried (bounded wait for the first scrape of each target)
    deadline = time.monotonic() + 15.0
    up = query(prometheus, 'up{namespace="tlj"} == 1')
    while len(up) < 2 and time.monotonic() < deadline:
        time.sleep(1.0)
        up = query(prometheus, 'up{namespace="tlj"} == 1')
    # Then each service is a healthy target with the labels scrape.yml's relabelling gives in the cluster
    assert {s["metric"]["app"]: s["metric"]["instance"] for s in up} == expected
    for series in up:
        app = series["metric"]["app"]
        assert series["metric"]["pod"] == f"local-{app}"
        assert series["metric"]["job"] == "tlj-pods"
