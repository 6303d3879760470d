"""Runs a contact flow for one simulated call: the block types of :mod:`flow_model`, as Amazon Connect does.

Each step may emit an event (what the caller hears, a Lambda call, a key press, the transfer, the hang-up).
Where Connect's behaviour is not documented the interpreter is stricter: ``UpdateContactAttributes`` with a
reference that does not resolve takes the error branch, and a missing error branch stops the simulation.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from lambdas.call_center.contact import connect_event, interpolate, match, string_map
from lambdas.call_center.flow_model import Action, Flow
from lambdas.call_center.flows import FlowError
from lambdas.call_center.hours import WeeklyHours

MAX_STEPS = 500
DEFAULT_VOICE = "Joanna"  # Connect's voice until UpdateContactTextToSpeechVoice runs

Event = dict[str, Any]
Outcome = Literal["ok", "error", "timeout", "invalid_response"]


class SimulationError(RuntimeError):
    """The call did not end: a loop without end, or more steps than any real call takes."""


@dataclass(frozen=True, kw_only=True)
class LambdaResult:
    outcome: Outcome
    elapsed_ms: float
    attributes: Mapping[str, str] = field(default_factory=dict)
    detail: str = ""


class Invoker(Protocol):
    def __call__(self, *, arn: str, event: dict[str, Any], limit_seconds: int) -> LambdaResult: ...


@dataclass(frozen=True, kw_only=True)
class Call:
    phone: str | None  # None: no caller ID at all (CustomerEndpoint is null)
    presses: Sequence[str]  # DTMF entries, one per input block; when they run out, input times out
    at: datetime  # aware
    instance_arn: str = "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated"
    system_number: str = "+8215880000"


@dataclass(kw_only=True)
class _State:
    call: Call
    presses: deque[str]
    contact_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, str] = field(default_factory=dict)
    voice: str = DEFAULT_VOICE
    queue: str | None = None
    loops: dict[str, int] = field(default_factory=dict)

    @property
    def phone(self) -> str | None:
        return self.call.phone

    @property
    def instance_arn(self) -> str:
        return self.call.instance_arn

    @property
    def system_number(self) -> str:
        return self.call.system_number


class Interpreter:
    def __init__(
        self,
        flow: Flow,
        *,
        invoker: Invoker,
        hours_of: Callable[[str], WeeklyHours | None],
        queue_name_of: Callable[[str], str] = lambda arn: arn,
        queue_full: bool = False,
    ) -> None:
        self._flow = flow
        self._invoker = invoker
        self._hours_of = hours_of
        self._queue_name_of = queue_name_of
        self._queue_full = queue_full

    def run(self, call: Call) -> list[Event]:
        state = _State(call=call, presses=deque(call.presses))
        events: list[Event] = []
        identifier: str | None = self._flow.start
        for _ in range(MAX_STEPS):
            if identifier is None:
                return events
            action = self._flow.action(identifier)
            identifier = self._steps()[action.type](action, state, events)
        raise SimulationError(f"the call did not end within {MAX_STEPS} blocks")

    def _steps(self) -> dict[str, Callable[[Action, _State, list[Event]], str | None]]:
        return {
            "CheckHoursOfOperation": self._check_hours_of_operation,
            "Compare": self._compare,
            "DisconnectParticipant": self._disconnect_participant,
            "GetParticipantInput": self._get_participant_input,
            "InvokeLambdaFunction": self._invoke_lambda_function,
            "Loop": self._loop,
            "MessageParticipant": self._message_participant,
            "TransferContactToQueue": self._transfer_contact_to_queue,
            "UpdateContactAttributes": self._update_contact_attributes,
            "UpdateContactTargetQueue": self._update_contact_target_queue,
            "UpdateContactTextToSpeechVoice": self._update_contact_text_to_speech_voice,
            "UpdateFlowLoggingBehavior": self._update_flow_logging_behavior,
        }

    # --- participant actions -------------------------------------------------------------------------------
    def _message_participant(self, action: Action, state: _State, events: list[Event]) -> str | None:
        text = self._text(action, state)
        events.append({"type": "prompt", "block": action.identifier, "voice": state.voice, "text": text})
        return _next(action)

    def _get_participant_input(self, action: Action, state: _State, events: list[Event]) -> str | None:
        text = self._text(action, state)
        events.append({"type": "prompt", "block": action.identifier, "voice": state.voice, "text": text})
        if not state.presses:
            events.append({"type": "input", "block": action.identifier, "digits": None, "outcome": "timeout"})
            return _error(action, "InputTimeLimitExceeded")
        digits = state.presses.popleft()
        target = match(action.conditions, digits)
        events.append(
            {
                "type": "input",
                "block": action.identifier,
                "digits": digits,
                "outcome": "match" if target else "no_match",
            }
        )
        return target or _error(action, "NoMatchingCondition")

    def _disconnect_participant(self, action: Action, state: _State, events: list[Event]) -> None:
        events.append({"type": "disconnect", "block": action.identifier})
        return None

    # --- contact actions ----------------------------------------------------------------------------------
    def _update_contact_text_to_speech_voice(self, action: Action, state: _State, events: list[Event]) -> str | None:
        state.voice = str(action.parameters.get("TextToSpeechVoice", DEFAULT_VOICE))
        return _next(action)

    def _update_contact_attributes(self, action: Action, state: _State, events: list[Event]) -> str | None:
        if action.parameters.get("TargetContact", "Current") != "Current":
            raise FlowError(f"block {action.identifier!r}: only TargetContact 'Current' is simulated")
        updates = {}
        for name, value in dict(action.parameters.get("Attributes", {})).items():
            resolved, missing = interpolate(str(value), state)
            if missing:
                return _error(action, "NoMatchingError")
            updates[str(name)] = resolved
        state.attributes.update(updates)
        return _next(action)

    def _update_contact_target_queue(self, action: Action, state: _State, events: list[Event]) -> str | None:
        state.queue = str(action.parameters.get("QueueId", "")) or None
        return _next(action) if state.queue else _error(action, "NoMatchingError")

    def _transfer_contact_to_queue(self, action: Action, state: _State, events: list[Event]) -> str | None:
        if state.queue is None:
            return _error(action, "NoMatchingError")  # Connect needs a target queue first
        if self._queue_full:
            return _error(action, "QueueAtCapacity")
        events.append(
            {
                "type": "transfer",
                "block": action.identifier,
                "queue": self._queue_name_of(state.queue),
                "queue_arn": state.queue,
            }
        )
        return None

    # --- flow control and interactions --------------------------------------------------------------------
    def _update_flow_logging_behavior(self, action: Action, state: _State, events: list[Event]) -> str | None:
        return _next(action)

    def _compare(self, action: Action, state: _State, events: list[Event]) -> str | None:
        value, _ = interpolate(str(action.parameters.get("ComparisonValue", "")), state)
        return match(action.conditions, value) or _error(action, "NoMatchingCondition")

    def _loop(self, action: Action, state: _State, events: list[Event]) -> str | None:
        try:
            limit = int(action.parameters.get("LoopCount", ""))
        except ValueError:
            raise FlowError(f"block {action.identifier!r}: LoopCount must be a number") from None
        count = state.loops.get(action.identifier, 0) + 1
        result = "ContinueLooping" if count <= limit else "DoneLooping"
        state.loops[action.identifier] = 0 if result == "DoneLooping" else count
        target = match(action.conditions, result)
        if target is None:
            raise FlowError(f"block {action.identifier!r}: no {result} condition")
        return target

    def _check_hours_of_operation(self, action: Action, state: _State, events: list[Event]) -> str | None:
        hours = self._hours_of(str(action.parameters.get("HoursOfOperationId", "")))
        if hours is None:
            return _error(action, "NoMatchingError")
        target = match(action.conditions, "True" if hours.is_open(state.call.at) else "False")
        return target or _error(action, "NoMatchingError")

    def _invoke_lambda_function(self, action: Action, state: _State, events: list[Event]) -> str | None:
        parameters = action.parameters
        arn = str(parameters.get("LambdaFunctionARN", ""))
        limit = int(parameters.get("InvocationTimeLimitSeconds", 8))
        arguments = {
            k: interpolate(str(v), state)[0] for k, v in dict(parameters.get("LambdaInvocationAttributes", {})).items()
        }
        result = self._invoker(arn=arn, event=connect_event(state, arguments), limit_seconds=limit)
        if result.outcome == "ok" and not string_map(result.attributes):
            result = LambdaResult(
                outcome="invalid_response", elapsed_ms=result.elapsed_ms, detail="not a flat map of strings"
            )
        events.append(
            {
                "type": "lambda",
                "block": action.identifier,
                "outcome": result.outcome,
                "elapsed_ms": round(result.elapsed_ms, 1),
                "result": dict(result.attributes) if result.outcome == "ok" else None,
                **({"detail": result.detail} if result.detail else {}),
            }
        )
        if result.outcome != "ok":
            return _error(action, "NoMatchingError")
        state.external = dict(result.attributes)
        return _next(action)

    def _text(self, action: Action, state: _State) -> str:
        if "Text" not in action.parameters:
            raise FlowError(f"block {action.identifier!r}: only Text prompts are simulated (not SSML or PromptId)")
        return interpolate(str(action.parameters["Text"]), state)[0]


def _next(action: Action) -> str:
    if action.next_action is None:
        raise FlowError(f"block {action.identifier!r} has no NextAction")
    return action.next_action


def _error(action: Action, kind: str) -> str:
    target = action.errors.get(kind) or action.errors.get("NoMatchingError")
    if target is None:
        raise FlowError(f"block {action.identifier!r} has no {kind} (or NoMatchingError) branch")
    return target
