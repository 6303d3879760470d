"""A ``job`` metric's Job, run on the laptop as the cluster would run it: the loadgen image's entrypoint with the
container's args and env from the rendered template, as one local process.

What changes, and only that (the ``release-smoke`` AnalysisTemplate, k8s/base/order/analysis-template.yaml):
- the image: ``loadgen`` is containers/loadgen; its ENTRYPOINT ``locust --locustfile /app/loadgen/loadgen/...`` runs
  as ``python -m locust --locustfile containers/loadgen/loadgen/locustfile.py`` with ``PYTHONPATH`` the image's;
- cluster DNS: ``http://<service>.<namespace>.svc.cluster.local`` in an env value is the local process behind that
  Service (``login`` the gateway, the Rollout's activeService the stable, its previewService the preview); any other
  cluster host is refused, never guessed;
- time: ``LOAD_HOLD_S`` (how long the users keep going) and ``activeDeadlineSeconds`` are multiplied by the
  time scale, like the analysis' intervals; the ramp, think times and drain are the profile's own;
- ``LOAD_DIR`` (an emptyDir in the pod) is a directory of the rehearsal's run directory.
The process's exit code is the Job's outcome (0 Complete, else Failed), past the scaled deadline it is killed
(Failed, as a Job past ``activeDeadlineSeconds``: Kubernetes docs, "Jobs", "Job termination and cleanup").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from local.analysis import RUNNING, SUCCESSFUL, Measurement, Metric
from local.rehearsal_platform import BACKGROUND_NICENESS
from local.release import ReleaseError
from local.settings import HOST, REPO_ROOT

LOADGEN = REPO_ROOT / "containers" / "loadgen"
LOADGEN_IMAGE = "loadgen"
HOLD_ENV = "LOAD_HOLD_S"
DIR_ENV = "LOAD_DIR"
DRAIN_ALLOWANCE_S = 8.0  # after the hold: users finish their task, the profile settles one stats interval (3.5 s)
_CLUSTER_URL = re.compile(r"^(https?)://([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local(?::\d+)?(/.*)?$")


def container_of(metric: Metric) -> Mapping[str, Any]:
    containers = metric.spec.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
    if len(containers) != 1:
        raise ReleaseError(f"job metric {metric.name}: expected one container, found {len(containers)}")
    container = containers[0]
    image = str(container.get("image", ""))
    name = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]  # registry/repo:tag@digest -> repo
    if name != LOADGEN_IMAGE and not name.endswith(f"-{LOADGEN_IMAGE}"):
        raise ReleaseError(f"job metric {metric.name}: image {image} is not the loadgen image the rehearsal can run")
    if container.get("command"):
        raise ReleaseError(f"job metric {metric.name}: a command other than the image's entrypoint is not supported")
    return container


def _env_of(metric: Metric) -> dict[str, str]:
    env = {}
    for item in container_of(metric).get("env") or []:
        if "valueFrom" in item:
            raise ReleaseError(f"job metric {metric.name}: env {item['name']} from valueFrom is not supported")
        env[item["name"]] = str(item.get("value", ""))
    return env


def window_s(metric: Metric, scale: float) -> float:
    """How long the Job should run at ``scale``: its scaled hold plus the drain."""
    hold = _env_of(metric).get(HOLD_ENV)
    return (float(hold) * scale if hold else 0.0) + DRAIN_ALLOWANCE_S


def local_url(value: str, services: Mapping[str, str], namespace: str) -> str:
    """A cluster Service URL as the local URL of the process behind it; other values unchanged."""
    match = _CLUSTER_URL.match(value)
    if match is None:
        return value
    _scheme, service, service_namespace, path = match.groups()
    if service_namespace != namespace or service not in services:
        raise ReleaseError(f"{value}: no local process stands for Service {service_namespace}/{service}")
    return services[service] + (path or "")


class LoadJob:
    """``JobRunner`` for loadgen Jobs: starts the process, in its own session so a stop reaches all of it."""

    def __init__(
        self, services: Mapping[str, str], namespace: str, run_dir: Path, *, scale: float, out: TextIO
    ) -> None:
        self.services = services
        self.namespace = namespace
        self.run_dir = run_dir
        self.scale = scale
        self.out = out
        self.started = 0

    def deadline_s(self, metric: Metric) -> float | None:
        seconds = metric.spec.get("spec", {}).get("activeDeadlineSeconds")
        return None if seconds is None else float(seconds) * self.scale

    def command(self, metric: Metric) -> list[str]:
        args = [str(arg) for arg in container_of(metric).get("args") or []]
        return [sys.executable, "-m", "locust", "--locustfile", str(LOADGEN / "loadgen" / "locustfile.py"), *args]

    def environment(self, metric: Metric, directory: Path) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONHOME")}
        no_proxy = ",".join(filter(None, [env.get("NO_PROXY") or env.get("no_proxy"), HOST, "localhost"]))
        job_env = {name: local_url(value, self.services, self.namespace) for name, value in _env_of(metric).items()}
        if HOLD_ENV in job_env:
            job_env[HOLD_ENV] = f"{float(job_env[HOLD_ENV]) * self.scale:g}"
        job_env[DIR_ENV] = str(directory)
        return {**env, "PYTHONPATH": str(LOADGEN), "PYTHONUNBUFFERED": "1", "NO_PROXY": no_proxy, **job_env}

    def start(self, metric: Metric) -> subprocess.Popen[bytes]:
        self.started += 1
        directory = self.run_dir / f"job-{metric.name}-{self.started}"
        directory.mkdir(parents=True, exist_ok=True)
        env, command = self.environment(metric, directory), self.command(metric)
        print(f"  job {metric.name}: {' '.join(command[2:])} (hold {env.get(HOLD_ENV, '-')} s)", file=self.out)
        with (directory / "job.log").open("wb") as log:
            process = subprocess.Popen(
                command,
                env=env,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        os.setpriority(os.PRIO_PROCESS, process.pid, BACKGROUND_NICENESS)  # its own node's CPU on EKS
        return process


class NoTraffic:
    """``--no-traffic``: the Job runs its window and sends nothing (a check that reached no order service), so the
    analysis sees the preview's probes only. Successful at the end of the window, like a Job that exited 0."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def run(self, metric: Metric, now: float) -> Measurement:
        return Measurement(phase=RUNNING, started_at=now, metadata={"traffic": "none"})

    def resume(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        if now - measurement.started_at >= window_s(metric, self.scale) - DRAIN_ALLOWANCE_S:
            measurement.phase, measurement.finished_at, measurement.value = SUCCESSFUL, now, "no traffic sent"
        return measurement

    def terminate(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        measurement.phase, measurement.finished_at = SUCCESSFUL, now
        return measurement
