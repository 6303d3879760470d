"""Play the deployed contact flow for one phone call, against the real handler, and print what the caller hears.

    python -m lambdas.call_center.simulate --phone +821012345678 [--press 1 0] [--at 2026-05-12T10:00+09:00] [--json]

The flow is ``stacks/assets/contact_flows/<flow>.json`` rendered for ``--env`` (dev) by the construct's own code,
or the contact flow of a synthesized template (``--template cdk.out/DevStack.template.json``, with the hours and the
Lambda timeout found there). Each ``--press`` is what the caller keys in at one menu; when they run out, the menu
times out; ``-`` is an explicit "no key" (that menu times out), and ``1@2`` is key 1 pressed 2 s into the prompt
(it interrupts the prompt; the transcript says so). A menu takes one key, as Connect's does: ``--press 12`` is key 1.
``--at`` fixes the time for the hours check and for the handler (a naive time is store-local).

The agent queue (defaults: one agent staffed and available, who answers at once):
``--agents-staffed N``, ``--agents-available N``, ``--queue-contacts N`` (callers already waiting),
``--queue-wait SECONDS`` (how long the oldest of them has waited: what the flow checks against the long-wait
threshold), ``--answer-after SECONDS`` (when an agent answers this caller, or ``never``). ``--callbacks`` renders
the queued callback blocks, as where a phone number is configured (a callback needs the queue's outbound caller
ID). After the transfer the customer queue flow (``customer_queue``, set by the inbound flow's event hook) plays on
a simulated clock.

The handler runs in-process against ``AWS_ENDPOINT_URL`` (default: the local platform's emulator,
``http://127.0.0.1:$AWS_PORT``, with fake credentials) and the tables of its settings (``tlj-local-*``).
Faults: ``--lambda-error`` (every invocation fails; Connect retries up to three times), ``--lambda-timeout`` (no answer
within the limit), ``--lambda-throttled N`` (the first N attempts are throttled, then retried), ``--queue-full``,
``--voice-error neural|all`` (UpdateContactTextToSpeechVoice fails for the neural engine, or for every engine).

Output: a transcript, or with ``--json`` one JSON event per line (JSON Lines), each
``{"type": "prompt"|"lambda"|"input"|"transfer"|"disconnect", "block": ..., ...}`` and also ``"voice"`` (the voice set
or failing), ``"metric"`` (a CheckMetricData value), ``"recording"`` (Contact Lens recording set), ``"wait"`` (seconds
passing in the queue, with the queue ``clock``), ``"callback"`` (a queued callback created), ``"agent"`` (an agent
answers, ``after_seconds`` in the queue); the last event is ``"attributes"`` (the contact attributes Connect keeps).
A prompt event has ``"ssml"`` when it was SSML, and ``"interrupted_after_seconds"`` when a key stopped it.
Exit status: 0 the call ended, 1 it did not end (a loop), 2 the flow cannot be played (unknown block type,
missing block, unreadable file).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lambdas.call_center.clock import FIXED_TIME_VARIABLE
from lambdas.call_center.flow_model import load_flow
from lambdas.call_center.flows import FlowError, FlowOptions, fill, flow_names, render
from lambdas.call_center.hours import WeeklyHours
from lambdas.call_center.interpreter import Call, Event, Interpreter, QueueConditions, SimulationError
from lambdas.call_center.invoker import HandlerInvoker
from lambdas.call_center.template import contact_flows, hours_of_operation, lambda_timeout, load_template
from lambdas.call_center.transcript import write
from stacks.config import DEV, PROD

LOCAL_EMULATOR = "http://127.0.0.1:{}"
SIMULATED_ARNS = {
    "CallCenterLambdaArn": "arn:aws:lambda:ap-northeast-2:123456789012:function:tlj-local-call-center",
    "QueueArn": "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated/queue/agents",
    "HoursOfOperationArn": "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated/operating-hours/store",
    "CustomerQueueFlowArn": "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated/contact-flow/queue",
}
QUEUE_FLOW = "customer_queue"


@dataclass(frozen=True)
class _Overridden:
    """A CallCenterConfig seen through CallCenterSettingsLike with some fields replaced (even read-only properties
    such as ``callback_enabled``, which dev's config derives from a phone number it does not have)."""

    config: Any
    overrides: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.overrides[name] if name in self.overrides else getattr(self.config, name)


def settings(config: Any, **overrides: Any) -> Any:
    """``config`` (a CallCenterConfig) with ``overrides``, e.g. ``callback_enabled=True``."""
    if isinstance(config, _Overridden):
        return _Overridden(config.config, config.overrides | overrides)
    return _Overridden(config, overrides)


@dataclass(frozen=True, kw_only=True)
class Setup:
    """A playable flow with what the simulator needs to know about its environment."""

    flow_text: str
    hours: dict[str, WeeklyHours]  # ARN -> hours of operation
    flows: dict[str, str] = field(default_factory=dict)  # ARN -> flow text, for the event hooks (the queue flow)
    queues: dict[str, str]  # ARN -> queue name
    function_timeout_seconds: int | None
    store_hours: WeeklyHours  # what the handler is told (STORE_HOURS) when run from the command line


def from_assets(config: Any, *, flow: str = "inbound", lang: str | None = None) -> Setup:
    """The flow file rendered exactly as the CallCenter construct renders it, with simulated ARNs; the customer
    queue flow is rendered too, at the ARN the inbound flow's event hook names."""
    options = FlowOptions.of(_with_language(config, lang) if lang else settings(config))
    path = Path(flow)
    text = render(path.stem, options, path.parent) if path.suffix == ".json" else render(flow, options)
    queue_flow = fill(render(QUEUE_FLOW, options), SIMULATED_ARNS)
    return Setup(
        flow_text=fill(text, SIMULATED_ARNS),
        flows={SIMULATED_ARNS["CustomerQueueFlowArn"]: queue_flow},
        hours={SIMULATED_ARNS["HoursOfOperationArn"]: options.hours},
        queues={SIMULATED_ARNS["QueueArn"]: "agents"},
        function_timeout_seconds=config.lambda_timeout_seconds,
        store_hours=options.hours,
    )


def from_template(path: Path, flow_id: str | None = None) -> Setup:
    """The contact flow of a synthesized template (``flow_id``: its logical ID, needed when there are several
    flows of type CONTACT_FLOW); the other flows it references (the customer queue flow) come along."""
    template = load_template(path)
    flows = {f.logical_id: f for f in contact_flows(template)}
    if not flows:
        raise FlowError(f"{path}: no AWS::Connect::ContactFlow")
    inbound = [lid for lid, f in flows.items() if f.flow_type == "CONTACT_FLOW"]
    if flow_id is None and len(inbound) != 1:
        raise FlowError(f"{path} has several flows; choose one with --flow-id: {', '.join(sorted(flows))}")
    if flow_id is not None and flow_id not in flows:
        raise FlowError(f"{path} has no flow {flow_id!r}; it has {', '.join(sorted(flows))}")
    chosen = flows[flow_id or inbound[0]]
    resources = template["Resources"]
    hours = {arn: h for arn, lid in chosen.references.items() if (h := hours_of_operation(template, lid))}
    queues = {
        arn: str(resources[lid]["Properties"].get("Name", lid))
        for arn, lid in chosen.references.items()
        if resources[lid].get("Type") == "AWS::Connect::Queue"
    }
    timeouts = [t for lid in chosen.references.values() if (t := lambda_timeout(template, lid)) is not None]
    if not hours:
        raise FlowError(f"{path}: the flow references no AWS::Connect::HoursOfOperation")
    return Setup(
        flow_text=chosen.content,
        flows={arn: flows[lid].content for arn, lid in chosen.references.items() if lid in flows},
        hours=hours,
        queues=queues,
        function_timeout_seconds=min(timeouts) if timeouts else None,
        store_hours=next(iter(hours.values())),
    )


def simulate(
    setup: Setup, call: Call, *, fault: str | None = None, queue_full: bool = False, throttles: int = 0
) -> list[Event]:
    """Play one call; raises ``FlowError`` (the flow cannot be played) or ``SimulationError`` (it does not end)."""
    flow = load_flow(setup.flow_text)
    invoker = HandlerInvoker(
        at=call.at, function_timeout_seconds=setup.function_timeout_seconds, fault=fault, throttles=throttles
    )
    interpreter = Interpreter(
        flow,
        invoker=invoker,
        hours_of=setup.hours.get,
        queue_name_of=lambda arn: setup.queues.get(arn, arn),
        queue_full=queue_full,
        flows={arn: load_flow(text) for arn, text in setup.flows.items()},
    )
    return interpreter.run(call)


def _with_language(config: Any, lang: str) -> Any:
    voice = config.voice if lang == config.language else {"ko": "Seoyeon", "en": "Joanna"}.get(lang, config.voice)
    if isinstance(config, _Overridden):
        return settings(replace(config.config, language=lang, voice=voice), **config.overrides)
    return settings(replace(config, language=lang, voice=voice))


def parse_time(text: str | None, hours: WeeklyHours) -> datetime:
    if text is None:
        return hours.local(datetime.now().astimezone())
    return hours.local(datetime.fromisoformat(text))


@contextmanager
def local_environment(endpoint: str, store_hours: WeeklyHours) -> Iterator[None]:
    """The process environment of a command-line run: the endpoint (the emulator unless told otherwise, so never real
    AWS by accident, with fake credentials unless some are set), the flow's store hours, no X-Ray or EMF output."""
    forced = {
        "AWS_ENDPOINT_URL": endpoint,
        "STORE_HOURS": store_hours.to_json(),
        "STORE_TIMEZONE": store_hours.time_zone,
    }
    defaults = {
        "AWS_DEFAULT_REGION": "ap-northeast-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    saved = {key: os.environ.get(key) for key in [*forced, *defaults, FIXED_TIME_VARIABLE]}
    os.environ.update(forced | {key: value for key, value in defaults.items() if key not in os.environ})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lambdas.call_center.simulate",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    caller = parser.add_mutually_exclusive_group(required=True)
    caller.add_argument("--phone", help="the caller's number as Connect gives it, e.g. +821012345678 or anonymous")
    caller.add_argument("--no-caller-id", action="store_true", help="no caller ID at all (CustomerEndpoint null)")
    parser.add_argument("--press", nargs="+", action="extend", default=[], metavar="DIGITS", help="keys, per menu")
    parser.add_argument("--at", help="ISO time of the call (naive: store-local); default now")
    parser.add_argument("--json", action="store_true", help="JSON Lines events instead of a transcript")
    parser.add_argument("--flow", default="inbound", help=f"flow name {flow_names()} or a flow file (default inbound)")
    parser.add_argument("--lang", choices=("ko", "en"), help="render the flow in this language (default: config)")
    parser.add_argument("--env", choices=("dev", "prod"), default="dev", help="whose config renders the flow")
    parser.add_argument(
        "--callbacks",
        action="store_true",
        help="render the callback blocks, as where a phone number is configured (callback_enabled)",
    )
    parser.add_argument("--template", type=Path, help="play the contact flow of a synthesized template instead")
    parser.add_argument("--flow-id", help="logical ID of the flow in --template, when it has several")
    parser.add_argument("--endpoint-url", help="AWS endpoint for the handler (default: the local emulator)")
    faults = parser.add_mutually_exclusive_group()
    faults.add_argument("--lambda-error", action="store_true", help="the Lambda invocation fails")
    faults.add_argument("--lambda-timeout", action="store_true", help="the Lambda does not answer in time")
    faults.add_argument("--lambda-throttled", type=int, default=0, metavar="N", help="first N attempts throttled")
    parser.add_argument("--queue-full", action="store_true", help="the agent queue is at capacity")
    parser.add_argument("--voice-error", choices=("neural", "all"), help="setting the voice fails for this engine")
    queue = parser.add_argument_group("the agent queue")
    queue.add_argument("--agents-staffed", type=_count, default=1, metavar="N", help="agents staffed (default 1)")
    queue.add_argument("--agents-available", type=_count, default=1, metavar="N", help="agents available (default 1)")
    queue.add_argument("--queue-contacts", type=_count, default=0, metavar="N", help="callers already waiting")
    queue.add_argument("--queue-wait", type=_count, default=0, metavar="SECONDS", help="oldest caller's wait so far")
    queue.add_argument(
        "--answer-after", type=_answer, default=0.0, metavar="SECONDS|never", help="an agent answers after (default 0)"
    )
    parser.add_argument("--verbose", action="store_true", help="show the handler's logs on stderr")
    args = parser.parse_args(argv)
    try:
        if args.template:
            if args.lang:
                parser.error("--lang renders asset flows; a template's flow has its language built in")
            setup = from_template(args.template, args.flow_id)
        else:
            base = DEV.call_center if args.env == "dev" else PROD.call_center
            config = settings(base, callback_enabled=True) if args.callbacks else settings(base)
            setup = from_assets(config, flow=args.flow, lang=args.lang)
    except (FlowError, OSError) as error:
        sys.stderr.write(f"error: the flow cannot be played: {error}\n")
        return 2
    try:
        at = parse_time(args.at, setup.store_hours)
    except ValueError:
        parser.error(f"--at must be an ISO time such as 2026-05-12T10:00+09:00, got {args.at!r}")
    conditions = QueueConditions(
        agents_staffed=args.agents_staffed,
        agents_available=args.agents_available,
        contacts_in_queue=args.queue_contacts,
        oldest_contact_age_seconds=args.queue_wait,
        answer_after_seconds=args.answer_after,
    )
    call = Call(
        phone=None if args.no_caller_id else args.phone,
        presses=list(args.press),
        at=at,
        queue=conditions,
        voice_error=args.voice_error,
    )
    fault = "error" if args.lambda_error else "timeout" if args.lambda_timeout else None
    endpoint = (
        args.endpoint_url
        or os.environ.get("AWS_ENDPOINT_URL")
        or LOCAL_EMULATOR.format(os.environ.get("AWS_PORT", "4566"))
    )
    try:
        with local_environment(endpoint, setup.store_hours), handler_logs(verbose=args.verbose):
            events = simulate(setup, call, fault=fault, queue_full=args.queue_full, throttles=args.lambda_throttled)
    except FlowError as error:
        sys.stderr.write(f"error: the flow cannot be played: {error}\n")
        return 2
    except SimulationError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    try:
        write(events, call, as_json=args.json)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    errors = sorted(
        {str(e["result"]["error"]) for e in events if e["type"] == "lambda" and (e.get("result") or {}).get("error")}
    )
    if errors:
        sys.stderr.write(
            f"note: the handler answered error={', '.join(errors)} (is {endpoint} up? --verbose shows why)\n"
        )
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _answer(text: str) -> float | None:
    if text == "never":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of seconds or 'never', got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a log line is written (tests swap it per test)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@contextmanager
def handler_logs(*, verbose: bool) -> Iterator[None]:
    """The handler's JSON logs go to stderr (stdout is the transcript), only with --verbose; the note after the
    transcript says when the handler answered with an error."""
    from lambdas.call_center.telemetry import logger

    handler: Any = logger.registered_handler
    handler.setStream(_CurrentStderr())
    level = logger.log_level
    logger.setLevel("INFO" if verbose else "CRITICAL")
    try:
        yield
    finally:
        logger.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
