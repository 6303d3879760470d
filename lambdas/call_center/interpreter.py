"""Runs a contact flow for one simulated call: the block types of :mod:`flow_model`, as Amazon Connect does.

Each step may emit an event (what the caller hears, a Lambda call, a key press, the transfer, the hang-up, time
spent waiting in the queue, a queued callback, the agent answering). After a transfer the contact waits in the queue
(:mod:`queue_steps`: the customer queue flow, looked up in ``flows`` by the ARN of its event hook). The last event
is always ``{"type": "attributes", "attributes": ...}``: the contact attributes Connect keeps.

Where Connect's behaviour is not documented the interpreter is stricter: ``UpdateContactAttributes`` with a
reference that does not resolve takes the error branch, and a missing error branch stops the simulation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from lambdas.call_center import ssml
from lambdas.call_center.call_state import (
    DEFAULT_VOICE,
    Call,
    CallState,
    Event,
    Invoker,
    LambdaResult,
    QueueConditions,
    SimulationError,
    error_branch,
    next_action,
)
from lambdas.call_center.contact import connect_event, interpolate, match, string_map
from lambdas.call_center.flow_model import Action, Flow
from lambdas.call_center.flows import FlowError
from lambdas.call_center.hours import WeeklyHours
from lambdas.call_center.queue_steps import QueueSteps

__all__ = ["Call", "Event", "Interpreter", "LambdaResult", "QueueConditions", "SimulationError"]

MAX_STEPS = 2000
# "When a synchronous invocation returns an error, Amazon Connect retries up to three times, for a maximum of 8
# seconds"; throttling and 500 errors are retried (adminguide/invoke-lambda-function-block.html).
LAMBDA_RETRIES = 3
RETRIED: frozenset[str] = frozenset({"error", "throttled"})
# "You can have up to 32,768 UTF-8 bytes across all attributes for a contact ... when the attributes for a contact
# exceed 32 KB, the contact is routed down the Error branch" (APIReference/API_UpdateContactAttributes.html).
MAX_ATTRIBUTE_BYTES = 32_768
NO_KEY = "-"  # a press that is no key at all: the input block times out


class Interpreter(QueueSteps):
    def __init__(
        self,
        flow: Flow,
        *,
        invoker: Invoker,
        hours_of: Callable[[str], WeeklyHours | None],
        queue_name_of: Callable[[str], str] = lambda arn: arn,
        queue_full: bool = False,
        flows: Mapping[str, Flow] | None = None,
    ) -> None:
        self._flow = flow
        self._invoker = invoker
        self._hours_of = hours_of
        self._queue_name_of = queue_name_of
        self._queue_full = queue_full
        self._flows = dict(flows or {})

    def run(self, call: Call) -> list[Event]:
        state = CallState(call=call, presses=deque(call.presses))
        events: list[Event] = []
        self._play(self._flow, state, events)
        if state.ended == "transfer":
            self._wait_in_queue(state, events)
        events.append({"type": "attributes", "attributes": dict(state.attributes)})
        return events

    def _play(self, flow: Flow, state: CallState, events: list[Event]) -> None:
        identifier: str | None = flow.start
        for _ in range(MAX_STEPS):
            if identifier is None or self._answered(state, events):
                return
            action = flow.action(identifier)
            identifier = self._steps()[action.type](action, state, events)
        raise SimulationError(f"the call did not end within {MAX_STEPS} blocks")

    def _steps(self) -> dict[str, Callable[[Action, CallState, list[Event]], str | None]]:
        return {
            "CheckHoursOfOperation": self._check_hours_of_operation,
            "CheckMetricData": self._check_metric_data,
            "Compare": self._compare,
            "CreateCallbackContact": self._create_callback_contact,
            "DisconnectParticipant": self._disconnect_participant,
            "EndFlowExecution": self._end_flow_execution,
            "GetMetricData": self._get_metric_data,
            "GetParticipantInput": self._get_participant_input,
            "InvokeLambdaFunction": self._invoke_lambda_function,
            "Loop": self._loop,
            "MessageParticipant": self._message_participant,
            "MessageParticipantIteratively": self._message_participant_iteratively,
            "TransferContactToQueue": self._transfer_contact_to_queue,
            "UpdateContactAttributes": self._update_contact_attributes,
            "UpdateContactCallbackNumber": self._update_contact_callback_number,
            "UpdateContactEventHooks": self._update_contact_event_hooks,
            "UpdateContactRecordingBehavior": self._update_contact_recording_behavior,
            "UpdateContactTargetQueue": self._update_contact_target_queue,
            "UpdateContactTextToSpeechVoice": self._update_contact_text_to_speech_voice,
            "UpdateFlowAttributes": self._update_flow_attributes,
            "UpdateFlowLoggingBehavior": self._update_flow_logging_behavior,
        }

    def _message_participant(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        events.append(self._prompt(action.parameters, action, state))
        return next_action(action)

    def _get_participant_input(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        prompt = self._prompt(action.parameters, action, state)
        events.append(prompt)
        press = state.presses.popleft() if state.presses else NO_KEY
        digits, _, during = press.partition("@")
        if digits in ("", NO_KEY):
            events.append({"type": "input", "block": action.identifier, "digits": None, "outcome": "timeout"})
            if state.in_queue:
                self._wait(state, events, float(action.parameters.get("InputTimeLimitSeconds", 5)))
            return error_branch(action, "InputTimeLimitExceeded")
        if during:  # DTMF during the prompt stops it ("Plays an interruptible audio prompt", store-customer-input)
            prompt["interrupted_after_seconds"] = float(during)
        # "The Get customer input flow block allows only single-digit DTMF input"
        # (repost.aws/knowledge-center/connect-store-get-customer-input-blocks): the first key decides.
        key, ignored = digits[0], digits[1:]
        target = match(action.conditions, key)
        event = {
            "type": "input",
            "block": action.identifier,
            "digits": key,
            "outcome": "match" if target else "no_match",
        }
        events.append(event | ({"ignored": ignored} if ignored else {}))
        return target or error_branch(action, "NoMatchingCondition")

    def _disconnect_participant(self, action: Action, state: CallState, events: list[Event]) -> None:
        events.append({"type": "disconnect", "block": action.identifier})
        state.ended = "disconnect"
        return None

    def _update_contact_text_to_speech_voice(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        voice = str(action.parameters.get("TextToSpeechVoice", DEFAULT_VOICE))
        engine = str(action.parameters.get("TextToSpeechEngine", "Standard"))
        failure = state.call.voice_error
        failed = failure == "all" or (failure == "neural" and engine != "Standard")
        events.append(
            {
                "type": "voice",
                "block": action.identifier,
                "voice": voice,
                "engine": engine,
                "outcome": "error" if failed else "ok",
            }
        )
        if failed:
            return error_branch(action, "NoMatchingError")
        state.voice = voice
        return next_action(action)

    def _update_contact_attributes(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        if action.parameters.get("TargetContact", "Current") != "Current":
            raise FlowError(f"block {action.identifier!r}: only TargetContact 'Current' is simulated")
        updates = {}
        for name, value in dict(action.parameters.get("Attributes", {})).items():
            resolved, missing = interpolate(str(value), state)
            if missing:
                return error_branch(action, "NoMatchingError")
            updates[str(name)] = resolved
        merged = state.attributes | updates
        if sum(len(k.encode()) + len(v.encode()) for k, v in merged.items()) > MAX_ATTRIBUTE_BYTES:
            return error_branch(action, "NoMatchingError")
        state.attributes.update(updates)
        return next_action(action)

    def _update_contact_target_queue(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        state.queue = str(action.parameters.get("QueueId", "")) or None
        return next_action(action) if state.queue else error_branch(action, "NoMatchingError")

    def _transfer_contact_to_queue(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        if state.queue is None:
            return error_branch(action, "NoMatchingError")  # Connect needs a target queue first
        if self._queue_full:
            return error_branch(action, "QueueAtCapacity")
        events.append(
            {
                "type": "transfer",
                "block": action.identifier,
                "queue": self._queue_name_of(state.queue),
                "queue_arn": state.queue,
            }
        )
        state.ended = "transfer"
        return None

    def _update_flow_logging_behavior(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        return next_action(action)

    def _update_flow_attributes(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        # "either all attributes are set or none are set"; Errors: None. An unresolved reference sets "".
        attributes = dict(action.parameters.get("FlowAttributes", {}))
        resolved = {
            str(name): interpolate(str(dict(spec).get("Value", "")), state)[0] for name, spec in attributes.items()
        }
        state.flow_attributes.update(resolved)
        return next_action(action)

    def _end_flow_execution(self, action: Action, state: CallState, events: list[Event]) -> None:
        return None

    def _compare(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        value, _ = interpolate(str(action.parameters.get("ComparisonValue", "")), state)
        return match(action.conditions, value) or error_branch(action, "NoMatchingCondition")

    def _loop(self, action: Action, state: CallState, events: list[Event]) -> str | None:
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

    def _check_hours_of_operation(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        hours = self._hours_of(str(action.parameters.get("HoursOfOperationId", "")))
        if hours is None:
            return error_branch(action, "NoMatchingError")
        target = match(action.conditions, "True" if hours.is_open(state.call.at) else "False")
        return target or error_branch(action, "NoMatchingError")

    def _invoke_lambda_function(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        parameters = action.parameters
        arn = str(parameters.get("LambdaFunctionARN", ""))
        limit = int(parameters.get("InvocationTimeLimitSeconds", 8))
        arguments = {
            k: interpolate(str(v), state)[0] for k, v in dict(parameters.get("LambdaInvocationAttributes", {})).items()
        }
        event = connect_event(state, arguments)
        attempts, spent_ms = 0, 0.0
        while True:
            attempts += 1
            result = self._invoker(arn=arn, event=event, limit_seconds=limit)
            spent_ms += result.elapsed_ms
            if result.outcome not in RETRIED or attempts > LAMBDA_RETRIES or spent_ms >= limit * 1000:
                break
        if result.outcome in RETRIED and spent_ms >= limit * 1000:
            result = LambdaResult(
                outcome="timeout", elapsed_ms=spent_ms, detail=f"retries ran past the {limit} s limit"
            )
        if result.outcome == "ok" and not string_map(result.attributes):
            result = LambdaResult(
                outcome="invalid_response", elapsed_ms=result.elapsed_ms, detail="not a flat map of strings"
            )
        events.append(
            {
                "type": "lambda",
                "block": action.identifier,
                "outcome": result.outcome,
                "elapsed_ms": round(spent_ms, 1),
                "attempts": attempts,
                "result": dict(result.attributes) if result.outcome == "ok" else None,
                **({"detail": result.detail} if result.detail else {}),
            }
        )
        if result.outcome != "ok":
            return error_branch(action, "NoMatchingError")
        state.external = dict(result.attributes)
        return next_action(action)

    def _prompt(self, parameters: Mapping[str, Any], action: Action, state: CallState) -> Event:
        """What the caller hears from a Text or SSML prompt ("May not be specified if Text or PromptId is also
        specified", participant-actions-getparticipantinput.html)."""
        if ("Text" in parameters) == ("SSML" in parameters):
            raise FlowError(f"block {action.identifier!r}: a prompt needs exactly one of Text and SSML (no PromptId)")
        if "SSML" in parameters:
            markup = interpolate(str(parameters["SSML"]), state)[0]
            return {
                "type": "prompt",
                "block": action.identifier,
                "voice": state.voice,
                "text": ssml.spoken(markup),
                "ssml": markup,
            }
        text = interpolate(str(parameters["Text"]), state)[0]
        return {"type": "prompt", "block": action.identifier, "voice": state.voice, "text": text}
