"""A throwaway git repository holding this project's k8s/ tree, for the release scripts under .github/scripts.

The scripts run as the workflows run them (``python .github/scripts/<script>.py ...`` from the repository root), with
real git and the project's kubectl (its built-in kustomize renders the overlays, as Argo CD would build them).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = REPO_ROOT / ".github" / "scripts"
REGISTRY = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
# What k8s/loadtest/base pulls in from outside k8s/ (the locustfile's ConfigMap generator).
LOADGEN_FILES = ("containers/loadgen/kustomization.yaml", "containers/loadgen/loadgen/locustfile.py")


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


overlay_images = load_script("overlay_images")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def digest(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("/".join(parts).encode()).hexdigest()


def ref_text(env: str, name: str, commit: str) -> str:
    return f"{REGISTRY}/tlj-{env}-{name}:{commit}@{digest(env, name, commit)}"


@dataclass
class Repo:
    root: Path

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def run(self, script: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
        return subprocess.run(
            [sys.executable, str(SCRIPTS / script), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    def overlay(self, env: str, kind: str = "overlays") -> Path:
        base = self.root / "k8s" / ("loadtest/overlays" if kind == "loadtest" else "overlays") / env
        return base / "kustomization.yaml"

    def change_code(self, message: str) -> str:
        """A commit as a developer's push would make it (touching containers/); its SHA names the images."""
        marker = self.root / "containers" / "loadgen" / "CHANGES"
        marker.write_text(f"{marker.read_text() if marker.exists() else ''}{message}\n")
        self.git("add", "-A")
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD")

    def built(self, env: str, commit: str, names: tuple[str, ...] = ("login", "order", "loadgen")) -> Path:
        """The files the build job hands on: images/<name> = <registry>/tlj-<env>-<name>:<sha>@<digest>."""
        directory = self.root.parent / f"images-{env}-{commit[:8]}"
        directory.mkdir(exist_ok=True)
        for name in names:
            (directory / name).write_text(ref_text(env, name, commit) + "\n")
        return directory

    def release(self, env: str, message: str) -> tuple[str, str]:
        """A push, its images set in the overlays, the bump committed: (code commit, bump commit).

        History for the test at hand, written with the script's own writer but without rendering: the tests of
        ``set`` run the whole command.
        """
        commit = self.change_code(message)
        for path, listed in overlay_images.current(self.root, env).items():
            refs = {name: overlay_images.ImageRef.parse(ref_text(env, name, commit), what=name) for name in listed}
            overlay_images.write(self.root, path, refs)
        self.git("commit", "--quiet", "-am", f"release({env}): {message}")
        return commit, self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "k8s", root / "k8s", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for relative in LOADGEN_FILES:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / relative, root / relative)
    git(tmp_path, "init", "--quiet", "-b", "main", str(root))
    git(root, "config", "user.name", "test")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "the project as it is")
    return Repo(root)
