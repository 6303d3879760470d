"""Cold import time of the call-center handler next to ``import boto3`` alone, in fresh interpreters, interleaved.

    .venv/bin/python -m benchmarks.call_center_import [--runs 15]

Each sample is a new ``python`` process that times one import statement with ``perf_counter`` (interpreter start-up
is not counted). The handler's import includes boto3, powertools, pydantic settings, phonenumbers and the
recommendation package; the ratio says what the Lambda's init phase pays on top of boto3.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from local.settings import REPO_ROOT

PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
MODULES = {"handler": "lambdas.call_center.handler", "boto3": "boto3"}


def sample(module: str) -> float:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "POWERTOOLS_TRACE_DISABLED": "true"}
    output = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1]) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    for module in MODULES.values():  # warm the OS file cache and write no bytecode either way
        sample(module)
    results: dict[str, list[float]] = {name: [] for name in MODULES}
    for _ in range(args.runs):
        for name, module in MODULES.items():
            results[name].append(sample(module))
    summary = {
        name: {"median_ms": round(statistics.median(ms), 1), "min_ms": round(min(ms), 1), "max_ms": round(max(ms), 1)}
        for name, ms in results.items()
    }
    ratio = statistics.median(results["handler"]) / statistics.median(results["boto3"])
    print(json.dumps({"runs": args.runs, **summary, "handler_over_boto3": round(ratio, 2)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
