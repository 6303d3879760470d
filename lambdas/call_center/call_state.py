"""One simulated call: what the caller does (:class:`Call`, :class:`QueueConditions`), the contact as the flow changes
it (:class:`CallState`), the Lambda's answer, and the two ways a block moves on (its NextAction or an error branch)."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from lambdas.call_center.flow_model import Action
from lambdas.call_center.flows import FlowError

DEFAULT_VOICE = "Joanna"  # Connect's voice until UpdateContactTextToSpeechVoice runs

Event = dict[str, Any]
Outcome = Literal["ok", "error", "timeout", "invalid_response", "throttled"]


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
class QueueConditions:
    """The agent queue during the call (defaults: one agent staffed and available, who answers at once)."""

    agents_staffed: int = 1
    agents_available: int = 1
    contacts_in_queue: int = 0  # callers already waiting
    oldest_contact_age_seconds: int = 0  # how long the first of them has waited (the expected wait)
    answer_after_seconds: float | None = 0.0  # when an agent answers this caller; None: never


@dataclass(frozen=True, kw_only=True)
class Call:
    phone: str | None  # None: no caller ID at all (CustomerEndpoint is null)
    # DTMF entries, one per input block; when they run out, input times out. "-" is no key (a timeout); "1@2" is
    # key 1 pressed 2 s into the prompt, which interrupts it.
    presses: Sequence[str]
    at: datetime  # aware
    queue: QueueConditions = field(default_factory=QueueConditions)
    voice_error: Literal["neural", "all"] | None = None  # UpdateContactTextToSpeechVoice fails (for that engine)
    instance_arn: str = "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated"
    system_number: str = "+8215880000"


@dataclass(kw_only=True)
class CallState:
    call: Call
    presses: deque[str]
    contact_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, str] = field(default_factory=dict)
    flow_attributes: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    hooks: dict[str, str] = field(default_factory=dict)
    callback_number: str | None = None
    voice: str = DEFAULT_VOICE
    queue: str | None = None
    loops: dict[str, int] = field(default_factory=dict)
    in_queue: bool = False
    clock: float = 0.0  # seconds in the queue
    ended: str | None = None  # "transfer", "disconnect", "answered"

    @property
    def phone(self) -> str | None:
        return self.call.phone

    @property
    def instance_arn(self) -> str:
        return self.call.instance_arn

    @property
    def system_number(self) -> str:
        return self.call.system_number


def next_action(action: Action) -> str:
    if action.next_action is None:
        raise FlowError(f"block {action.identifier!r} has no NextAction")
    return action.next_action


def error_branch(action: Action, kind: str) -> str:
    target = action.errors.get(kind) or action.errors.get("NoMatchingError")
    if target is None:
        raise FlowError(f"block {action.identifier!r} has no {kind} (or NoMatchingError) branch")
    return target
