"""Amazon Connect's caller lookup: ``InvokeLambdaFunction`` in the inbound flow calls ``handler``.

Answers a flat map of strings (see ``logic.KEYS``) and never raises: any failure answers an unknown caller with
``error`` set, so the flow carries on. No phone number or name is logged. Inside Lambda, clients and the like are
made at init (``repository.warm_up``), outside any caller's 3 s budget; elsewhere on first use.
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from lambdas.call_center import clock, speech
from lambdas.call_center.context import usable
from lambdas.call_center.logic import answer_call, failure
from lambdas.call_center.repository import stores, warm_up
from lambdas.call_center.settings import CallCenterSettings
from lambdas.call_center.telemetry import logger, metrics, tracer
from lambdas.shared.budget import Budget
from lambdas.shared.settings import load


def handler(event: Any, context: Any) -> dict[str, str]:
    """The entry point. Even if telemetry fails (or a caller passes no real context), the flow gets its answer."""
    try:
        return _observed(event, usable(context))
    except Exception:  # noqa: BLE001 - the last line of defence: Connect must get a map of strings
        return failure("internal_error", hours=None, now=clock.now(), lang="ko")


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)  # the answer holds a name: keep it out of traces
@metrics.log_metrics
def _observed(event: Any, context: Any) -> dict[str, str]:
    started, now = time.monotonic(), clock.now()
    lang: speech.Lang = "ko"
    settings: CallCenterSettings | None = None
    try:
        # On first use (init, inside Lambda): the package imports every event class, ~30 ms.
        from aws_lambda_powertools.utilities.data_classes import ConnectContactFlowEvent

        settings = load(CallCenterSettings)
        remaining = context.get_remaining_time_in_millis
        budget = Budget(settings.budget_ms, lambda_remaining_ms=remaining, safety_ms=settings.safety_ms)
        contact = ConnectContactFlowEvent(event)
        lang = speech.language(contact.parameters.get("lang"), settings.default_lang)
        endpoint = contact.contact_data.get("CustomerEndpoint")  # null or absent: no caller ID
        caller = endpoint.get("Address") if isinstance(endpoint, dict) else None
    except Exception:  # noqa: BLE001 - a malformed event (or settings) answers as for an unknown caller
        logger.exception("event not understood")
        metrics.add_metric(name="InvalidEvents", unit=MetricUnit.Count, value=1)
        return failure("invalid_event", hours=_hours(settings), now=now, lang=lang)
    try:
        assert settings is not None
        lookup = stores().begin(budget)
        answer = answer_call(
            caller,
            lang=lang,
            now=now,
            hours=settings.hours,
            directory=lookup,
            recommendations=lookup,
            remaining_ms=budget.remaining_ms,
            policy=settings.policy,
        )
    except Exception:  # noqa: BLE001 - stores down or slow: the flow treats the caller as unknown
        logger.exception("caller lookup failed")
        metrics.add_metric(name="LookupFailures", unit=MetricUnit.Count, value=1)
        return failure("lookup_failed", hours=_hours(settings), now=now, lang=lang)
    for note in answer.notes:  # e.g. recommendations_skipped -> RecommendationsSkipped
        metrics.add_metric(name=note.title().replace("_", ""), unit=MetricUnit.Count, value=1)
    found = answer.attributes["customer_found"] == "true"
    metrics.add_metric(name="CustomersFound", unit=MetricUnit.Count, value=1 if found else 0)
    logger.info(
        "caller looked up",
        caller_status=answer.attributes["caller_status"],
        has_order=answer.attributes["has_order"],
        notes=list(answer.notes),
        elapsed_ms=round((time.monotonic() - started) * 1000),
    )
    return answer.attributes


def _hours(settings: CallCenterSettings | None) -> Any:
    try:
        return settings.hours if settings else None
    except Exception:  # noqa: BLE001 - invalid STORE_HOURS: the failure answer goes without them
        return None


if clock.LAMBDA_RUNTIME_VARIABLE in os.environ:  # inside Lambda: the init phase, once per execution environment
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a broken setting must not fail the init: each call then answers an error
        logger.exception("warm-up failed")
