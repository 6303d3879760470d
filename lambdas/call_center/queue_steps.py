"""The blocks of "after the menu" and the queue clock, for :class:`interpreter.Interpreter` (a mixin).

After a transfer the contact waits in the queue: the flow set by ``UpdateContactEventHooks`` ``CustomerQueue`` plays
on a simulated clock until the agent answers (``QueueConditions.answer_after_seconds``), the caller takes a queued
callback, or the flow hangs up. Only MessageParticipantIteratively intervals and input timeouts advance the clock;
prompts take no simulated time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from lambdas.call_center.call_state import CallState, Event, SimulationError, error_branch, next_action
from lambdas.call_center.contact import interpolate, match
from lambdas.call_center.flow_model import Action, Flow
from lambdas.call_center.flows import FlowError

E164 = re.compile(r"^\+[1-9]\d{6,14}$")  # UpdateContactCallbackNumber: "not a valid (e.164) phone number"
# CheckMetricData's MetricType -> the QueueConditions field it reads (flow-control-actions-checkmetricdata.html).
METRICS = {
    "NumberOfAgentsAvailable": "agents_available",
    "NumberOfAgentsStaffed": "agents_staffed",
    "NumberOfAgentsOnline": "agents_staffed",
    "OldestContactInQueueAgeSeconds": "oldest_contact_age_seconds",
    "NumberOfContactsInQueue": "contacts_in_queue",
}


class QueueSteps:
    """Block steps that need the queue: the interpreter provides the attributes and methods declared here."""

    _flows: dict[str, Flow]
    _queue_name_of: Callable[[str], str]

    def _play(self, flow: Flow, state: CallState, events: list[Event]) -> None:
        raise NotImplementedError

    def _prompt(self, parameters: Mapping[str, Any], action: Action, state: CallState) -> Event:
        raise NotImplementedError

    def _wait_in_queue(self, state: CallState, events: list[Event]) -> None:
        if self._answered(state, events):
            return
        state.in_queue, state.ended = True, None
        state.flow_attributes, state.loops = {}, {}  # flow attributes "are not carried over to the subsequent flows"
        hook = state.hooks.get("CustomerQueue")
        queue_flow = self._flows.get(hook) if hook else None
        if queue_flow is not None:
            self._play(queue_flow, state, events)
        if state.ended is None:  # no queue flow, or it ended (EndFlowExecution): the caller hears hold music
            self._wait(state, events, None)

    def _answered(self, state: CallState, events: list[Event]) -> bool:
        answer = state.call.queue.answer_after_seconds
        if state.ended == "answered":
            return True
        if not (state.ended == "transfer" or state.in_queue) or answer is None or state.clock < answer:
            return False
        events.append({"type": "agent", "after_seconds": round(state.clock, 1)})
        state.ended = "answered"
        return True

    def _wait(self, state: CallState, events: list[Event], seconds: float | None) -> bool:
        """Let ``seconds`` pass in the queue (None: until the agent answers); True when the agent answered."""
        answer = state.call.queue.answer_after_seconds
        if seconds is None and answer is None:
            raise SimulationError("the caller waits forever: no agent answers and the queue flow never ends")
        until = answer if seconds is None or (answer is not None and answer < state.clock + seconds) else None
        step = (until - state.clock) if until is not None else float(seconds or 0)
        state.clock += max(step, 0.0)
        events.append({"type": "wait", "seconds": round(max(step, 0.0), 1), "clock": round(state.clock, 1)})
        return self._answered(state, events)

    def _message_participant_iteratively(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        # Loops its messages until InterruptFrequencySeconds elapse, then "MessagesInterrupted"
        # (participant-actions-messageparticipantiteratively.html).
        messages = action.parameters.get("Messages") or []
        if not messages:
            raise FlowError(f"block {action.identifier!r}: MessageParticipantIteratively needs Messages")
        events.extend(self._prompt(message, action, state) for message in messages)
        frequency = action.parameters.get("InterruptFrequencySeconds")
        if self._wait(state, events, float(frequency) if frequency else None):
            return None
        return match(action.conditions, "MessagesInterrupted") or next_action(action)

    def _update_contact_event_hooks(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        hooks = action.parameters.get("EventHooks")
        if not isinstance(hooks, Mapping) or len(hooks) != 1:  # "Only one entry may be present in this map."
            raise FlowError(f"block {action.identifier!r}: EventHooks must hold exactly one entry")
        ((event, flow),) = hooks.items()
        state.hooks[str(event)] = str(flow)
        return next_action(action)

    def _update_contact_callback_number(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        number, _ = interpolate(str(action.parameters.get("CallbackNumber", "")), state)
        if not E164.match(number):
            return error_branch(action, "InvalidCallbackNumber")
        state.callback_number = number
        return next_action(action)

    def _create_callback_contact(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        # QueueId "or if this is not specified, the contact's current TargetQueue"; the number defaults to the
        # contact's callback number (interactions-createcallbackcontact.html).
        queue = str(action.parameters.get("QueueId", "")) or state.queue
        number = state.callback_number or state.phone or ""
        if queue is None or not E164.match(number):
            return error_branch(action, "NoMatchingError")
        events.append(
            {
                "type": "callback",
                "block": action.identifier,
                "queue": self._queue_name_of(queue),
                "delay_seconds": int(action.parameters.get("InitialCallDelaySeconds", 0)),
            }
        )
        return next_action(action)

    def _update_contact_recording_behavior(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        recording = action.parameters.get("RecordingBehavior", {})
        analytics = action.parameters.get("AnalyticsBehavior", {})
        events.append(
            {
                "type": "recording",
                "block": action.identifier,
                "participants": list(recording.get("RecordedParticipants", [])),
                "analytics_language": analytics.get("AnalyticsLanguage")
                if analytics.get("Enabled") == "True"
                else None,
            }
        )
        return next_action(action)

    def _get_metric_data(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        # Loads real-time queue metrics as $.Metrics.* attributes (flow-control-actions-getmetricdata.html; names
        # from adminguide/attrib-system-metrics.html). Agent metrics are missing when there are no agents.
        queue = state.call.queue
        if not (str(action.parameters.get("QueueId", "")) or state.queue):
            return error_branch(action, "NoMatchingError")
        state.metrics = {
            "Queue.Size": str(queue.contacts_in_queue + (1 if state.in_queue else 0)),
            "Queue.OldestContactAge": str(queue.oldest_contact_age_seconds + int(state.clock)),
        }
        if queue.agents_staffed:
            state.metrics |= {
                "Agents.Staffed.Count": str(queue.agents_staffed),
                "Agents.Online.Count": str(queue.agents_staffed),
                "Agents.Available.Count": str(queue.agents_available),
            }
        return next_action(action)

    def _check_metric_data(self, action: Action, state: CallState, events: list[Event]) -> str | None:
        metric = str(action.parameters.get("MetricType", ""))
        if metric not in METRICS:
            raise FlowError(f"block {action.identifier!r}: MetricType {metric!r} is not one of {sorted(METRICS)}")
        if not (str(action.parameters.get("QueueId", "")) or state.queue):
            return error_branch(
                action, "NoMatchingError"
            )  # "If neither this nor QueueId are specified, ... TargetQueue"
        value = int(getattr(state.call.queue, METRICS[metric]))
        events.append({"type": "metric", "block": action.identifier, "metric": metric, "value": value})
        target = match(action.conditions, str(value))
        if target:
            return target
        if metric.startswith("NumberOfAgents"):  # NoMatchingCondition is only supported for the other metrics
            return next_action(action)
        return error_branch(action, "NoMatchingCondition")
