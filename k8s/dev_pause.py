"""Scale the dev cluster's workloads to zero and back: `make dev-pause` / `make dev-resume` (issue 16).

    python -m k8s.dev_pause pause|resume|status [--dry-run]

With no pod left to run, EKS Auto Mode removes the empty nodes ("Consolidation: EKS Auto Mode periodically evaluates
running nodes and replaces or removes them", EKS user guide, "Cost optimization in EKS Auto Mode"); the control
plane, NAT gateway and endpoints keep billing, the nodes (EC2 and Auto Mode's per-node fee) stop.

What would put the pods back, and how each is handled:

- Argo CD's automated sync with selfHeal "when the live cluster's state deviates from the state defined in Git"
  (argo-cd docs, user-guide/auto_sync.md, "Automatic Self-Healing"): the Deployments of the charts it syncs
  (argo-rollouts, kube-state-metrics) set ``replicas`` in Git, so a manual scale to 0 is drift it reverts, and the
  root Application would equally revert a child Application whose sync policy we change. So every Application's
  ``spec.syncPolicy.automated`` is removed first (root first), its old value kept in an annotation, and put back
  last on resume (root last). Removing the block, not ``automated.enabled: false``, works on every Argo CD version
  (``enabled`` is recent: same page), including the EKS managed capability, which runs outside the nodes.
- The HPAs own the login and order Rollouts' ``spec.replicas``, which the tlj Application ignores
  (``ignoreDifferences`` /spec/replicas with RespectIgnoreDifferences: k8s/platform/base/tlj.yaml), so Argo CD would
  not fight a scale to 0 even unpaused. The HPAs themselves stop on their own: "If the target's desired replica count
  is set to 0, and the HPA's minimum replica count is greater than 0, the HPA stops adjusting the target ... until you
  reactivate it by manually adjusting the target's desired replica count" (Kubernetes docs, "Horizontal Pod
  Autoscaling", Implicit maintenance-mode deactivation). minReplicas cannot be 0 without the alpha HPAScaleToZero
  gate, so the HPAs stay untouched and resume restores the recorded replica count, which reactivates them.
- Argo Rollouts scales a Rollout's ReplicaSets, so its controller must see the Rollouts at 0 before it is itself
  scaled down: pause waits for that.
- Every other Deployment and StatefulSet (Argo CD's chart, Argo Rollouts, kube-state-metrics, the metrics-server
  add-on): scaled to 0 in one merge patch that also records the old count. An edit of a field EKS manages "may
  result in your changes being overwritten when an add-on is updated" (EKS user guide, "Determine fields you can
  customize for Amazon EKS add-ons"): a deploy that updates metrics-server while paused brings it back, no harm.
  DaemonSet pods do not keep a node from being empty (Karpenter, the engine of Auto Mode's node pools).
- The load test (namespace loadtest, applied by hand): pause refuses while it exists; its workers exit without their
  master and would crash-loop if brought back, so it is deleted after a run (README, "Load test on EKS").

Safety: the current kube context must be the dev cluster (its EKS ARN or its ``aws eks get-token --cluster-name``
must name DevStack's cluster in dev's region), and every command carries ``--context`` so that switching contexts
meanwhile changes nothing. Pausing twice keeps the first record; resume restores exactly what was recorded and leaves
anything else alone. ``--dry-run`` reads the cluster and prints the exact write commands instead of running them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from k8s.manifests import kubectl as default_kubectl
from stacks.config import DEV

ARGOCD_NAMESPACE = "argocd"
ROOT_APPLICATION = "platform"  # stacks/assets/gitops/root-application.json
LOADTEST_NAMESPACE = "loadtest"
REPLICAS_ANNOTATION = "tlj/paused-replicas"
SYNC_ANNOTATION = "tlj/paused-automated-sync"
# arn:aws:eks:<region>:<account>:cluster/<name>, the cluster and context names `aws eks update-kubeconfig` writes.
EKS_ARN = re.compile(r"^arn:aws[a-z-]*:eks:(?P<region>[a-z0-9-]+):\d{12}:cluster/(?P<name>[A-Za-z0-9_-]+)$")
WORKLOAD_KINDS = ("deployments.apps", "statefulsets.apps")
ROLLOUTS = "rollouts.argoproj.io"
APPLICATIONS = "applications.argoproj.io"

Json = dict[str, Any]


class Refused(Exception):
    """The context is not the dev cluster, or the cluster is in a state pause must not touch."""


@dataclass(frozen=True)
class Target:
    cluster_name: str = field(default_factory=lambda: DEV.cluster_name)
    region: str = field(default_factory=lambda: DEV.region)


def dev_context(config_view: Json, current: str, target: Target) -> str:
    """``current`` if ``kubectl config view --minify -o json`` shows it pointing at the dev cluster, else Refused."""
    contexts = config_view.get("contexts") or []
    if not current or len(contexts) != 1 or contexts[0].get("name") != current:
        raise Refused(f"no usable current kube context (got {current!r})")
    cluster_entry = str((contexts[0].get("context") or {}).get("cluster", ""))
    users = config_view.get("users") or []
    exec_args = [str(a) for a in ((users[0].get("user") or {}).get("exec") or {}).get("args", [])] if users else []
    names: list[tuple[str, str | None]] = []  # (cluster name, region or None) from each source that names one
    for candidate in (current, cluster_entry):
        match = EKS_ARN.match(candidate)
        if match:
            names.append((match["name"], match["region"]))
    if "--cluster-name" in exec_args[:-1]:
        region = exec_args[exec_args.index("--region") + 1] if "--region" in exec_args[:-1] else None
        names.append((exec_args[exec_args.index("--cluster-name") + 1], region))
    if not names:
        raise Refused(
            f"context {current!r} names no EKS cluster (no cluster ARN, no `eks get-token --cluster-name`): run "
            f"`aws eks update-kubeconfig --name {target.cluster_name} --region {target.region}`"
        )
    for name, region in names:
        if name != target.cluster_name or region not in (None, target.region):
            where = f" in {region}" if region else ""
            raise Refused(
                f"context {current!r} points at cluster {name!r}{where}, not the dev cluster "
                f"{target.cluster_name!r} in {target.region}: this only ever pauses dev"
            )
    return current


@dataclass
class Kubectl:
    """Runs kubectl against one context; in dry-run, writes are printed instead of run."""

    binary: str
    context: str | None = None
    dry_run: bool = False
    echo: Callable[[str], None] = print
    writes: list[list[str]] = field(default_factory=list)

    def _command(self, args: Sequence[str]) -> list[str]:
        return [self.binary, *(["--context", self.context] if self.context else []), *args]

    def read(self, *args: str, ok_missing: bool = False) -> str | None:
        # kubectl with our own argv, no shell
        result = subprocess.run(self._command(args), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            if ok_missing and ("NotFound" in result.stderr or "not found" in result.stderr):
                return None
            raise RuntimeError(f"{shlex.join(self._command(args))} failed: {result.stderr.strip()}")
        return result.stdout

    def read_json(self, *args: str) -> Json:
        out = self.read(*args, "-o", "json")
        return json.loads(out or "{}")

    def write(self, *args: str) -> None:
        command = self._command(args)
        self.writes.append(command)
        self.echo(("would run: " if self.dry_run else "+ ") + shlex.join(command))
        if not self.dry_run:
            subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 - our argv


def _patch(kind: str, item: Json, patch: Json) -> list[str]:
    meta = item["metadata"]
    namespace = ["-n", meta["namespace"]] if meta.get("namespace") else []
    body = json.dumps(patch, separators=(",", ":"), sort_keys=True)
    return ["patch", kind, meta["name"], *namespace, "--type", "merge", "-p", body]


def _annotations(item: Json) -> dict[str, str]:
    return dict(item["metadata"].get("annotations") or {})


def _ordered_applications(items: list[Json], *, root_first: bool) -> list[Json]:
    ordered = sorted(items, key=lambda a: (a["metadata"]["name"] != ROOT_APPLICATION, a["metadata"]["name"]))
    return ordered if root_first else list(reversed(ordered))


def pause_sync_patches(applications: list[Json]) -> list[list[str]]:
    """Remove ``automated`` from every Application that has it, recording it; the root first."""
    commands = []
    for app in _ordered_applications(applications, root_first=True):
        automated = (app.get("spec", {}).get("syncPolicy") or {}).get("automated")
        if automated is None:
            continue  # manual already, or paused before (its annotation stays as it is)
        recorded = _annotations(app).get(SYNC_ANNOTATION) or json.dumps(automated, sort_keys=True)
        patch = {"metadata": {"annotations": {SYNC_ANNOTATION: recorded}}, "spec": {"syncPolicy": {"automated": None}}}
        commands.append(_patch(APPLICATIONS, app, patch))
    return commands


def resume_sync_patches(applications: list[Json]) -> list[list[str]]:
    """Put back each recorded ``automated`` block and drop the record; the root last."""
    commands = []
    for app in _ordered_applications(applications, root_first=False):
        recorded = _annotations(app).get(SYNC_ANNOTATION)
        if recorded is None:
            continue
        patch = {
            "metadata": {"annotations": {SYNC_ANNOTATION: None}},
            "spec": {"syncPolicy": {"automated": json.loads(recorded)}},
        }
        commands.append(_patch(APPLICATIONS, app, patch))
    return commands


def scale_down_patches(kind: str, items: list[Json]) -> list[list[str]]:
    """Replicas to 0 with the old count in an annotation, in one patch; an existing record is kept."""
    commands = []
    for item in items:
        replicas = item.get("spec", {}).get("replicas")
        recorded = _annotations(item).get(REPLICAS_ANNOTATION)
        if replicas == 0 and recorded is not None:
            continue  # paused already
        if replicas in (None, 0) and recorded is None:
            continue  # nothing runs (an HPA target at 0 that we did not scale stays as it is)
        keep = recorded if recorded is not None else str(replicas)
        commands.append(
            _patch(kind, item, {"metadata": {"annotations": {REPLICAS_ANNOTATION: keep}}, "spec": {"replicas": 0}})
        )
    return commands


def scale_up_patches(kind: str, items: list[Json]) -> list[list[str]]:
    commands = []
    for item in items:
        recorded = _annotations(item).get(REPLICAS_ANNOTATION)
        if recorded is None:
            continue
        if not recorded.isdigit():
            raise Refused(f"{kind} {item['metadata']['name']}: {REPLICAS_ANNOTATION}={recorded!r} is not a count")
        patch = {"metadata": {"annotations": {REPLICAS_ANNOTATION: None}}, "spec": {"replicas": int(recorded)}}
        commands.append(_patch(kind, item, patch))
    return commands


def _items(k: Kubectl, kind: str, *namespace: str) -> list[Json]:
    scope = list(namespace) if namespace else ["-A"]
    items: list[Json] = k.read_json("get", kind, *scope).get("items", [])
    return items


def _wait_rollouts_empty(k: Kubectl, timeout: float, sleep: Callable[[float], None]) -> None:
    """Until Argo Rollouts has scaled every Rollout's pods away (status.replicas 0 or absent)."""
    deadline = time.monotonic() + timeout
    while True:
        busy = [r["metadata"]["name"] for r in _items(k, ROLLOUTS) if (r.get("status") or {}).get("replicas")]
        if not busy:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Rollouts still have pods after {timeout:.0f} s: {busy}; is Argo Rollouts running?")
        sleep(5)


def pause(k: Kubectl, *, timeout: float = 300, sleep: Callable[[float], None] = time.sleep) -> None:
    if k.read("get", "namespace", LOADTEST_NAMESPACE, ok_missing=True) is not None:
        raise Refused(
            "namespace loadtest exists: let the load test finish, then `kubectl delete namespace loadtest` "
            "(README, 'Load test on EKS'); its workers cannot be paused and resumed without their master"
        )
    for command in pause_sync_patches(_items(k, APPLICATIONS, "-n", ARGOCD_NAMESPACE)):
        k.write(*command)
    rollouts = scale_down_patches(ROLLOUTS, _items(k, ROLLOUTS))
    for command in rollouts:
        k.write(*command)
    if rollouts and not k.dry_run:
        _wait_rollouts_empty(k, timeout, sleep)
    for kind in WORKLOAD_KINDS:
        for command in scale_down_patches(kind, _items(k, kind)):
            k.write(*command)
    k.echo("paused: Auto Mode removes the empty nodes within minutes (`kubectl get nodes`); `make dev-resume` undoes")


def resume(k: Kubectl, *, timeout: float = 300) -> None:
    restored: list[list[str]] = []
    for kind in WORKLOAD_KINDS:
        for command in scale_up_patches(kind, _items(k, kind)):
            k.write(*command)
            restored.append(command)
    for command in scale_up_patches(ROLLOUTS, _items(k, ROLLOUTS)):
        k.write(*command)
    failures = []
    if not k.dry_run:
        for command in restored:  # ["patch", kind, name, "-n", ns, ...]
            kind, name, namespace = command[1], command[2], command[4]
            try:
                k.read("rollout", "status", f"{kind}/{name}", "-n", namespace, f"--timeout={int(timeout)}s")
            except RuntimeError as error:
                failures.append(str(error))
    # Sync comes back even when a workload is slow to start: self-heal then keeps it as Git says.
    for command in resume_sync_patches(_items(k, APPLICATIONS, "-n", ARGOCD_NAMESPACE)):
        k.write(*command)
    if failures:
        raise RuntimeError("scaled back, but not every workload became ready:\n" + "\n".join(failures))
    if not k.writes:
        k.echo("nothing was paused: no object carries a tlj/paused-* annotation")
    else:
        k.echo("resumed: nodes come back as the pods are scheduled; Argo CD syncs again")


def status(k: Kubectl) -> None:
    for kind in (APPLICATIONS, ROLLOUTS, *WORKLOAD_KINDS):
        for item in _items(k, kind):
            annotations = _annotations(item)
            for key in (SYNC_ANNOTATION, REPLICAS_ANNOTATION):
                if key in annotations:
                    meta = item["metadata"]
                    k.echo(f"paused {kind} {meta.get('namespace', '')}/{meta['name']}: {key}={annotations[key]}")
    nodes = k.read_json("get", "nodes").get("items", [])
    k.echo(f"nodes: {len(nodes)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m k8s.dev_pause", description=__doc__.split("\n", 1)[0])
    parser.add_argument("action", choices=("pause", "resume", "status"))
    parser.add_argument("--dry-run", action="store_true", help="read the cluster, print the writes, change nothing")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for pods to go or come back")
    parser.add_argument("--kubectl", default=os.environ.get("KUBECTL"), help="kubectl binary (default: .venv's)")
    args = parser.parse_args(argv)
    k = Kubectl(binary=args.kubectl or default_kubectl(), dry_run=args.dry_run)
    try:
        try:
            current = (k.read("config", "current-context") or "").strip()
        except RuntimeError as error:
            raise Refused(
                f"no current kube context ({error}): `aws eks update-kubeconfig --name {DEV.cluster_name} "
                f"--region {DEV.region}` makes one"
            ) from None
        view = json.loads(k.read("config", "view", "--minify", "-o", "json") or "{}")
        k.context = dev_context(view, current, Target())
        k.echo(f"context {k.context}: the dev cluster {DEV.cluster_name}")
        {"pause": pause, "resume": resume, "status": status}[args.action](k)
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)  # noqa: T201 - command-line report
        return 2
    except (RuntimeError, subprocess.CalledProcessError) as error:
        detail = error.stderr.strip() if isinstance(error, subprocess.CalledProcessError) else str(error)
        print(f"failed: {detail}", file=sys.stderr)  # noqa: T201 - command-line report
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
