"""Every metric name a rule, a release analysis or a dashboard queries is exported by something the platform runs.

Our services' names come from their real prometheus_client registry (both apps built in this process), never from
stacks/assets/prometheus/exporters.yml, which must agree with it; third-party names come from that inventory.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from k8s.manifests import ENVIRONMENT_NAMES, render
from stacks.metric_names import (
    analysis_queries,
    dashboard_queries,
    grafana_to_promql,
    inventory,
    recording_names,
    registry_names,
    rule_queries,
    selected_names,
    unknown_names,
)


@pytest.fixture(scope="module")
def service_names() -> set[str]:
    """What the login and order services' processes expose, read from the registry once both apps are built."""
    from login_service.main import create_app as create_login_app
    from order_service.main import create_app as create_order_app

    assert isinstance(create_login_app(), FastAPI)
    assert isinstance(create_order_app(), FastAPI)
    return registry_names(REGISTRY)


@pytest.fixture(scope="module")
def known(service_names: set[str]) -> set[str]:
    third_party = {name for exporter in inventory().values() if exporter.source for name in exporter.metrics}
    return service_names | recording_names() | third_party


def module_names(module_name: str) -> set[str]:
    """The sample names of the prometheus_client metrics defined in ``module_name``, registered apart."""
    registry = CollectorRegistry()
    for value in vars(importlib.import_module(module_name)).values():
        if isinstance(value, MetricWrapperBase):
            registry.register(value)
    return registry_names(registry) - {name for name in registry_names(registry) if name.endswith("_created")}


# --- the inventory agrees with the code ---------------------------------------------------------------------------


@pytest.mark.parametrize("exporter", ["login", "order"])
def test_given_a_services_business_metrics_then_the_inventory_lists_exactly_what_its_code_registers(
    exporter: str, service_names: set[str]
) -> None:
    # Given the inventory's entry and the metrics the service's module defines
    entry = inventory()[exporter]
    assert entry.registry is not None
    registered = module_names(entry.registry)
    # Then they are the same names, and the running process's registry holds them
    assert set(entry.metrics) == registered
    assert registered <= service_names


def test_given_the_request_metrics_then_the_inventory_lists_what_the_instrumentator_registers(
    service_names: set[str],
) -> None:
    # The instrumentator's metrics live in closures, not module globals: its names are the registry's http_* ones.
    listed = inventory()["service-kit"].metrics
    assert listed == {n for n in service_names if n.startswith("http_") and not n.endswith("_created")}


def test_given_the_business_metrics_then_their_names_are_the_ones_the_dashboards_are_built_on(
    service_names: set[str],
) -> None:
    expected = {
        "tlj_orders_created_total",
        "tlj_orders_cancelled_total",
        "tlj_order_value_krw_bucket",
        "tlj_order_value_krw_sum",
        "tlj_order_value_krw_count",
        "tlj_login_attempts_total",
        "tlj_signups_total",
        "tlj_recommendations_served_total",
    }
    assert expected <= service_names


def test_given_the_login_counters_then_their_label_values_are_the_bounded_sets() -> None:
    samples = {
        (family.name, sample.labels.get("result") or sample.labels.get("outcome"))
        for family in REGISTRY.collect()
        if family.name in {"tlj_login_attempts", "tlj_recommendations_served"}
        for sample in family.samples
        if sample.name.endswith("_total")
    }
    assert samples >= {
        ("tlj_login_attempts", "success"),
        ("tlj_login_attempts", "invalid_credentials"),
        ("tlj_login_attempts", "throttled"),
        ("tlj_login_attempts", "busy"),
        ("tlj_recommendations_served", "ok"),
        ("tlj_recommendations_served", "unavailable"),
    }
    values = {value for _, value in samples}
    assert values <= {"success", "invalid_credentials", "throttled", "busy", "ok", "unavailable"}


# --- every query is covered --------------------------------------------------------------------------------------


def test_given_the_rules_then_every_name_they_query_is_exported_or_recorded(known: set[str]) -> None:
    queries = rule_queries()
    assert len(queries) >= 10
    assert unknown_names(queries, known) == {}


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_given_the_rendered_overlay_then_every_analysis_query_names_exported_metrics(env: str, known: set[str]) -> None:
    # Given the AnalysisTemplates as Argo CD applies them (the base with the overlay's patches)
    queries = analysis_queries(render(f"overlays/{env}"), f"overlays/{env}")
    assert queries, "the release analysis has queries"
    # Then every name they select is exported
    assert unknown_names(queries, known) == {}


def test_given_the_committed_dashboards_then_every_panel_queries_exported_metrics(known: set[str]) -> None:
    # An absent or empty stacks/assets/grafana gives no queries; a malformed dashboard raises.
    assert unknown_names(dashboard_queries(), known) == {}


# --- the checker itself ------------------------------------------------------------------------------------------


def test_given_a_query_of_an_unknown_name_then_the_checker_reports_it(known: set[str]) -> None:
    # Given a rule-like query that mixes a known series with a misspelt one
    queries = {"typo": "sum(rate(tlj_orders_created_total[5m])) / sum(rate(tlj_order_created_total[5m]))"}
    # Then the misspelt name is reported, the known one is not
    assert unknown_names(queries, known) == {"typo": {"tlj_order_created_total"}}


def test_given_name_matchers_subqueries_and_ranges_then_every_selected_name_is_found() -> None:
    expr = (
        'max_over_time(up{job="x"}[5m:1m]) + on() {__name__="scrape_duration_seconds"}'
        ' + count({__name__=~"kube_pod_status_ready|kube_pod_container_resource_limits"})'
    )
    assert selected_names(expr) == {
        "up",
        "scrape_duration_seconds",
        "kube_pod_status_ready",
        "kube_pod_container_resource_limits",
    }


def test_given_a_name_regex_beyond_plain_names_then_the_query_is_reported_as_uncheckable(known: set[str]) -> None:
    reported = unknown_names({"wide": 'count({__name__=~"kube_.+"})'}, known)
    assert list(reported) == ["wide"]
    assert "checkable metric name" in next(iter(reported["wide"]))


def test_given_grafana_macros_and_variables_then_the_expression_parses_with_its_names() -> None:
    expr = (
        'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="$namespace", pod=~"${pod:regex}"}'
        "[$__rate_interval])) / $__range_s + increase(tlj_signups_total[${__range}]) + avg_over_time(up[$__interval])"
    )
    assert selected_names(grafana_to_promql(expr)) == {"container_cpu_usage_seconds_total", "tlj_signups_total", "up"}


def test_given_dashboards_with_rows_and_variables_then_nested_panels_and_variable_queries_are_read(
    tmp_path: Path, known: set[str]
) -> None:
    # Given a dashboard whose collapsed row holds a panel, with a query variable and a non-Prometheus target
    dashboard = {
        "panels": [
            {"title": "Orders", "targets": [{"refId": "A", "expr": "namespace:tlj_orders_created:rate5m"}]},
            {
                "type": "row",
                "title": "Cluster",
                "panels": [
                    {
                        "title": "CPU",
                        "targets": [{"refId": "A", "expr": "rate(container_cpu_seconds[$__rate_interval])"}],
                    }
                ],
            },
            {"title": "Logs", "targets": [{"refId": "A", "queryMode": "Logs", "expression": "fields @message"}]},
        ],
        "templating": {
            "list": [
                {
                    "name": "pod",
                    "type": "query",
                    "query": {"query": 'label_values(kube_pod_info{namespace="tlj"}, pod)'},
                },
                {"name": "ns", "type": "query", "query": "label_values(namespace)"},
            ]
        },
    }
    (tmp_path / "ops.json").write_text(json.dumps(dashboard), encoding="utf-8")
    # When the checker reads the directory
    queries = dashboard_queries(tmp_path)
    # Then the nested panel and the variable are checked (both unknown here), the row title and the log query are not
    assert unknown_names(queries, known) == {
        "ops.json panel 'CPU' target A": {"container_cpu_seconds"},
        "ops.json variable 'pod'": {"kube_pod_info"},
    }


def test_given_a_malformed_dashboard_then_reading_fails_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"panels": [', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: malformed dashboard JSON"):
        dashboard_queries(tmp_path)


def test_given_no_dashboards_directory_then_there_is_nothing_to_check(tmp_path: Path) -> None:
    assert dashboard_queries(tmp_path / "absent") == {}
