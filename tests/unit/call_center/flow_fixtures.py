"""The deployed flows (inbound, customer queue), rendered as the construct renders them, and small hand-written
flows for edge cases."""

from __future__ import annotations

import json
from typing import Any

from lambdas.call_center.flows import FlowOptions, fill, render
from lambdas.call_center.simulate import SIMULATED_ARNS, settings
from stacks.config import DEV

WITH_CALLBACKS = settings(DEV.call_center, callback_enabled=True)


def inbound(config: Any = DEV.call_center) -> dict[str, Any]:
    return json.loads(fill(render("inbound", FlowOptions.of(settings(config))), SIMULATED_ARNS))


def customer_queue(config: Any = DEV.call_center) -> dict[str, Any]:
    return json.loads(fill(render("customer_queue", FlowOptions.of(settings(config))), SIMULATED_ARNS))


def action(flow: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(a for a in flow["Actions"] if a["Identifier"] == identifier)


def tiny(*actions: dict[str, Any], start: str = "hello") -> dict[str, Any]:
    return {"Version": "2019-10-30", "StartAction": start, "Actions": list(actions)}


def say(identifier: str, text: str, next_action: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "MessageParticipant",
        "Parameters": {"Text": text},
        "Transitions": {
            "NextAction": next_action,
            "Errors": [{"NextAction": next_action, "ErrorType": "NoMatchingError"}],
        },
    }


def hang_up(identifier: str = "bye") -> dict[str, Any]:
    return {"Identifier": identifier, "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
