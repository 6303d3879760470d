"""The processes of a rehearsal: the local platform's emulator, gateway and order service (the stable ReplicaSet),
a second order service (the preview, optionally with a fault), and a real Prometheus scraping both as the cluster's
managed collector would. Same ``Platform`` runner and component entries as ``make up``, on free ports.

The scrape is the cluster's own: the ``${NAMESPACE}-pods`` job of ``stacks/assets/prometheus/scrape.yml`` with its
``relabel_configs`` verbatim; only Kubernetes discovery is replaced by static targets that carry the
``__meta_kubernetes_*`` labels discovery would give a pod of the Rollout (namespace, pod name, phase, the pod
template's labels and annotations, and the ``rollouts-pod-template-hash`` label the Rollouts controller adds to a
ReplicaSet's pods). Discovery sanitizes label and annotation names for those meta labels (``app.kubernetes.io/name``
becomes ``app_kubernetes_io_name``: prometheus@v2.42.0:discovery/kubernetes/pod.go 238-245, strutil.SanitizeLabelName)
and the job's ``labelmap`` then copies them, so series carry ``namespace``, ``pod``, ``app``,
``rollouts_pod_template_hash``, ... as on EKS. The one local change: ``prometheus.io/port`` names each process's own
metrics port, since both run on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from local import pidfiles, prometheus
from local.components import Component, build_components, metrics_env, select
from local.faults import FAULT_ENV, Fault
from local.processes import free_ports, isolated_settings
from local.release import Release
from local.runner import Platform
from local.settings import HOST, REPO_ROOT, LocalSettings

SCRAPE_SOURCE = REPO_ROOT / "stacks" / "assets" / "prometheus" / "scrape.yml"
SCRAPE_INTERVAL = "1s"
# What the analysis does not measure runs at a lower CPU priority: on EKS the gateway, the stable pods and the
# load Job have CPU of their own (resources.requests) and never take it from the preview; on a 2-core laptop they
# would, and the preview's p99 would measure the neighbours (measured: a good build's p99 0.5-0.7 s with four
# rehearsals side by side at equal priority).
BACKGROUND_NICENESS = 10
BACKGROUND = ("order", "login", "reco")  # AMP's collector scrapes every 30 s; the rehearsal's windows are seconds long
HASH_LETTERS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand: SafeEncodeString's alphabet
_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def pod_template_hash(seed: str) -> str:
    """A ``rollouts-pod-template-hash`` of Kubernetes' shape: the decimal FNV-32a of the template, each digit mapped
    into SafeEncodeString's alphabet (k8s.io/kubernetes pkg/controller ``ComputeHash``, apimachinery util/rand; read
    from memory, not checked against their source here). ``seed`` stands for the template, which Kubernetes hashes as
    a Go struct the rehearsal does not have: same shape, not the same value."""
    digest = 0x811C9DC5
    for byte in seed.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(HASH_LETTERS[ord(digit) % len(HASH_LETTERS)] for digit in str(digest))


@dataclass(frozen=True, kw_only=True)
class Pod:
    role: str  # "stable" or "preview"
    name: str
    template_hash: str
    port: int
    metrics_port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass(frozen=True, kw_only=True)
class RehearsalPlatform:
    settings: LocalSettings
    stable: Pod
    preview: Pod
    platform: Platform


def pods_for(release: Release, settings: LocalSettings, fault: Fault, build: str) -> tuple[Pod, Pod]:
    preview_port, preview_metrics_port = free_ports(2)
    pods = []
    for role, port, metrics_port, seed in (
        ("stable", settings.order_port, settings.order_metrics_port, "stable"),
        ("preview", preview_port, preview_metrics_port, f"preview {build} {fault}"),
    ):
        template_hash = pod_template_hash(seed)
        suffix = pod_template_hash(f"{seed} pod")[:5]  # a ReplicaSet's pod: <rs name>-<5 of the same letters>
        name = f"{release.pod_labels.get('app', 'order')}-{template_hash}-{suffix}"
        pods.append(Pod(role=role, name=name, template_hash=template_hash, port=port, metrics_port=metrics_port))
    return pods[0], pods[1]


def scrape_job(release: Release, pods: tuple[Pod, ...]) -> dict[str, Any]:
    """scrape.yml's pods job for ``release.namespace`` with static targets standing in for discovered pods."""
    document = yaml.safe_load(SCRAPE_SOURCE.read_text(encoding="utf-8").replace("${NAMESPACE}", release.namespace))
    name = f"{release.namespace}-pods"
    (job,) = [job for job in document["scrape_configs"] if job["job_name"] == name]
    targets = []
    for pod in pods:
        labels = {"__meta_kubernetes_namespace": release.namespace, "__meta_kubernetes_pod_name": pod.name}
        labels["__meta_kubernetes_pod_phase"] = "Running"
        pod_labels = {**release.pod_labels, "rollouts-pod-template-hash": pod.template_hash}
        for key, value in pod_labels.items():
            labels[f"__meta_kubernetes_pod_label_{_sanitize(key)}"] = value
        for key, value in {**release.pod_annotations, "prometheus.io/port": str(pod.metrics_port)}.items():
            labels[f"__meta_kubernetes_pod_annotation_{_sanitize(key)}"] = value
        # __address__ is the pod IP and its first container port; the relabelling moves it to the metrics port
        targets.append({"targets": [f"{HOST}:{pod.port}"], "labels": labels})
    return {
        "job_name": name,
        "scrape_interval": SCRAPE_INTERVAL,
        "static_configs": targets,
        "relabel_configs": job["relabel_configs"],
    }


def _sanitize(name: str) -> str:
    return _INVALID_LABEL_CHARS.sub("_", name)


def write_prometheus_config(settings: LocalSettings, job: Mapping[str, Any]) -> Path:
    path = prometheus.config_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    prometheus.data_path(settings).mkdir(exist_ok=True)
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "external_labels": {"cluster": "local-rehearsal"}},
        "scrape_configs": [dict(job)],
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def build(
    release: Release,
    *,
    run_dir: Path,
    fault: Fault,
    build_id: str,
    out: TextIO,
    up_timeout: float = 60.0,
) -> RehearsalPlatform:
    settings = isolated_settings(run_dir, up_timeout=up_timeout)
    stable, preview = pods_for(release, settings, fault, build_id)
    names = ("aws", "order", "login", "reco", "prometheus")  # reco: the gateway's recommendations (the Job asks)
    base = {c.name: c for c in select(build_components(settings), names)}
    order = base["order"]
    preview_component = dataclasses.replace(
        order,
        name="order-preview",
        command=_preview_command(order.command, fault, preview.port),
        env={
            **order.env,
            **metrics_env(preview.metrics_port),
            FAULT_ENV: str(fault),
            "PYTHONPATH": f"{REPO_ROOT}:{order.env['PYTHONPATH']}",
        },
        port=preview.port,
        health_url=f"{preview.url}/readyz",
        metrics_port=preview.metrics_port,
    )
    job = scrape_job(release, (stable, preview))
    prometheus_component: Component = dataclasses.replace(
        base["prometheus"], prepare=lambda: write_prometheus_config(settings, job), notes=""
    )
    components = (base["aws"], order, base["login"], base["reco"], preview_component, prometheus_component)
    return RehearsalPlatform(
        settings=settings,
        stable=stable,
        preview=preview,
        platform=Platform(settings, components=components, out=out),
    )


def deprioritize(platform: Platform, names: tuple[str, ...] = BACKGROUND) -> None:
    """Lower the CPU priority of the named running components (``os.setpriority``: a nice value, Linux and macOS)."""
    for name in names:
        record = pidfiles.read_live(pidfiles.pid_path(platform.settings.run_dir, name))
        if record is not None:
            os.setpriority(os.PRIO_PROCESS, record.pid, BACKGROUND_NICENESS)


def _preview_command(stable_command: tuple[str, ...], fault: Fault, port: int) -> tuple[str, ...]:
    """The stable's uvicorn command on the preview's port; with a fault, the app of ``local.fault_app`` instead."""
    command = list(stable_command)
    command[command.index("--port") + 1] = str(port)
    if fault.kind != "none":
        command[command.index("order_service.main:app")] = "local.fault_app:app"
    return tuple(command)
