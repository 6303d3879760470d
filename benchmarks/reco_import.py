"""Cold import of the recommendation API's handler next to ``import boto3`` alone: the same measurement as
``benchmarks.call_center_import`` (fresh interpreters, interleaved, interpreter start-up not counted, tracing on as
deployed; the plain import and the Lambda init, each as a ratio to boto3).

    .venv/bin/python -m benchmarks.reco_import [--runs 15]
"""

from __future__ import annotations

import sys

from benchmarks.call_center_import import main

if __name__ == "__main__":
    sys.exit(main(module="lambdas.recommendation.handler"))
