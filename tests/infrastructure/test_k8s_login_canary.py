"""The login gateway's canary release, asserted on `kubectl kustomize k8s/overlays/<env>` and evaluated by promtool.

A bad login build must not reach 100% unchecked: the Rollout steps through 25% and 50% of the pods with an analysis
after each (prod then waits for a person), the analysis measures only the canary pods' customer traffic, a quiet
canary is Inconclusive (never a pass), the HPA and the disruption budget follow the Rollout, and no Deployment is
left serving the same pods. The queries are run by the real Prometheus engine (promtool) over synthetic series.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from k8s.manifests import Manifest
from k8s.validate import Validator, checkov_view, cluster_kubernetes_version
from loadgen import direct
from local.analysis import parse_duration
from stacks.config import ENVIRONMENTS
from tests.infrastructure.k8s_documents import one
from tests.infrastructure.k8s_selectors import selects

ROOT = Path(__file__).resolve().parents[2]
PROMTOOL = os.environ.get("PROMTOOL") or str(ROOT / ".tools" / "usr" / "bin" / "promtool")
NAMESPACE = "tlj"
TEMPLATE = "login-health"
SMOKE = "release-smoke"
CANARY, STABLE = "canary1", "stable1"  # rollouts_pod_template_hash values in the synthetic series
REGION = {config.name: config.region for config in ENVIRONMENTS}


def canary(documents: list[Manifest]) -> dict[str, Any]:
    strategy: dict[str, Any] = one(documents, "Rollout", "login")["spec"]["strategy"]
    assert set(strategy) == {"canary"}, "login is released as a canary"
    return dict(strategy["canary"])


def analysis_steps(documents: list[Manifest]) -> list[dict[str, Any]]:
    return [step["analysis"] for step in canary(documents)["steps"] if "analysis" in step]


# --- the Rollout -------------------------------------------------------------------------------------------------


def test_given_the_login_rollout_then_it_steps_through_a_quarter_and_half_of_the_pods_with_an_analysis_after_each(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    strategy = canary(overlays[env])
    steps = strategy["steps"]
    # Given a basic canary (weights are shares of pods): then 25% and 50%, each followed by an analysis step
    assert [next(iter(step)) for step in steps[:4]] == ["setWeight", "analysis", "setWeight", "analysis"]
    weights = [step["setWeight"] for step in steps if "setWeight" in step]
    assert weights == [25, 50]
    # And nothing after the last analysis but (in prod) a pause: no step reaches 100% unmeasured
    assert all(set(step) == {"pause"} for step in steps[4:])
    # And a new pod is ready before an old one goes, as the Deployment did
    assert strategy["maxUnavailable"] == 0
    assert strategy["maxSurge"] not in (0, "0", "0%")
    # And no traffic router: Service `login` (the ALB's backend) keeps selecting every login pod
    assert not {"trafficRouting", "canaryService", "stableService", "dynamicStableScale"} & set(strategy)
    rollout = one(overlays[env], "Rollout", "login")
    assert rollout["spec"]["progressDeadlineAbort"] is True


def test_prod_waits_for_a_person_before_the_canary_gets_all_pods_and_dev_goes_on_by_itself(
    overlays: dict[str, list[Manifest]],
) -> None:
    prod_steps = canary(overlays["prod"])["steps"]
    assert prod_steps[-1] == {"pause": {}}, "an indefinite pause: `kubectl argo rollouts promote login`"
    assert "analysis" in prod_steps[-2]
    assert not [step for step in canary(overlays["dev"])["steps"] if "pause" in step]


def test_given_each_analysis_step_then_it_measures_the_new_replica_set_and_every_template_argument_is_given(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    steps = analysis_steps(documents)
    assert len(steps) == 2
    for step in steps:
        names = [template["templateName"] for template in step["templates"]]
        assert TEMPLATE in names
        templates = [one(documents, "AnalysisTemplate", name) for name in names]
        given = {arg["name"]: arg for arg in step["args"]}
        assert given["canary-hash"]["valueFrom"] == {"podTemplateHashValue": "Latest"}
        declared = {arg["name"] for template in templates for arg in template["spec"].get("args", [])}
        open_args = {
            arg["name"]
            for template in templates
            for arg in template["spec"].get("args", [])
            if "value" not in arg and "valueFrom" not in arg
        }
        # The controller refuses to start a run with an unresolved argument, or one no template declares
        assert open_args <= set(given) <= declared


def test_given_dev_then_each_step_drives_synthetic_customers_through_the_gateway_service_and_prod_does_not(
    overlays: dict[str, list[Manifest]],
) -> None:
    dev = overlays["dev"]
    service = one(dev, "Service", "login")
    pods = one(dev, "Rollout", "login")["spec"]["template"]["metadata"]["labels"]
    for step in analysis_steps(dev):
        assert [template["templateName"] for template in step["templates"]] == [SMOKE, TEMPLATE]
        order_url = urlsplit({arg["name"]: arg for arg in step["args"]}["order-url"]["value"])
        # Orders go to the gateway's own /api paths, i.e. through Service login, which selects stable and canary
        assert (order_url.hostname, order_url.path) == (f"login.{NAMESPACE}.svc.cluster.local", "/api")
        assert selects({"matchLabels": service["spec"]["selector"]}, pods)
        smoke = one(dev, "AnalysisTemplate", SMOKE)
        defaults = {arg["name"]: arg.get("value") for arg in smoke["spec"]["args"]}
        assert urlsplit(defaults["gateway-url"]).hostname == order_url.hostname
        # And the Job's customers keep going for the whole analysis window
        template = one(dev, "AnalysisTemplate", TEMPLATE)
        for metric in template["spec"]["metrics"]:
            window = parse_duration(metric["initialDelay"]) + int(metric["count"]) * parse_duration(metric["interval"])
            assert window <= int(defaults["hold-seconds"]), metric["name"]
    for step in analysis_steps(overlays["prod"]):
        assert [template["templateName"] for template in step["templates"]] == [TEMPLATE]


def test_given_dev_then_the_release_check_sends_the_order_calls_to_the_gateways_own_paths(
    overlays: dict[str, list[Manifest]],
) -> None:
    smoke = one(overlays["dev"], "AnalysisTemplate", SMOKE)
    job_env = {
        item["name"]: item["value"]
        for item in smoke["spec"]["metrics"][0]["provider"]["job"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    for step in analysis_steps(overlays["dev"]):
        order_url = {arg["name"]: arg for arg in step["args"]}["order-url"]["value"]
        # Given the Job's routing (loadgen.direct, the code in its image) with the step's order-url
        routes = direct.from_env({**job_env, "LOAD_ORDER_URL": order_url})
        assert routes is not None
        # Then an order-service call is the gateway's own path, not the order service's
        url, _ = routes.route("/api/orders", "POST /api/orders", "c-1")
        assert url == f"http://login.{NAMESPACE}.svc.cluster.local/api/orders"
        assert routes.route("/auth/login", "POST /auth/login", None)[0] == "/auth/login"  # the host: the gateway


def test_given_both_services_then_the_login_canary_is_judged_on_the_order_services_schedule_and_limits(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    def metrics(name: str) -> dict[str, dict[str, Any]]:
        return {m["name"]: m for m in one(overlays[env], "AnalysisTemplate", name)["spec"]["metrics"]}

    login, order = metrics(TEMPLATE), metrics("order-health")
    assert set(login) == set(order)
    keys = ("initialDelay", "interval", "count", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit")
    for name in login:
        assert {key: login[name][key] for key in keys} == {key: order[name][key] for key in keys}, name
        assert login[name]["successCondition"] == order[name]["successCondition"], name


def test_given_the_autoscaler_and_the_budget_then_they_follow_the_rollout_and_no_deployment_is_left(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    rollout = one(documents, "Rollout", "login")
    assert "replicas" not in rollout["spec"], "the HPA owns the count"
    hpa = one(documents, "HorizontalPodAutoscaler", "login")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "login"}
    pods = rollout["spec"]["template"]["metadata"]["labels"]
    assert selects(rollout["spec"]["selector"], pods)
    # The budget and the Service select by app only: stable and canary pods alike (no rollouts-pod-template-hash)
    assert selects(one(documents, "PodDisruptionBudget", "login")["spec"]["selector"], pods)
    assert one(documents, "Service", "login")["spec"]["selector"] == {"app": "login"}
    assert not [d for d in documents if d["kind"] == "Deployment" and selects(d["spec"]["selector"], pods)]


def test_given_prod_then_login_pods_spread_per_replica_set_by_the_label_rollouts_puts_on_them(
    overlays: dict[str, list[Manifest]],
) -> None:
    spread = one(overlays["prod"], "Rollout", "login")["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    # A Rollout's pods carry rollouts-pod-template-hash, never pod-template-hash: with the latter the canary's
    # pods would be counted with the stable ones
    assert all(c["matchLabelKeys"] == ["rollouts-pod-template-hash"] for c in spread)


# --- the AnalysisTemplate --------------------------------------------------------------------------------------


def test_given_the_login_analysis_then_it_queries_managed_prometheus_with_sigv4_about_the_canary_pods_only(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    template = one(overlays[env], "AnalysisTemplate", TEMPLATE)
    assert [arg["name"] for arg in template["spec"]["args"]] == ["canary-hash"]
    metrics = {metric["name"]: metric for metric in template["spec"]["metrics"]}
    assert set(metrics) == {"success-rate", "p99-latency-seconds"}
    for metric in metrics.values():
        prometheus = metric["provider"]["prometheus"]
        assert re.fullmatch(
            rf"https://aps-workspaces\.{REGION[env]}\.amazonaws\.com/workspaces/ws-[0-9a-f-]+", prometheus["address"]
        )
        assert prometheus["authentication"] == {"sigv4": {"region": REGION[env]}}
        # Every series selector (its braces may hold the {{args.canary-hash}} placeholder)
        selectors = re.findall(r"\{((?:[^{}]|\{\{[^{}]*\}\})*)\}\[2m\]", prometheus["query"])
        assert len(selectors) >= 2
        for selector in selectors:
            assert 'app="login"' in selector
            assert 'rollouts_pod_template_hash="{{args.canary-hash}}"' in selector
            assert selector.count("handler!~") == 1
            assert "/healthz|/readyz" in selector
        # Below the floor both conditions are false (Inconclusive); a failed run aborts, a few failures do not
        assert metric["successCondition"].startswith("len(result) > 0 && ")
        assert metric["failureCondition"].startswith("len(result) > 0 && ")
        assert int(metric["failureLimit"]) >= 1
        assert int(metric["inconclusiveLimit"]) >= 1


def _threshold(condition: str) -> float:
    match = re.fullmatch(r"len\(result\) > 0 && result\[0\] (?:>=|<) ([0-9.]+)", condition)
    assert match, condition
    return float(match[1])


def _series(name: str, values: str, **labels: str) -> dict[str, str]:
    text = ", ".join(f'{key}="{value}"' for key, value in {"namespace": NAMESPACE, "app": "login", **labels}.items())
    return {"series": f"{name}{{{text}}}", "values": values}


def _requests(pod_hash: str, handler: str, status: str, per_second: float) -> dict[str, str]:
    # One sample every 15 s for 10 minutes, counting up at `per_second`
    return _series(
        "http_requests_total",
        f"0+{per_second * 15:g}x40",
        rollouts_pod_template_hash=pod_hash,
        handler=handler,
        method="POST" if handler.startswith("/auth") else "GET",
        status=status,
    )


def _durations(pod_hash: str, handler: str, per_second: float, bucket: float) -> list[dict[str, str]]:
    """Histogram series of requests that each took just under ``bucket`` seconds."""
    series = []
    for le in ("0.05", "0.1", "0.5", "1.0", "5.0", "+Inf"):
        rate = per_second if le == "+Inf" or float(le) >= bucket else 0.0
        series.append(
            _series(
                "http_request_duration_seconds_bucket",
                f"0+{rate * 15:g}x40",
                rollouts_pod_template_hash=pod_hash,
                handler=handler,
                method="GET",
                le=le,
            )
        )
    series.append(
        _series(
            "http_request_duration_seconds_count",
            f"0+{per_second * 15:g}x40",
            rollouts_pod_template_hash=pod_hash,
            handler=handler,
            method="GET",
        )
    )
    return series


def test_prometheus_answers_the_login_analysis_as_its_conditions_expect(
    overlays: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    assert Path(PROMTOOL).is_file() or shutil.which(PROMTOOL), f"no promtool at {PROMTOOL} (set PROMTOOL)"
    metrics = {m["name"]: m for m in one(overlays["dev"], "AnalysisTemplate", TEMPLATE)["spec"]["metrics"]}

    def query(metric: str) -> str:
        text: str = metrics[metric]["provider"]["prometheus"]["query"]
        assert text.count("{{args.canary-hash}}") >= 2
        return text.replace("{{args.canary-hash}}", CANARY)

    success_floor = _threshold(metrics["success-rate"]["successCondition"])
    latency_limit = _threshold(metrics["p99-latency-seconds"]["successCondition"])
    assert success_floor == _threshold(metrics["success-rate"]["failureCondition"])
    assert latency_limit == _threshold(metrics["p99-latency-seconds"]["failureCondition"])
    healthy_p99 = 0.05 + (0.1 - 0.05) * 0.99  # every request in (0.05, 0.1]: interpolated within that bucket
    cases: list[tuple[str, list[dict[str, str]], str, list[float]]] = [
        # A healthy canary; the stable pods' 5xx and the canary's own probes (even failing ones) do not count
        (
            "healthy canary, failing stable",
            [
                _requests(CANARY, "/api/menu", "200", 1.0),
                _requests(CANARY, "/readyz", "503", 0.2),
                _requests(CANARY, "/healthz", "500", 0.2),
                _requests(STABLE, "/api/menu", "500", 5.0),
            ],
            "success-rate",
            [1.0],
        ),
        # 2% of the canary's answers are 5xx, some of them from the recommendation route: below 0.99, Failed
        (
            "2% 5xx on the canary",
            [
                _requests(CANARY, "/api/menu", "200", 0.48),
                _requests(CANARY, "/auth/login", "401", 0.5),  # a wrong password is the client's doing
                _requests(CANARY, "/api/recommendations", "503", 0.01),
                _requests(CANARY, "/auth/login", "500", 0.01),
            ],
            "success-rate",
            [0.98],
        ),
        # Nothing but probes, or customers below the floor: no sample at all, i.e. Inconclusive
        ("probes only", [_requests(CANARY, "/readyz", "200", 0.2)], "success-rate", []),
        ("below the floor", [_requests(CANARY, "/api/menu", "500", 0.1)], "success-rate", []),
        # Latency: the hashing routes' deliberate slowness is not the gateway's, a slow menu is
        (
            "fast menu, slow logins",
            [*_durations(CANARY, "/api/menu", 1.0, 0.1), *_durations(CANARY, "/auth/login", 1.0, 5.0)],
            "p99-latency-seconds",
            [healthy_p99],
        ),
        (
            "slow menu on the canary only",
            [*_durations(CANARY, "/api/menu", 1.0, 1.0), *_durations(STABLE, "/api/menu", 5.0, 0.1)],
            "p99-latency-seconds",
            [0.5 + (1.0 - 0.5) * 0.99],
        ),
        ("only logins", [*_durations(CANARY, "/auth/login", 1.0, 0.1)], "p99-latency-seconds", []),
    ]
    # The expectations are on the right side of the conditions' thresholds
    assert cases[0][3][0] >= success_floor > cases[1][3][0]
    assert cases[4][3][0] < latency_limit <= cases[5][3][0]
    tests = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": name,
                "interval": "15s",
                "input_series": series,
                "promql_expr_test": [
                    {
                        "expr": query(metric),
                        "eval_time": "10m",
                        "exp_samples": [{"labels": "{}", "value": value} for value in expected],
                    }
                ],
            }
            for name, series, metric, expected in cases
        ],
    }
    path = tmp_path / "login_health_test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    result = subprocess.run([PROMTOOL, "test", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --- offline validation of the canary strategy ------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(kubernetes_version=cluster_kubernetes_version())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(maxSurg="25%"), "maxSurg"),
        (lambda c: c["steps"].__setitem__(0, {"setWeight": 25, "pause": {}}), "steps.0"),
        (lambda c: c["steps"].__setitem__(0, {"setWeight": 150}), "steps.0.setWeight"),
        (lambda c: c["steps"][1]["analysis"]["templates"][0].update(templateNam="x"), "templateNam"),
        # Traffic-router features, which the controller rejects on a basic canary (validation.go)
        (lambda c: c.update(dynamicStableScale=True), "dynamicStableScale"),
        (lambda c: c.update(scaleDownDelaySeconds=30), "scaleDownDelaySeconds"),
    ],
)
def test_given_a_broken_canary_strategy_then_the_rollout_schema_rejects_it(
    validator: Validator, overlays: dict[str, list[Manifest]], change: Any, expected: str
) -> None:
    rollout = copy.deepcopy(one(overlays["prod"], "Rollout", "login"))
    assert list(validator.errors(rollout)) == []
    change(rollout["spec"]["strategy"]["canary"])
    assert any(expected in error for error in validator.errors(rollout))


def test_given_the_login_rollout_then_checkov_scans_its_pod_template(overlays: dict[str, list[Manifest]]) -> None:
    rollout = one(overlays["prod"], "Rollout", "login")
    view = checkov_view([rollout])
    assert [d["kind"] for d in view] == ["Rollout", "Deployment"]
    assert view[1]["spec"]["template"] == rollout["spec"]["template"]
