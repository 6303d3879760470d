"""Cold import time of the recommendation API's handler module next to ``import boto3`` alone, same run.

    .venv/bin/python -m benchmarks.reco_import [--runs 20]

Each sample is a fresh interpreter (``python -c ...``: nothing imported yet in the process), timing only the
import statement (bytecode caches on disk are used, as they are for the runtime's own libraries); the two
imports alternate run by run so that drift on the machine hits both alike. Prints the median and p90 of each
and the ratio of the medians. What a Lambda cold start adds to the runtime's own start is roughly the handler's
import; boto3 is the floor every Python Lambda that calls AWS pays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMED = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
MODULES = {"boto3": "boto3", "handler": "lambdas.recommendation.handler"}


def sample(module: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", TIMED.format(module=module)], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip()) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for module in MODULES.values():  # warm the OS file cache and write bytecode once, outside the samples
        sample(module)
    times: dict[str, list[float]] = {name: [] for name in MODULES}
    for _ in range(args.runs):
        for name, module in MODULES.items():
            times[name].append(sample(module))
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        print(f"import {MODULES[name]:<34} median {medians[name]:7.1f} ms   p90 {p90:7.1f} ms   ({len(values)} runs)")
    print(f"handler / boto3 = {medians['handler'] / medians['boto3']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
