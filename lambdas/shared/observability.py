"""Powertools ``Logger``, ``Tracer`` and ``Metrics`` with the platform's defaults.

Each Lambda package builds its three singletons once, at import, through :func:`observability`. The service name and
metrics namespace come from ``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` (set by the Lambda
factory in the cloud); the arguments are the defaults for local runs and tests.

The Tracer runs on :class:`lambdas.shared.xray.XRayDaemonProvider` rather than the X-Ray SDK (150-400 ms of import;
see that module). Powertools accepts any ``BaseProvider`` (``Tracer(provider=...)``, aws_lambda_powertools
tracing/base.py) and with one given never imports the SDK's recorder. ``auto_patch`` is off: AWS clients are traced
with :func:`traced_client`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

from lambdas.shared.xray import XRayDaemonProvider, trace_client

NAMESPACE = "TLJ"
PROVIDER = XRayDaemonProvider()  # one per process: every Tracer and client shares its subsegment stack


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
        tracer=Tracer(service=name, provider=PROVIDER, auto_patch=False),
        metrics=Metrics(service=name, namespace=namespace),
    )


def traced_client(client: Any) -> Any:
    """``client`` with an X-Ray subsegment for each of its calls."""
    return trace_client(client, PROVIDER)
