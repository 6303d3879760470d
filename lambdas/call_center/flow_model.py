"""Flow-language JSON (version 2019-10-30) as Python objects, for the validator and the simulator.

Only the action types our flows use are known (:data:`BLOCKS`, each with its page of the Flow language reference,
the flow types the reference allows it in, and the error branches we wire); any other type is reported by name, so
that a flow never runs (or passes validation) with a block nobody interprets.
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
_REF = "https://docs.aws.amazon.com/connect/latest/APIReference/"
ALL_FLOW_TYPES = frozenset({"CONTACT_FLOW", "CUSTOMER_QUEUE"})


@dataclass(frozen=True, kw_only=True)
class BlockSpec:
    """What the Flow language reference says about one action type (only the flow types we deploy)."""

    doc: str  # the reference page
    flow_types: frozenset[str] = ALL_FLOW_TYPES  # where the reference allows it
    errors: frozenset[str] = frozenset({"NoMatchingError"})  # error branches our flows must wire


BLOCKS: Mapping[str, BlockSpec] = {
    "CheckHoursOfOperation": BlockSpec(doc=_REF + "flow-control-actions-checkhoursofoperation.html"),
    # "Check staffing" is allowed in inbound and customer queue flows (adminguide/check-staffing.html).
    "CheckMetricData": BlockSpec(doc=_REF + "flow-control-actions-checkmetricdata.html"),
    "Compare": BlockSpec(doc=_REF + "flow-control-actions-compare.html", errors=frozenset()),
    # An Interactions action; the queued-callback example runs it from a customer queue flow
    # (adminguide/queued-callback-example.html).
    "CreateCallbackContact": BlockSpec(doc=_REF + "interactions-createcallbackcontact.html"),
    "DisconnectParticipant": BlockSpec(doc=_REF + "participant-actions-disconnectparticipant.html", errors=frozenset()),
    # "available only in whisper flows and customer queue flows"
    "EndFlowExecution": BlockSpec(
        doc=_REF + "flow-control-actions-endflowexecution.html",
        flow_types=frozenset({"CUSTOMER_QUEUE"}),
        errors=frozenset(),
    ),
    "GetMetricData": BlockSpec(doc=_REF + "flow-control-actions-getmetricdata.html"),  # "every type of flow"
    "GetParticipantInput": BlockSpec(
        doc=_REF + "participant-actions-getparticipantinput.html",
        errors=frozenset({"InputTimeLimitExceeded", "NoMatchingCondition"}),
    ),
    "InvokeLambdaFunction": BlockSpec(doc=_REF + "interactions-invokelambdafunction.html"),
    "Loop": BlockSpec(doc=_REF + "flow-control-actions-loop.html", errors=frozenset()),
    "MessageParticipant": BlockSpec(doc=_REF + "participant-actions-messageparticipant.html"),
    # "supported in Customer Queue, Customer Hold, and Agent Hold flows"
    "MessageParticipantIteratively": BlockSpec(
        doc=_REF + "participant-actions-messageparticipantiteratively.html", flow_types=frozenset({"CUSTOMER_QUEUE"})
    ),
    "TransferContactToQueue": BlockSpec(doc=_REF + "contact-actions-transfercontacttoqueue.html"),
    "UpdateContactAttributes": BlockSpec(doc=_REF + "contact-actions-updatecontactattributes.html"),
    # "supported only in contact flows, transfer flows, and customer queue flows"
    "UpdateContactCallbackNumber": BlockSpec(
        doc=_REF + "contact-actions-updatecontactcallbacknumber.html",
        errors=frozenset({"InvalidCallbackNumber", "CallbackNumberNotDialable"}),
    ),
    "UpdateContactEventHooks": BlockSpec(doc=_REF + "contact-actions-updatecontacteventhooks.html"),  # all types
    "UpdateContactRecordingBehavior": BlockSpec(doc=_REF + "contact-actions-updatecontactrecordingbehavior.html"),
    # "not supported in whisper flows, hold flows, or customer queue flows"
    "UpdateContactTargetQueue": BlockSpec(
        doc=_REF + "contact-actions-updatecontacttargetqueue.html", flow_types=frozenset({"CONTACT_FLOW"})
    ),
    "UpdateContactTextToSpeechVoice": BlockSpec(doc=_REF + "contact-actions-updatecontacttexttospeechvoice.html"),
    # "Errors: None"; "supported on all channels and in all flow types"
    "UpdateFlowAttributes": BlockSpec(doc=_REF + "flow-control-actions-updateflowattributes.html", errors=frozenset()),
    "UpdateFlowLoggingBehavior": BlockSpec(
        doc=_REF + "flow-control-actions-updateflowloggingbehavior.html", errors=frozenset()
    ),
}
SUPPORTED_TYPES = frozenset(BLOCKS)
# A successful transfer ends the flow (the contact waits in the queue); a disconnect ends the call;
# EndFlowExecution "is always a terminal action".
ENDS_FLOW = frozenset({"DisconnectParticipant", "TransferContactToQueue", "EndFlowExecution"})


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
