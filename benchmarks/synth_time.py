"""Wall time of ``cdk synth`` of both stacks (with every cdk-nag pack) next to an empty CDK app, same run.

    .venv/bin/python -m benchmarks.synth_time [--runs 3]

Both go through the same CDK CLI and Node, so the ratio shows what our constructs and the nag packs cost on top
of starting jsii and the CLI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synth_seconds(app_command: str, outdir: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["npx", "cdk", "synth", "--quiet", "--app", app_command, "--output", outdir],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PATH": f"{ROOT / 'node_modules/.bin'}:{os.environ['PATH']}"},
    )
    return time.perf_counter() - started


def make_synth_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(["make", "synth"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    cases = {
        "empty CDK app": f"{python} benchmarks/empty_cdk_app.py",
        "DevStack + ProdStack + cdk-nag": f"{python} app.py",
    }
    results: dict[str, list[float]] = {name: [] for name in [*cases, "make synth (both stacks, gates)"]}
    for _ in range(args.runs):  # interleaved, so drift on the machine hits every case alike
        for name, command in cases.items():
            with tempfile.TemporaryDirectory() as outdir:
                results[name].append(synth_seconds(command, outdir))
        results["make synth (both stacks, gates)"].append(make_synth_seconds())
    print(f"{'case':34s} {'median s':>9s} {'min s':>7s} {'max s':>7s}  runs={args.runs}")
    for name, times in results.items():
        print(f"{name:34s} {statistics.median(times):9.2f} {min(times):7.2f} {max(times):7.2f}")
    empty, ours, make = (statistics.median(t) for t in results.values())
    print(f"ratio (cdk synth ours / empty): {ours / empty:.2f}x; (make synth / empty): {make / empty:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
