"""The order service's release check, asserted on `kubectl kustomize k8s/overlays/<env>` and evaluated by promtool.

Before promotion the preview has no customers, so the pre-promotion analysis runs two templates in one AnalysisRun:
`release-smoke`, a Job (Argo Rollouts' job provider) that drives the loadgen's smoke customers at the
order-preview Service for the whole analysis window, and `order-health`, which measures that traffic on the new
pods only, probes excluded, with a request-rate floor below which the result is empty (Inconclusive, never a pass).
Only the check's pods (besides the gateway) reach the order API, and they reach nothing else. The queries are run
by the real Prometheus engine (promtool) over synthetic series.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from k8s.manifests import Manifest
from k8s.validate import Validator, checkov_view, cluster_kubernetes_version
from local.analysis import parse_duration
from stacks.config import ENVIRONMENTS
from tests.infrastructure.k8s_documents import one
from tests.infrastructure.k8s_selectors import selects

ROOT = Path(__file__).resolve().parents[2]
LOADGEN = ROOT / "containers" / "loadgen"
if str(LOADGEN) not in sys.path:
    sys.path.insert(0, str(LOADGEN))  # the loadgen package is the image's, not installed

from loadgen import customer_settings, direct, shapes  # noqa: E402  (pure modules: no Locust import)

PROMTOOL = os.environ.get("PROMTOOL") or str(ROOT / ".tools" / "usr" / "bin" / "promtool")
NAMESPACE = "tlj"
SMOKE, HEALTH = "release-smoke", "order-health"
CHECK_LABELS = {"app": "release-check"}
NEW, OLD = "new1", "old1"  # rollouts_pod_template_hash values in the synthetic series
FLOOR = 0.5  # non-probe requests/s on the new pods (the measurement is in analysis-template.yaml's header)
SMOKE_RATE = 2.4  # what the smoke Job's 10 customers send the order service, measured on the local platform
PROBES = '"/healthz|/readyz"'
REGION = {config.name: config.region for config in ENVIRONMENTS}
ECR = {config.name: rf"[0-9]{{12}}\.dkr\.ecr\.{re.escape(config.region)}\.amazonaws\.com" for config in ENVIRONMENTS}
SCRAPE_INTERVAL_S = {config.name: config.metrics.scrape_interval_seconds for config in ENVIRONMENTS}


def smoke_metric(documents: list[Manifest]) -> dict[str, Any]:
    (metric,) = one(documents, "AnalysisTemplate", SMOKE)["spec"]["metrics"]
    return dict(metric)


def job_pod(documents: list[Manifest]) -> dict[str, Any]:
    return dict(smoke_metric(documents)["provider"]["job"]["spec"]["template"])


def defaults(documents: list[Manifest]) -> dict[str, str | None]:
    return {arg["name"]: arg.get("value") for arg in one(documents, "AnalysisTemplate", SMOKE)["spec"]["args"]}


def health_window_s(documents: list[Manifest]) -> int:
    """initialDelay + count x interval of order-health: how long its measurements need traffic."""
    metrics = one(documents, "AnalysisTemplate", HEALTH)["spec"]["metrics"]
    return max(parse_duration(m["initialDelay"]) + int(m["count"]) * parse_duration(m["interval"]) for m in metrics)


def blue_green(documents: list[Manifest]) -> dict[str, Any]:
    return dict(one(documents, "Rollout", "order")["spec"]["strategy"]["blueGreen"])


def resolved_env(documents: list[Manifest], args: dict[str, str]) -> dict[str, str]:
    """The Job container's environment once the controller substituted `{{args.*}}` (utils/template, v1.8.3)."""
    (container,) = job_pod(documents)["spec"]["containers"]
    values = {**{k: v for k, v in defaults(documents).items() if v is not None}, **args}
    env = {}
    for item in container["env"]:
        assert set(item) == {"name", "value"}, f"{item['name']}: only literal values (no secret, no field ref)"
        env[item["name"]] = re.sub(r"\{\{\s*args\.([a-z-]+)\s*\}\}", lambda m: values[m[1]], item["value"])
    return env


def promotion_args(analysis: dict[str, Any]) -> dict[str, str]:
    return {arg["name"]: arg["value"] for arg in analysis["args"] if "value" in arg}


# --- the Rollout: which templates run when ----------------------------------------------------------------------


def test_given_a_release_then_before_promotion_the_smoke_job_drives_the_preview_service_while_health_measures_it(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    pre = blue_green(documents)["prePromotionAnalysis"]
    assert [t["templateName"] for t in pre["templates"]] == [SMOKE, HEALTH]
    order_url = urlsplit(promotion_args(pre)["order-url"])
    # The order-url is the preview Service (the new ReplicaSet), on its service port, by cluster DNS
    preview = blue_green(documents)["previewService"]
    assert (order_url.scheme, order_url.hostname, order_url.port) == (
        "http",
        f"{preview}.{NAMESPACE}.svc.cluster.local",
        None,
    )
    assert [p["port"] for p in one(documents, "Service", preview)["spec"]["ports"]] == [80]
    # And the gateway URL (the default) is Service login, which selects the gateway's pods
    gateway = urlsplit(str(defaults(documents)["gateway-url"]))
    assert gateway.hostname == f"login.{NAMESPACE}.svc.cluster.local"
    login_pods = one(documents, "Rollout", "login")["spec"]["template"]["metadata"]["labels"]
    assert selects({"matchLabels": one(documents, "Service", "login")["spec"]["selector"]}, login_pods)


def test_given_dev_then_after_promotion_the_smoke_job_drives_the_active_service_and_prod_measures_customers_only(
    overlays: dict[str, list[Manifest]],
) -> None:
    dev = blue_green(overlays["dev"])["postPromotionAnalysis"]
    assert [t["templateName"] for t in dev["templates"]] == [SMOKE, HEALTH]
    active = blue_green(overlays["dev"])["activeService"]
    assert urlsplit(promotion_args(dev)["order-url"]).hostname == f"{active}.{NAMESPACE}.svc.cluster.local"
    prod = blue_green(overlays["prod"])["postPromotionAnalysis"]
    assert [t["templateName"] for t in prod["templates"]] == [HEALTH]
    assert "order-url" not in {arg["name"] for arg in prod["args"]}


def test_given_each_analysis_then_the_templates_metrics_have_distinct_names_and_every_open_argument_is_given(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    # The controller merges the templates of one analysis: a duplicate metric name or an argument no template
    # declares, or one left open, is refused (utils/analysis/helpers.go flattenMetrics / flattenArgs / MergeArgs).
    for phase in ("prePromotionAnalysis", "postPromotionAnalysis"):
        analysis = blue_green(overlays[env])[phase]
        templates = [one(overlays[env], "AnalysisTemplate", t["templateName"]) for t in analysis["templates"]]
        names = [m["name"] for t in templates for m in t["spec"]["metrics"]]
        assert len(names) == len(set(names)), phase
        declared = {arg["name"] for t in templates for arg in t["spec"].get("args", [])}
        open_args = {
            arg["name"] for t in templates for arg in t["spec"].get("args", []) if not {"value", "valueFrom"} & set(arg)
        }
        assert open_args <= {arg["name"] for arg in analysis["args"]} <= declared, phase


# --- the Job ----------------------------------------------------------------------------------------------------


def test_given_the_smoke_metric_then_it_is_one_job_whose_failure_fails_the_analysis(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    metric = smoke_metric(overlays[env])
    assert set(metric["provider"]) == {"job"}
    # One measurement (no count/interval: the job provider's single run), no failure tolerated
    assert "count" not in metric
    assert "interval" not in metric
    assert int(metric["failureLimit"]) == 0
    # The Job is named <run uid (36)>.<metric>.<n> and the Job controller copies the name into a pod label (63)
    assert 36 + 1 + len(metric["name"]) + 1 + 2 <= 63
    spec = metric["provider"]["job"]["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert int(spec["ttlSecondsAfterFinished"]) > 0
    # The Job's own labels (copied by the provider) and its pods' labels name the release check
    assert metric["provider"]["job"]["metadata"]["labels"]["app"] == "release-check"
    assert spec["template"]["metadata"]["labels"]["app"] == "release-check"


def test_given_the_smoke_job_then_its_customers_keep_going_for_the_whole_health_window_and_the_deadline_allows_it(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    hold = float(str(defaults(documents)["hold-seconds"]))
    assert hold >= health_window_s(documents)
    env_vars = resolved_env(documents, {"order-url": "http://order-preview.tlj.svc.cluster.local"})
    assert env_vars["LOAD_HOLD_S"] == str(defaults(documents)["hold-seconds"])
    # The loadgen plays the smoke profile held that long: users from the first seconds until `hold`
    profile = shapes.held_until(shapes.profile_named(env_vars["LOAD_PROFILE"]), hold)
    assert profile.stages[0].users == shapes.PROFILES["smoke"].peak_users
    assert profile.load_s == hold
    schedule = shapes.Schedule(profile=profile)
    assert schedule.tick(10, 0) == (10, 2)
    assert schedule.tick(hold - 1, 10) == (10, 2)
    # And the deadline leaves room for the drain, the settle and a pod start after the hold
    (container,) = job_pod(documents)["spec"]["containers"]
    stop = container["args"][container["args"].index("--stop-timeout") + 1]
    assert parse_duration(stop) == shapes.STOP_TIMEOUT_S
    deadline = smoke_metric(documents)["provider"]["job"]["spec"]["activeDeadlineSeconds"]
    assert deadline >= profile.max_duration_s + 60


def test_given_a_blue_green_pre_promotion_analysis_then_the_progress_deadline_outlasts_the_smoke_job(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    # Argo Rollouts v1.8.3 keeps the progress clock running during a blue-green pre-promotion analysis (only a pause
    # stops it: rollout/sync.go isIndefiniteStep); with progressDeadlineAbort a run longer than the deadline aborts
    # a good release. The run lasts until the Job ends, at the latest at its activeDeadlineSeconds.
    documents = overlays[env]
    rollout = one(documents, "Rollout", "order")["spec"]
    deadline = smoke_metric(documents)["provider"]["job"]["spec"]["activeDeadlineSeconds"]
    assert rollout["progressDeadlineAbort"] is True
    assert rollout["progressDeadlineSeconds"] >= deadline + 120
    assert rollout["progressDeadlineSeconds"] >= health_window_s(documents) + 120


def test_given_the_smoke_job_then_the_loadgen_accepts_its_settings_and_sends_orders_to_the_url_it_is_given(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    preview = "http://order-preview.tlj.svc.cluster.local"
    variables = resolved_env(documents, {"order-url": preview})
    assert variables["LOCUST_HOST"] == defaults(documents)["gateway-url"]
    assert (variables["LOAD_PROFILE"], variables["LOAD_TARGET"]) == ("smoke", "preview")
    # Identifiable synthetic customers whose orders are cancelled when they stop
    assert variables["LOAD_EMAIL_PREFIX"] == "release-check"
    assert variables["LOAD_CANCEL_AT_STOP"] == "true"
    customer_settings.check(variables)  # what the image checks before it starts any user
    routes = direct.from_env(variables)
    assert routes is not None
    assert routes.route("/api/orders", "POST /api/orders", "c1") == (f"{preview}/orders", "POST /orders")
    assert routes.route("/api/menu", "GET /api/menu", None) == (f"{preview}/menu", "GET /menu")
    # Tokens and recommendations come from the gateway (the Locust host), like any customer's
    assert routes.route("/auth/login", "POST /auth/login", None) == ("/auth/login", "POST /auth/login")
    assert routes.route("/api/recommendations?k=3", "GET /api/recommendations", "c1")[0] == "/api/recommendations?k=3"
    # Every {{args.*}} the Job uses is declared by its template
    used = set(re.findall(r"\{\{\s*args\.([a-z-]+)\s*\}\}", yaml.safe_dump(smoke_metric(documents))))
    assert used == set(defaults(documents))


def test_given_the_smoke_job_then_its_pod_is_restricted_has_no_token_no_secret_and_runs_on_amd64_like_the_services(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    pod = job_pod(documents)["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert "serviceAccountName" not in pod, "no role: it calls HTTP APIs with the tokens it gets itself"
    order_pod = one(documents, "Rollout", "order")["spec"]["template"]["spec"]
    assert (
        pod["nodeSelector"] == order_pod["nodeSelector"] == {"kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux"}
    )
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    context = container["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] >= 10000
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    # Writable paths are emptyDirs: Locust's results and /tmp
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in container["volumeMounts"]:
        assert "emptyDir" in volumes[mount["name"]], mount
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/tmp", "/app/.run/load"}
    assert container["resources"]["requests"]["memory"] == container["resources"]["limits"]["memory"]
    assert container["resources"]["requests"]["cpu"]
    assert "envFrom" not in container
    assert not [item for item in container["env"] if "valueFrom" in item]


def test_given_the_smoke_job_then_its_image_is_the_environments_loadgen_pinned_by_digest(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    # Measured: kustomize's images transformer rewrites `containers[].image` in any resource, the
    # AnalysisTemplate's job spec included, without a `configurations:` fieldSpec.
    (container,) = job_pod(overlays[env])["spec"]["containers"]
    repository = rf"{ECR[env]}/tlj-{env}-loadgen"
    assert re.fullmatch(rf"{repository}:[0-9a-f]{{40}}@sha256:[0-9a-f]{{64}}", container["image"]), container["image"]


def test_given_checkov_then_it_scans_the_smoke_job_as_the_job_argo_rollouts_creates(
    overlays: dict[str, list[Manifest]],
) -> None:
    view = checkov_view(overlays["prod"])
    (job,) = [d for d in view if d["kind"] == "Job"]
    assert job["metadata"]["namespace"] == NAMESPACE
    assert job["spec"] == smoke_metric(overlays["prod"])["provider"]["job"]["spec"]


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(kubernetes_version=cluster_kubernetes_version())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda job: job.update(metdata={}), "metdata"),
        (lambda job: job["spec"].update(backofLimit=0), "backofLimit"),
        (lambda job: job["spec"].update(activeDeadlineSeconds="ten"), "job.spec.activeDeadlineSeconds"),
        (lambda job: job["spec"]["template"]["spec"]["containers"][0].update(imagee="x"), "imagee"),
        (lambda job: job["metadata"].update(name="not-copied"), "name"),
    ],
)
def test_given_a_broken_job_metric_then_the_analysis_template_schema_rejects_it(
    validator: Validator, overlays: dict[str, list[Manifest]], change: Any, expected: str
) -> None:
    template = copy.deepcopy(one(overlays["dev"], "AnalysisTemplate", SMOKE))
    assert list(validator.errors(template)) == []
    change(template["spec"]["metrics"][0]["provider"]["job"])
    assert any(expected in error for error in validator.errors(template))


# --- the health queries: probes excluded, a floor ---------------------------------------------------------------


def selectors(query: str) -> list[str]:
    """Every series selector in a query (its braces may hold the {{args.preview-hash}} placeholder)."""
    return re.findall(r"\{((?:[^{}]|\{\{[^{}]*\}\})*)\}\[2m\]", query)


def test_given_the_health_queries_then_every_selector_measures_the_new_pods_without_probes_and_a_floor_gates_it(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    metrics = {m["name"]: m for m in one(overlays[env], "AnalysisTemplate", HEALTH)["spec"]["metrics"]}
    assert set(metrics) == {"success-rate", "p99-latency-seconds"}
    for name, metric in metrics.items():
        query = metric["provider"]["prometheus"]["query"]
        found = selectors(query)
        assert len(found) >= 2, name
        for selector in found:
            assert f'namespace="{NAMESPACE}"' in selector, selector
            assert 'app="order"' in selector, selector
            assert 'rollouts_pod_template_hash="{{args.preview-hash}}"' in selector, selector
            assert f"handler!~{PROBES}" in selector, selector
        # The floor: the whole measurement `and on()` the new pods' non-probe request rate above FLOOR
        measured, _, floor = query.rpartition("and on()")
        assert measured.strip(), name
        assert re.fullmatch(r"\(sum\(rate\(http_requests_total\{[^\n]*\}\[2m\]\)\) >= ([0-9.]+)\)", floor.strip()), (
            floor
        )
        assert float(re.findall(r">= ([0-9.]+)\)$", floor.strip())[0]) == FLOOR
        # Empty (below the floor) or NaN: both conditions false, i.e. Inconclusive (utils/evaluate, v1.8.3)
        assert metric["successCondition"].startswith("len(result) > 0 && ")
        assert metric["failureCondition"].startswith("len(result) > 0 && ")
        assert int(metric["inconclusiveLimit"]) >= 1


def test_given_the_floor_then_it_is_far_below_the_smoke_jobs_first_reading_and_above_a_pods_probes(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    metrics = one(overlays[env], "AnalysisTemplate", HEALTH)["spec"]["metrics"]
    for metric in metrics:
        # At the first measurement the Job's traffic is initialDelay old, less a pod start (~30 s); its newest
        # scraped sample may be a scrape interval old; a rate needs two samples. rate(x[2m]) extrapolates back to
        # where the new counters were zero, so it reads about (age of the traffic it saw)/120 of the true rate.
        traffic = parse_duration(metric["initialDelay"]) - 30
        assert traffic >= 2 * SCRAPE_INTERVAL_S[env], metric["name"]
        age = traffic - SCRAPE_INTERVAL_S[env]
        assert SMOKE_RATE * min(age, 120) / 120 >= 2 * FLOOR, metric["name"]
    # One pod's probes: a liveness and a readiness probe every 10 s (excluded anyway; the floor would stop them too)
    (container,) = one(overlays[env], "Rollout", "order")["spec"]["template"]["spec"]["containers"]
    probes = sum(1 / container[p]["periodSeconds"] for p in ("livenessProbe", "readinessProbe"))
    assert probes * 2 <= FLOOR


def _series(name: str, values: str, **labels: str) -> dict[str, str]:
    text = ", ".join(f'{key}="{value}"' for key, value in {"namespace": NAMESPACE, "app": "order", **labels}.items())
    return {"series": f"{name}{{{text}}}", "values": values}


def _counter(per_second: float, interval_s: int, missing: int = 0, total: int = 40) -> str:
    """Samples every interval for `total` steps, counting up at per_second, absent for the first `missing` steps."""
    present = f"0+{per_second * interval_s:g}x{total - missing}"
    return f"_x{missing} {present}" if missing else present


def _requests(pod_hash: str, handler: str, status: str, per_second: float, **timing: int) -> dict[str, str]:
    interval = timing.get("interval_s", 15)
    return _series(
        "http_requests_total",
        _counter(per_second, interval, timing.get("missing", 0), timing.get("total", 40)),
        rollouts_pod_template_hash=pod_hash,
        handler=handler,
        method="POST" if handler == "/orders" else "GET",
        status=status,
    )


def _durations(pod_hash: str, handler: str, per_second: float, took: float) -> list[dict[str, str]]:
    """The histogram of requests that each took `took` s (buckets of service_kit.metrics) and their count."""
    buckets = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
    series = [
        _series(
            "http_request_duration_seconds_bucket",
            _counter(per_second if le >= took else 0.0, 15),
            rollouts_pod_template_hash=pod_hash,
            handler=handler,
            method="GET",
            le=f"{le:g}",
        )
        for le in buckets
    ]
    series.append(
        _series(
            "http_request_duration_seconds_bucket",
            _counter(per_second, 15),
            rollouts_pod_template_hash=pod_hash,
            handler=handler,
            method="GET",
            le="+Inf",
        )
    )
    return series


def test_prometheus_answers_the_order_analysis_as_its_conditions_expect(
    overlays: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    assert Path(PROMTOOL).is_file() or shutil.which(PROMTOOL), f"no promtool at {PROMTOOL} (set PROMTOOL)"
    metrics = {m["name"]: m for m in one(overlays["dev"], "AnalysisTemplate", HEALTH)["spec"]["metrics"]}

    def query(metric: str) -> str:
        text: str = metrics[metric]["provider"]["prometheus"]["query"]
        return text.replace("{{args.preview-hash}}", NEW)

    def p99(took_bucket_low: float, took_bucket_high: float) -> float:
        return took_bucket_low + (took_bucket_high - took_bucket_low) * 0.99

    steady = SMOKE_RATE - 0.1
    cases: list[tuple[str, int, list[dict[str, str]], str, list[float]]] = [
        # The smoke Job's traffic on the new pods; the old pods' 5xx and the new pods' failing probes do not count
        (
            "healthy preview",
            15,
            [
                _requests(NEW, "/menu", "200", 2.0),
                _requests(NEW, "/orders", "201", 0.4),
                _requests(NEW, "/readyz", "503", 0.1),
                _requests(NEW, "/healthz", "500", 0.1),
                _requests(OLD, "/orders", "500", 5.0),
            ],
            "success-rate",
            [1.0],
        ),
        # 4 % of the new pods' answers are 5xx: below 0.99, Failed (a 4xx is the client's and counts as served)
        (
            "4% 5xx",
            15,
            [
                _requests(NEW, "/menu", "200", 2.3),
                _requests(NEW, "/orders", "422", 0.1),
                _requests(NEW, "/orders", "503", 0.1),
            ],
            "success-rate",
            [0.96],
        ),
        # Every answer a 5xx: a score of 0 (Failed), not "no data"
        ("all 5xx", 15, [_requests(NEW, "/orders", "500", steady)], "success-rate", [0.0]),
        # Nothing but probes (three preview pods' worth), or orders below the floor, or nothing: Inconclusive
        (
            "probes only",
            15,
            [_requests(NEW, "/readyz", "200", 0.3), _requests(NEW, "/healthz", "200", 0.3)],
            "success-rate",
            [],
        ),
        ("below the floor", 15, [_requests(NEW, "/orders", "500", FLOOR * 0.8)], "success-rate", []),
        ("the old pods only", 15, [_requests(OLD, "/orders", "200", 5.0)], "success-rate", []),
        # The first measurement: the Job's traffic began 60 s ago, scraped every 30 s as in the cluster
        (
            "first measurement",
            30,
            [_requests(NEW, "/orders", "201", SMOKE_RATE, interval_s=30, missing=18, total=20)],
            "success-rate",
            [1.0],
        ),
        # Latency on the new pods only, probes aside
        (
            "fast preview",
            15,
            [
                _requests(NEW, "/orders", "201", steady),
                *_durations(NEW, "/orders", steady, 0.1),
                *_durations(NEW, "/readyz", 0.1, 5.0),
                *_durations(OLD, "/orders", 5.0, 5.0),
            ],
            "p99-latency-seconds",
            [p99(0.05, 0.1)],
        ),
        (
            "slow preview",
            15,
            [_requests(NEW, "/orders", "201", steady), *_durations(NEW, "/orders", steady, 0.9)],
            "p99-latency-seconds",
            [p99(0.5, 1.0)],
        ),
        (
            "slow, below the floor",
            15,
            [_requests(NEW, "/orders", "201", 0.2), *_durations(NEW, "/orders", 0.2, 0.9)],
            "p99-latency-seconds",
            [],
        ),
        (
            "slow probes only",
            15,
            [_requests(NEW, "/readyz", "200", 0.3), *_durations(NEW, "/readyz", 0.3, 5.0)],
            "p99-latency-seconds",
            [],
        ),
    ]
    success = float(metrics["success-rate"]["successCondition"].rsplit(" ", 1)[1])
    latency = float(metrics["p99-latency-seconds"]["successCondition"].rsplit(" ", 1)[1])
    # The expectations sit on the intended side of the conditions' thresholds
    assert cases[0][4][0] >= success > cases[1][4][0]
    assert cases[7][4][0] < latency <= cases[8][4][0]
    eval_time = {15: "10m", 30: "10m"}
    tests = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": name,
                "interval": f"{interval}s",
                "input_series": series,
                "promql_expr_test": [
                    {
                        "expr": query(metric),
                        "eval_time": eval_time[interval],
                        "exp_samples": [{"labels": "{}", "value": value} for value in expected],
                    }
                ],
            }
            for name, interval, series, metric, expected in cases
        ],
    }
    path = tmp_path / "order_health_test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    result = subprocess.run([PROMTOOL, "test", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --- NetworkPolicies ----------------------------------------------------------------------------------------------


def policies_selecting(documents: list[Manifest], labels: dict[str, str], kind: str) -> list[Manifest]:
    return [
        d
        for d in documents
        if d["kind"] == "NetworkPolicy"
        and kind in d["spec"].get("policyTypes", [])
        and selects(d["spec"]["podSelector"], labels)
    ]


def peers_admitting(documents: list[Manifest], target: dict[str, str], port: int) -> list[dict[str, Any]]:
    return [
        peer
        for policy in policies_selecting(documents, target, "Ingress")
        for rule in policy["spec"].get("ingress", [])
        if port in {p["port"] for p in rule.get("ports", [])}
        for peer in rule.get("from", [])
    ]


def test_given_the_policies_then_the_check_pods_and_the_gateway_are_the_only_pods_that_reach_the_order_api(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    check = job_pod(documents)["metadata"]["labels"]
    order = one(documents, "Rollout", "order")["spec"]["template"]["metadata"]["labels"]
    login = one(documents, "Rollout", "login")["spec"]["template"]["metadata"]["labels"]
    loadtest_worker = {"app": "loadgen", "app.kubernetes.io/component": "worker"}
    peers = peers_admitting(documents, order, 8081)
    assert peers, "nobody reaches the order API"
    for peer in peers:
        assert set(peer) == {"podSelector"}, f"{peer}: only pods of this namespace, by label"
    admitted = [peer["podSelector"] for peer in peers]
    assert any(selects(s, check) for s in admitted)
    assert any(selects(s, login) for s in admitted)
    # Nothing else: not the load test's workers, not the order pods themselves, not an unlabelled pod
    for labels in (loadtest_worker, order, {}, {"app": "release-checker"}):
        assert not any(selects(s, labels) for s in admitted), labels
    # The check pods are admitted to the gateway too (signup, login, recommendations), on its API port only
    gateway_peers = [p["podSelector"] for p in peers_admitting(documents, login, 8080) if "podSelector" in p]
    assert any(selects(s, check) for s in gateway_peers)
    metrics_peers = peers_admitting(documents, login, 9090)
    assert not any(selects(p["podSelector"], check) for p in metrics_peers if "podSelector" in p)


def test_given_the_policies_then_the_check_pods_reach_only_the_order_api_the_gateway_and_dns_and_nothing_reaches_them(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    check = job_pod(documents)["metadata"]["labels"]
    order = one(documents, "Rollout", "order")["spec"]["template"]["metadata"]["labels"]
    login = one(documents, "Rollout", "login")["spec"]["template"]["metadata"]["labels"]
    opened: set[tuple[str, int, str]] = set()
    for policy in policies_selecting(documents, check, "Egress"):
        for rule in policy["spec"].get("egress", []):
            ports = {(p.get("protocol", "TCP"), p["port"]) for p in rule["ports"]}
            if ports <= {("UDP", 53), ("TCP", 53)}:
                opened |= {(protocol, port, "dns") for protocol, port in ports}
                continue
            for peer in rule["to"]:
                assert set(peer) == {"podSelector"}, f"{policy['metadata']['name']}: {peer}"
                target = (
                    "order"
                    if selects(peer["podSelector"], order)
                    else "login"
                    if selects(peer["podSelector"], login)
                    else "?"
                )
                opened |= {(protocol, port, target) for protocol, port in ports}
    assert opened == {("UDP", 53, "dns"), ("TCP", 53, "dns"), ("TCP", 8081, "order"), ("TCP", 8080, "login")}
    # Default deny holds for them: no policy admits anyone to the check pods
    for policy in policies_selecting(documents, check, "Ingress"):
        assert not policy["spec"].get("ingress"), policy["metadata"]["name"]
    # And no AWS egress (they have no role): the HTTPS policy selects the services only
    assert not selects(one(documents, "NetworkPolicy", "aws-apis-egress")["spec"]["podSelector"], check)
