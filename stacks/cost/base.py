"""``python -m stacks.cost.base REF [--head cdk.out] [--json]``: this change's monthly cost against a git ref.

The base is synthesized in a temporary ``git worktree`` of REF with its own cdk.out. Nothing is installed: the
worktree links this checkout's ``.venv``, ``node_modules`` and ``build/`` (the Lambda dependency layer), and is
removed on exit, also on failure or Ctrl-C. Both assemblies are priced by this checkout's estimator, price table
and usage files, so the difference is the templates' (and k8s overlays') alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stacks.cost.__main__ import main as cost_main

REPO = Path(__file__).resolve().parent.parent.parent
SHARED = (".venv", "node_modules", "build")  # reused, never installed again


def _git(*args: str, cwd: Path = REPO) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True)  # noqa: S603, S607 - fixed argv, git from PATH


def synthesize(ref: str, workdir: Path) -> tuple[Path, Path]:
    """The base's cdk.out and k8s/ directory, synthesized as `make synth` does (`cdk synth --quiet`)."""
    tree = workdir / "tree"
    _git("worktree", "add", "--detach", "--quiet", str(tree), ref)
    for name in SHARED:
        if (REPO / name).exists() and not (tree / name).exists():
            (tree / name).symlink_to(REPO / name)
    out = workdir / "cdk.out"
    env = {
        **os.environ,
        "PATH": f"{REPO / 'node_modules' / '.bin'}:{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
    }
    cdk = REPO / "node_modules" / ".bin" / "cdk"
    result = subprocess.run([str(cdk), "synth", "--quiet", "--output", str(out)], cwd=tree, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"cost-diff: cdk synth of {ref} failed (exit {result.returncode})")
    return out, tree / "k8s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stacks.cost.base", description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the git ref to compare against, e.g. origin/main or a commit")
    parser.add_argument("--head", type=Path, default=REPO / "cdk.out", help="this change's cdk.out (default: cdk.out)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cost-base-"))
    try:
        base_out, base_k8s = synthesize(args.ref, workdir)
        diff_args = ["diff", str(base_out), str(args.head), "--base-k8s", str(base_k8s)]
        return cost_main(diff_args + (["--json"] if args.json else []))
    finally:
        if (workdir / "tree").exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(workdir / "tree")], cwd=REPO, check=False)  # noqa: S603, S607
        shutil.rmtree(workdir, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=False)  # noqa: S607


if __name__ == "__main__":
    sys.exit(main())
