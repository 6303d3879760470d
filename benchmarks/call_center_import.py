"""Cold import of the call-center handler next to ``import boto3`` alone, in fresh interpreters, interleaved.

    .venv/bin/python -m benchmarks.call_center_import [--runs 15]

Each sample is a new ``python`` process that times one import statement with ``perf_counter``, so interpreter
start-up is not counted. Bytecode is written once before the samples and then used, as the runtime's boto3 uses
its own (a deployed asset without ``__pycache__`` compiles our modules at each cold start: see
``benchmarks.lambda_assets``). Three cases alternate run by run:

* ``boto3``: ``import boto3``, the floor every Python Lambda that calls AWS pays;
* ``handler``: the handler module as tests and tools import it (no client is made);
* ``lambda_init``: the same import with the variables Lambda sets (``AWS_LAMBDA_FUNCTION_NAME`` and the like), so
  the module also does its init work there: settings, DynamoDB clients, metadata warm-up.

Tracing is on in both handler cases, as in the deployed function (``LAMBDA_TASK_ROOT`` set, no
``POWERTOOLS_TRACE_DISABLED``). Prints each case's median/min/max and both ratios to boto3 (of the medians, and of
the fastest runs, which a busy machine disturbs least).
``benchmarks.reco_import`` runs the same measurement for the recommendation API.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
# What Lambda sets in every function (Lambda developer guide, "Defined runtime environment variables"), with fake
# credentials: making a client reads them but sends nothing.
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "tlj-bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_REGION": "ap-northeast-2",
    "AWS_DEFAULT_REGION": "ap-northeast-2",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "RECOMMENDATIONS_TABLE": "tlj-bench-recommendations",
    "CATALOG_TABLE": "tlj-bench-catalog",
}
DROPPED = ("POWERTOOLS_TRACE_DISABLED", "AWS_LAMBDA_FUNCTION_NAME", "AWS_ENDPOINT_URL", "AWS_PROFILE")


def sample(module: str, *, lambda_init: bool, write_bytecode: bool = False) -> float:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED and k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(REPO), "LAMBDA_TASK_ROOT": str(REPO)}
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if lambda_init:
        env |= LAMBDA_ENV
    output = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1]) * 1000


def compare(handler_module: str, runs: int) -> dict[str, object]:
    """Interleaved samples of boto3, the handler's import and its Lambda init; medians and ratios to boto3."""
    cases = {"boto3": ("boto3", False), "handler": (handler_module, False), "lambda_init": (handler_module, True)}
    for module, lambda_init in cases.values():  # warm the OS file cache and write bytecode once, as for boto3's
        sample(module, lambda_init=lambda_init, write_bytecode=True)
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (module, lambda_init) in cases.items():
            results[name].append(sample(module, lambda_init=lambda_init))
    medians = {name: statistics.median(ms) for name, ms in results.items()}
    summary: dict[str, object] = {"module": handler_module, "runs": runs}
    for name, ms in results.items():
        summary[name] = {"median_ms": round(medians[name], 1), "min_ms": round(min(ms), 1), "max_ms": round(max(ms), 1)}
    summary["handler_over_boto3"] = round(medians["handler"] / medians["boto3"], 2)
    summary["lambda_init_over_boto3"] = round(medians["lambda_init"] / medians["boto3"], 2)
    # The fastest runs are the least disturbed by other work on the machine: their ratios as well.
    fastest = {name: min(ms) for name, ms in results.items()}
    summary["handler_over_boto3_fastest"] = round(fastest["handler"] / fastest["boto3"], 2)
    summary["lambda_init_over_boto3_fastest"] = round(fastest["lambda_init"] / fastest["boto3"], 2)
    return summary


def main(argv: list[str] | None = None, module: str = "lambdas.call_center.handler") -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(json.dumps(compare(module, args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
