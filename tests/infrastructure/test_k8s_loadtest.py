"""What `kubectl kustomize k8s/loadtest/overlays/<env>` promises: the load test on EKS (issue 12).

A master Job and a worker Deployment in a restricted namespace, hardened like the services, running the repository's
locustfile against the login gateway's Service; the workers reach the gateway and never the order service; Argo CD
never syncs any of it. The documents pass kubernetes-validate (strict) and checkov as `python -m k8s.validate` runs
them. kubectl and checkov come from `make install`: without them these tests fail, they do not skip.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8s.manifests import ENVIRONMENT_NAMES, K8S_DIR, MANUAL_TARGETS, TARGETS, Manifest, render
from k8s.validate import Validator, cluster_kubernetes_version, run_checkov
from loadgen import shapes
from stacks.config import ENVIRONMENTS, EnvironmentConfig
from stacks.constructs.delivery import IMAGES
from tests.infrastructure.k8s_selectors import selects

REPO_ROOT = K8S_DIR.parent
LOCUSTFILE = REPO_ROOT / "containers" / "loadgen" / "loadgen" / "locustfile.py"
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
CONFIGS: dict[str, EnvironmentConfig] = {config.name: config for config in ENVIRONMENTS}
NAMESPACE = "loadtest"


@pytest.fixture(scope="module")
def loadtests() -> dict[str, list[Manifest]]:
    return {env: render(f"loadtest/overlays/{env}") for env in ENVIRONMENT_NAMES}


def one(documents: list[Manifest], kind: str, name: str | None = None) -> Manifest:
    found = [d for d in documents if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def container(workload: Manifest) -> dict[str, Any]:
    (only,) = pod_spec(workload)["containers"]
    return dict(only)


def option(args: list[str], name: str) -> str:
    assert args.count(name) == 1, f"{name} given {args.count(name)} times in {args}"
    return args[args.index(name) + 1]


def master(documents: list[Manifest]) -> Manifest:
    return one(documents, "Job", "loadgen-master")


def workers(documents: list[Manifest]) -> Manifest:
    return one(documents, "Deployment", "loadgen-worker")


# --- not synced, and the same locustfile ---------------------------------------------------------------------------


def test_given_the_gitops_targets_then_none_of_them_includes_the_load_test() -> None:
    # Argo CD syncs TARGETS: k8s/platform/<env>'s Applications, which point at k8s/overlays/<env>.
    assert set(MANUAL_TARGETS).isdisjoint(TARGETS)
    sources = [
        source
        for env in ENVIRONMENT_NAMES
        for app in render(f"platform/{env}")
        if app["kind"] == "Application"
        for source in [app["spec"].get("source", {}), *app["spec"].get("sources", [])]
    ]
    assert sources
    assert all("loadtest" not in str(source.get("path", "")) for source in sources)
    kustomizations = [p for p in K8S_DIR.rglob("kustomization.yaml") if "loadtest" not in p.relative_to(K8S_DIR).parts]
    assert len(kustomizations) >= 6
    for path in kustomizations:
        included = yaml.safe_load(path.read_text())
        for key in ("resources", "components", "bases"):
            assert not [entry for entry in included.get(key) or [] if "loadtest" in entry], f"{path} includes it"


def test_given_the_release_workflow_then_it_builds_the_loadgen_image_and_sets_it_in_the_load_test_overlays(
    loadtests: dict[str, list[Manifest]],
) -> None:
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert set(workflow["jobs"]["build"]["strategy"]["matrix"]["service"]) == set(IMAGES)
    # The bump sets every image each dev overlay lists (.github/scripts/overlay_images.py, tests/unit/workflows).
    bump = "\n".join(step.get("run", "") for step in workflow["jobs"]["bump-dev"]["steps"])
    assert "k8s/loadtest/overlays/dev" in bump
    for env, documents in loadtests.items():
        images = {
            c["image"].split(":")[0].rsplit("/", 1)[1]
            for w in (master(documents), workers(documents))
            for c in [container(w)]
        }
        assert images == {f"{CONFIGS[env].prefix}-loadgen"}


def test_given_the_rendered_configmap_then_it_holds_the_image_locustfile_byte_for_byte(
    loadtests: dict[str, list[Manifest]], env: str
) -> None:
    documents = loadtests[env]
    (configmap,) = [d for d in documents if d["kind"] == "ConfigMap" and "locustfile.py" in d.get("data", {})]
    # Generated from the image's own file (containers/loadgen/kustomization.yaml): there is no copy to go stale.
    assert configmap["data"]["locustfile.py"] == LOCUSTFILE.read_text(encoding="utf-8")
    for workload in (master(documents), workers(documents)):
        (volume,) = [v for v in pod_spec(workload)["volumes"] if "configMap" in v]
        assert volume["configMap"]["name"] == configmap["metadata"]["name"]
        (mount,) = [m for m in container(workload)["volumeMounts"] if m["name"] == volume["name"]]
        assert mount["readOnly"] is True
        args = container(workload)["args"]
        assert option(args, "--locustfile") == str(Path(mount["mountPath"]) / "locustfile.py")


# --- kubernetes-validate and checkov, as `python -m k8s.validate` runs them ----------------------------------------


def test_given_the_rendered_load_test_then_kubernetes_validate_strict_accepts_every_document(
    loadtests: dict[str, list[Manifest]], env: str
) -> None:
    validator = Validator(kubernetes_version=cluster_kubernetes_version())
    problems = {f"{d['kind']} {d['metadata']['name']}": list(validator.errors(d)) for d in loadtests[env]}
    assert {name: errors for name, errors in problems.items() if errors} == {}
    assert {d["metadata"].get("namespace") for d in loadtests[env] if d["kind"] != "Namespace"} == {NAMESPACE}


def test_given_the_rendered_load_test_then_checkov_reports_no_failed_check(
    loadtests: dict[str, list[Manifest]],
) -> None:
    assert CHECKOV.is_file(), "checkov is installed by `make install` into .venv-checkov"
    assert run_checkov(CHECKOV, {f"loadtest/overlays/{env}": docs for env, docs in loadtests.items()})


# --- hardening -----------------------------------------------------------------------------------------------------


def test_given_the_namespace_then_pod_security_restricted_is_enforced(
    loadtests: dict[str, list[Manifest]], env: str
) -> None:
    labels = one(loadtests[env], "Namespace", NAMESPACE)["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == f"v{CONFIGS[env].cluster.kubernetes_version}"


def test_given_every_load_test_pod_then_it_is_hardened_like_the_services(
    loadtests: dict[str, list[Manifest]], env: str
) -> None:
    documents = loadtests[env]
    for workload in (master(documents), workers(documents)):
        spec, box = pod_spec(workload), container(workload)
        name = workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["serviceAccountName"] == "loadgen", name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        security = box["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, name
        assert security["allowPrivilegeEscalation"] is False, name
        assert security["privileged"] is False, name
        assert security["capabilities"] == {"drop": ["ALL"]}, name
        assert security["runAsUser"] == 10001, name  # the image's user (containers/loadgen/Dockerfile)
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(box["resources"][kind]), f"{name}: {kind}"
        # Pinned: the environment's own repository, by tag and digest (the release workflow writes both).
        repository = f".dkr.ecr.{CONFIGS[env].region}.amazonaws.com/{CONFIGS[env].prefix}-loadgen:"
        assert repository in box["image"], name
        assert "@sha256:" in box["image"], name
    assert one(documents, "ServiceAccount", "loadgen")["automountServiceAccountToken"] is False


# --- the run: master Job, workers, their Service -------------------------------------------------------------------


def test_given_the_master_then_it_is_a_headless_run_whose_exit_code_is_the_jobs_result(
    loadtests: dict[str, list[Manifest]], overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = loadtests[env]
    job = master(documents)
    args = container(job)["args"]
    assert {"--master", "--headless", "--only-summary"} <= set(args)
    # Then the master waits for exactly the workers the Deployment runs
    assert int(option(args, "--expect-workers")) == workers(documents)["spec"]["replicas"] >= 2
    # And the Job is never retried, and its deadline outlasts the workers' wait plus the longest run of its profile
    assert job["spec"]["backoffLimit"] == 0
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    (settings,) = [d for d in documents if d["metadata"]["name"].startswith("loadgen-settings")]
    profile = shapes.profile_named(settings["data"]["profile"])
    wait = float(option(args, "--expect-workers-max-wait"))
    assert job["spec"]["activeDeadlineSeconds"] > profile.max_duration_s + wait + 60
    assert option(args, "--stop-timeout") == f"{shapes.STOP_TIMEOUT_S:.0f}s"
    # And the report files land in the writable volume the upload reads (LOAD_DIR)
    env_vars = {item["name"]: item for item in container(job)["env"]}
    directory = env_vars["LOAD_DIR"]["value"]
    assert option(args, "--html") == f"{directory}/report.html"
    assert option(args, "--csv") == f"{directory}/stats"
    assert directory in {m["mountPath"] for m in container(job)["volumeMounts"]}
    # And its target is the login gateway's Service inside the cluster, on the port that Service serves
    service = one(overlays[env], "Service", "login")
    host = option(args, "--host")
    assert host == f"http://{service['metadata']['name']}.{service['metadata']['namespace']}.svc.cluster.local"
    assert [port["port"] for port in service["spec"]["ports"]] == [80]


def test_given_the_workers_then_they_connect_to_the_master_service_which_selects_only_the_master(
    loadtests: dict[str, list[Manifest]], env: str
) -> None:
    documents = loadtests[env]
    args = container(workers(documents))["args"]
    assert "--worker" in args
    service = one(documents, "Service", option(args, "--master-host"))
    (port,) = service["spec"]["ports"]
    assert port["port"] == int(option(args, "--master-port")) == 5557
    master_labels = master(documents)["spec"]["template"]["metadata"]["labels"]
    worker_labels = workers(documents)["spec"]["template"]["metadata"]["labels"]
    selector = service["spec"]["selector"]
    assert all(master_labels.get(k) == v for k, v in selector.items())
    assert not all(worker_labels.get(k) == v for k, v in selector.items())
    named = {p["name"]: p["containerPort"] for p in container(master(documents))["ports"]}
    assert named[port["targetPort"]] == int(option(container(master(documents))["args"], "--master-bind-port"))


# --- NetworkPolicy contract: evaluated the way Kubernetes does, across both namespaces ------------------------------


@dataclass(frozen=True)
class Endpoint:
    ip: str
    namespace: str | None = None  # None: outside the cluster (no policy applies to it)
    labels: dict[str, str] = field(default_factory=dict)

    def namespace_labels(self) -> dict[str, str]:
        # The control plane labels every namespace with its name (kubernetes.io/metadata.name).
        return {"kubernetes.io/metadata.name": self.namespace} if self.namespace else {}


def peer_matches(peer: dict[str, Any], policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        inside = address in ipaddress.ip_network(block["cidr"])
        return inside and not any(address in ipaddress.ip_network(e) for e in block.get("except", []))
    if other.namespace is None:
        return False
    if "namespaceSelector" in peer:
        namespace_ok = selects(peer["namespaceSelector"], other.namespace_labels())
    else:
        namespace_ok = other.namespace == policy_namespace
    return namespace_ok and selects(peer.get("podSelector", {}), other.labels)


def side_allows(policies: list[Manifest], pod: Endpoint, other: Endpoint, port: int, direction: str) -> bool:
    """Whether ``pod``'s policies let it talk to ``other`` on ``port`` in ``direction`` (Ingress or Egress)."""
    if pod.namespace is None:
        return True
    key, peers = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    selecting = [
        p
        for p in policies
        if p["metadata"]["namespace"] == pod.namespace
        and direction in p["spec"].get("policyTypes", [])
        and selects(p["spec"]["podSelector"], pod.labels)
    ]
    if not selecting:
        return True  # not isolated in this direction
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            ports_ok = not rule.get("ports") or any(p.get("port") == port for p in rule["ports"])
            peers_ok = not rule.get(peers) or any(
                peer_matches(peer, policy["metadata"]["namespace"], other) for peer in rule[peers]
            )
            if ports_ok and peers_ok:
                return True
    return False


def connects(policies: list[Manifest], source: Endpoint, target: Endpoint, port: int) -> bool:
    """A new connection needs the source's egress and the target's ingress (Kubernetes docs, "Network Policies")."""
    return side_allows(policies, source, target, port, "Egress") and side_allows(
        policies, target, source, port, "Ingress"
    )


def pod(documents: list[Manifest], kind: str, name: str, ip: str) -> Endpoint:
    workload = one(documents, kind, name)
    return Endpoint(
        ip=ip, namespace=workload["metadata"]["namespace"], labels=workload["spec"]["template"]["metadata"]["labels"]
    )


@pytest.fixture
def cluster(loadtests: dict[str, list[Manifest]], overlays: dict[str, list[Manifest]], env: str) -> dict[str, Any]:
    """Pods of both namespaces at addresses in the environment's private subnets, and every NetworkPolicy."""
    pods = ipaddress.ip_network(CONFIGS[env].network.cidr)
    address = iter(str(pods.network_address + 40 * 256 + n) for n in range(1, 10))
    return {
        "policies": [d for d in [*overlays[env], *loadtests[env]] if d["kind"] == "NetworkPolicy"],
        "login": pod(overlays[env], "Rollout", "login", next(address)),
        "order": pod(overlays[env], "Rollout", "order", next(address)),
        "master": pod(loadtests[env], "Job", "loadgen-master", next(address)),
        "worker": pod(loadtests[env], "Deployment", "loadgen-worker", next(address)),
    }


def test_given_the_policies_then_workers_reach_the_login_gateway_and_never_the_order_service(
    cluster: dict[str, Any],
) -> None:
    policies = cluster["policies"]
    assert connects(policies, cluster["worker"], cluster["login"], 8080)
    for port in (8081, 9090, 8080):
        assert not connects(policies, cluster["worker"], cluster["order"], port), port
        assert not connects(policies, cluster["master"], cluster["order"], port), port
    # The gateway admits the workers on its API port only, and nobody else from the load test
    assert not connects(policies, cluster["worker"], cluster["login"], 9090)
    assert not connects(policies, cluster["master"], cluster["login"], 8080)
    # And the order service's own policy does not admit the workers even if their egress allowed it
    assert not side_allows(policies, cluster["order"], cluster["worker"], 8081, "Ingress")
    # While the gateway still reaches the order service (the platform is unchanged)
    assert connects(policies, cluster["login"], cluster["order"], 8081)


def test_given_the_policies_then_workers_and_master_meet_on_5557_and_only_the_master_reaches_aws(
    cluster: dict[str, Any], env: str
) -> None:
    policies = cluster["policies"]
    assert connects(policies, cluster["worker"], cluster["master"], 5557)
    assert not connects(policies, cluster["master"], cluster["worker"], 5557)
    s3 = Endpoint(ip="52.219.56.10")  # a public S3 address (reached through the VPC's gateway endpoint)
    agent = Endpoint(ip="169.254.170.23")  # the EKS Pod Identity agent on the node
    assert connects(policies, cluster["master"], s3, 443)
    assert connects(policies, cluster["master"], agent, 80)
    assert not connects(policies, cluster["worker"], s3, 443)
    assert not connects(policies, cluster["worker"], agent, 80)
    # HTTPS never reaches addresses inside the VPC (pods, nodes), only the world outside it
    assert not connects(policies, cluster["master"], Endpoint(ip=cluster["order"].ip), 443)
    assert not connects(policies, cluster["worker"], Endpoint(ip="8.8.8.8"), 80)
