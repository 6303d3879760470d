"""Powertools ``Logger``, ``Tracer`` and ``Metrics`` with the platform's defaults.

Each Lambda package builds its three singletons once, at import, through :func:`observability`. The service name and
metrics namespace come from ``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` (set by the Lambda
factory in the cloud); the arguments are the defaults for local runs and tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from aws_lambda_powertools import Logger, Metrics, Tracer

NAMESPACE = "TLJ"


@dataclass(frozen=True)
class Observability:
    logger: Logger
    tracer: Tracer
    metrics: Metrics


def observability(service: str) -> Observability:
    """One Logger, Tracer and Metrics for ``service``; call it once per Lambda package, at module level."""
    name = os.environ.get("POWERTOOLS_SERVICE_NAME", service)
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
    return Observability(
        logger=Logger(service=name),
        tracer=Tracer(service=name),
        metrics=Metrics(service=name, namespace=namespace),
    )
