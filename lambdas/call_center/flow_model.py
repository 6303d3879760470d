"""Flow-language JSON (version 2019-10-30) as Python objects, for the validator and the simulator.

Only the action types our flows use are known; any other type is reported by name, so that a flow never runs
(or passes validation) with a block nobody interprets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lambdas.call_center.flows import FlowError

VERSION = "2019-10-30"
MAX_ACTIONS = 250
MAX_IDENTIFIER_CHARS = 50
FORBIDDEN_IDENTIFIER_CHARS = frozenset("%:()\\/=$,;[]{}")
SUPPORTED_TYPES = frozenset(
    {
        "CheckHoursOfOperation",
        "Compare",
        "DisconnectParticipant",
        "GetParticipantInput",
        "InvokeLambdaFunction",
        "Loop",
        "MessageParticipant",
        "TransferContactToQueue",
        "UpdateContactAttributes",
        "UpdateContactTargetQueue",
        "UpdateContactTextToSpeechVoice",
        "UpdateFlowLoggingBehavior",
    }
)
# A successful transfer ends the flow (the contact waits in the queue); a disconnect ends the call.
ENDS_FLOW = frozenset({"DisconnectParticipant", "TransferContactToQueue"})


class UnsupportedBlockError(FlowError):
    """The flow uses an action type that the simulator does not interpret."""


@dataclass(frozen=True, kw_only=True)
class Condition:
    operator: str
    operands: tuple[str, ...]
    target: str


@dataclass(frozen=True, kw_only=True)
class Action:
    identifier: str
    type: str
    parameters: Mapping[str, Any]
    next_action: str | None
    conditions: tuple[Condition, ...]
    errors: Mapping[str, str]  # error type -> target

    def targets(self) -> Iterator[str]:
        if self.next_action:
            yield self.next_action
        for condition in self.conditions:
            yield condition.target
        yield from self.errors.values()


@dataclass(frozen=True, kw_only=True)
class Flow:
    start: str
    actions: Mapping[str, Action]

    def action(self, identifier: str) -> Action:
        try:
            return self.actions[identifier]
        except KeyError:
            raise FlowError(f"transition to a missing block {identifier!r}") from None


def load_flow(content: str | Mapping[str, Any]) -> Flow:
    """Parse flow JSON (text or already decoded); structural problems raise :class:`FlowError`."""
    try:
        doc = json.loads(content) if isinstance(content, str) else content
    except json.JSONDecodeError as error:
        raise FlowError(f"the flow is not valid JSON: {error}") from None
    if not isinstance(doc, Mapping):
        raise FlowError("a flow is a JSON object")
    if doc.get("Version") != VERSION:
        raise FlowError(f"flow Version must be {VERSION!r}, got {doc.get('Version')!r}")
    raw_actions = doc.get("Actions")
    if not isinstance(raw_actions, list) or not raw_actions:
        raise FlowError("a flow needs a non-empty Actions list")
    if len(raw_actions) > MAX_ACTIONS:
        raise FlowError(f"a flow holds at most {MAX_ACTIONS} actions, this one {len(raw_actions)}")
    actions: dict[str, Action] = {}
    for raw in raw_actions:
        action = _action(raw)
        if action.identifier in actions:
            raise FlowError(f"duplicate block identifier {action.identifier!r}")
        actions[action.identifier] = action
    start = doc.get("StartAction")
    if not isinstance(start, str) or start not in actions:
        raise FlowError(f"StartAction {start!r} is not a block of the flow")
    return Flow(start=start, actions=actions)


def _action(raw: Any) -> Action:
    if not isinstance(raw, Mapping):
        raise FlowError("every action is a JSON object")
    identifier, type_ = raw.get("Identifier"), raw.get("Type")
    if not isinstance(identifier, str) or not identifier or len(identifier) > MAX_IDENTIFIER_CHARS:
        raise FlowError(f"invalid block identifier {identifier!r} (1 to {MAX_IDENTIFIER_CHARS} characters)")
    if FORBIDDEN_IDENTIFIER_CHARS & set(identifier):
        raise FlowError(f"block identifier {identifier!r} contains a character Connect forbids")
    if type_ not in SUPPORTED_TYPES:
        raise UnsupportedBlockError(f"block {identifier!r}: unsupported action type {type_!r}")
    parameters = raw.get("Parameters", {})
    transitions = raw.get("Transitions", {})
    if not isinstance(parameters, Mapping) or not isinstance(transitions, Mapping):
        raise FlowError(f"block {identifier!r}: Parameters and Transitions must be objects")
    conditions = tuple(_condition(identifier, c) for c in transitions.get("Conditions", []) or [])
    errors: dict[str, str] = {}
    for error in transitions.get("Errors", []) or []:
        if not isinstance(error, Mapping) or not isinstance(error.get("ErrorType"), str):
            raise FlowError(f"block {identifier!r}: every error needs an ErrorType and a NextAction")
        errors[error["ErrorType"]] = _target(identifier, error.get("NextAction"))
    next_action = transitions.get("NextAction") or None
    return Action(
        identifier=identifier,
        type=str(type_),
        parameters=parameters,
        next_action=_target(identifier, next_action) if next_action is not None else None,
        conditions=conditions,
        errors=errors,
    )


def _condition(identifier: str, raw: Any) -> Condition:
    condition = raw.get("Condition") if isinstance(raw, Mapping) else None
    if (
        not isinstance(condition, Mapping)
        or not isinstance(condition.get("Operator"), str)
        or not isinstance(condition.get("Operands"), list)
    ):
        raise FlowError(f"block {identifier!r}: a condition needs Condition.Operator and Condition.Operands")
    return Condition(
        operator=condition["Operator"],
        operands=tuple(str(o) for o in condition["Operands"]),
        target=_target(identifier, raw.get("NextAction")),
    )


def _target(identifier: str, target: Any) -> str:
    if not isinstance(target, str) or not target:
        raise FlowError(f"block {identifier!r}: a transition without a NextAction")
    return target
