"""Play the deployed contact flow for one phone call, against the real handler, and print what the caller hears.

    python -m lambdas.call_center.simulate --phone +821012345678 [--press 1 0] [--at 2026-05-12T10:00+09:00] [--json]

The flow is ``stacks/assets/contact_flows/<flow>.json`` rendered for ``--env`` (dev) by the construct's own code,
or the contact flow of a synthesized template (``--template cdk.out/DevStack.template.json``, with the hours and the
Lambda timeout found there). Each ``--press`` is what the caller keys in at one menu; when they run out, the menu
times out. ``--at`` fixes the time for the hours check and for the handler (a naive time is store-local).

The handler runs in-process against ``AWS_ENDPOINT_URL`` (default: the local platform's emulator,
``http://127.0.0.1:$AWS_PORT``, with fake credentials) and the tables of its settings (``tlj-local-*``).
Faults: ``--lambda-error`` (the invocation fails), ``--lambda-timeout`` (no answer within the limit),
``--queue-full``.

Output: a transcript, or with ``--json`` one JSON event per line (JSON Lines), each
``{"type": "prompt"|"lambda"|"input"|"transfer"|"disconnect", "block": ..., ...}``.
Exit status: 0 the call ended, 1 it did not end (a loop), 2 the flow cannot be played (unknown block type,
missing block, unreadable file).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lambdas.call_center.clock import FIXED_TIME_VARIABLE
from lambdas.call_center.flow_model import load_flow
from lambdas.call_center.flows import FlowError, FlowOptions, fill, flow_names, render
from lambdas.call_center.hours import WeeklyHours
from lambdas.call_center.interpreter import Call, Event, Interpreter, SimulationError
from lambdas.call_center.invoker import HandlerInvoker
from lambdas.call_center.template import contact_flows, hours_of_operation, lambda_timeout, load_template
from lambdas.call_center.transcript import write
from stacks.config import DEV, PROD, CallCenterConfig

LOCAL_EMULATOR = "http://127.0.0.1:{}"
SIMULATED_ARNS = {
    "CallCenterLambdaArn": "arn:aws:lambda:ap-northeast-2:123456789012:function:tlj-local-call-center",
    "QueueArn": "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated/queue/agents",
    "HoursOfOperationArn": "arn:aws:connect:ap-northeast-2:123456789012:instance/simulated/operating-hours/store",
}


@dataclass(frozen=True, kw_only=True)
class Setup:
    """A playable flow with what the simulator needs to know about its environment."""

    flow_text: str
    hours: dict[str, WeeklyHours]  # ARN -> hours of operation
    queues: dict[str, str]  # ARN -> queue name
    function_timeout_seconds: int | None
    store_hours: WeeklyHours  # what the handler is told (STORE_HOURS) when run from the command line


def from_assets(config: CallCenterConfig, *, flow: str = "inbound", lang: str | None = None) -> Setup:
    """The flow file rendered exactly as the CallCenter construct renders it, with simulated ARNs."""
    options = FlowOptions.of(config)
    if lang:
        options = FlowOptions.of(_with_language(config, lang))
    path = Path(flow)
    text = render(path.stem, options, path.parent) if path.suffix == ".json" else render(flow, options)
    return Setup(
        flow_text=fill(text, SIMULATED_ARNS),
        hours={SIMULATED_ARNS["HoursOfOperationArn"]: options.hours},
        queues={SIMULATED_ARNS["QueueArn"]: "agents"},
        function_timeout_seconds=config.lambda_timeout_seconds,
        store_hours=options.hours,
    )


def from_template(path: Path, flow_id: str | None = None) -> Setup:
    """The contact flow of a synthesized template (``flow_id``: its logical ID, needed when there are several)."""
    template = load_template(path)
    flows = {f.logical_id: f for f in contact_flows(template)}
    if not flows:
        raise FlowError(f"{path}: no AWS::Connect::ContactFlow")
    if flow_id is None and len(flows) > 1:
        raise FlowError(f"{path} has several flows; choose one with --flow-id: {', '.join(sorted(flows))}")
    chosen = flows[flow_id] if flow_id else next(iter(flows.values()))
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
        hours=hours,
        queues=queues,
        function_timeout_seconds=min(timeouts) if timeouts else None,
        store_hours=next(iter(hours.values())),
    )


def simulate(setup: Setup, call: Call, *, fault: str | None = None, queue_full: bool = False) -> list[Event]:
    """Play one call; raises ``FlowError`` (the flow cannot be played) or ``SimulationError`` (it does not end)."""
    flow = load_flow(setup.flow_text)
    invoker = HandlerInvoker(at=call.at, function_timeout_seconds=setup.function_timeout_seconds, fault=fault)
    interpreter = Interpreter(
        flow,
        invoker=invoker,
        hours_of=setup.hours.get,
        queue_name_of=lambda arn: setup.queues.get(arn, arn),
        queue_full=queue_full,
    )
    return interpreter.run(call)


def _with_language(config: CallCenterConfig, lang: str) -> CallCenterConfig:
    voice = config.voice if lang == config.language else {"ko": "Seoyeon", "en": "Joanna"}.get(lang, config.voice)
    return replace(config, language=lang, voice=voice)


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
    parser.add_argument("--template", type=Path, help="play the contact flow of a synthesized template instead")
    parser.add_argument("--flow-id", help="logical ID of the flow in --template, when it has several")
    parser.add_argument("--endpoint-url", help="AWS endpoint for the handler (default: the local emulator)")
    faults = parser.add_mutually_exclusive_group()
    faults.add_argument("--lambda-error", action="store_true", help="the Lambda invocation fails")
    faults.add_argument("--lambda-timeout", action="store_true", help="the Lambda does not answer in time")
    parser.add_argument("--queue-full", action="store_true", help="the agent queue is at capacity")
    parser.add_argument("--verbose", action="store_true", help="show the handler's logs on stderr")
    args = parser.parse_args(argv)
    try:
        if args.template:
            if args.lang:
                parser.error("--lang renders asset flows; a template's flow has its language built in")
            setup = from_template(args.template, args.flow_id)
        else:
            config = DEV.call_center if args.env == "dev" else PROD.call_center
            setup = from_assets(config, flow=args.flow, lang=args.lang)
    except (FlowError, OSError) as error:
        sys.stderr.write(f"error: the flow cannot be played: {error}\n")
        return 2
    try:
        at = parse_time(args.at, setup.store_hours)
    except ValueError:
        parser.error(f"--at must be an ISO time such as 2026-05-12T10:00+09:00, got {args.at!r}")
    call = Call(phone=None if args.no_caller_id else args.phone, presses=list(args.press), at=at)
    fault = "error" if args.lambda_error else "timeout" if args.lambda_timeout else None
    endpoint = (
        args.endpoint_url
        or os.environ.get("AWS_ENDPOINT_URL")
        or LOCAL_EMULATOR.format(os.environ.get("AWS_PORT", "4566"))
    )
    try:
        with local_environment(endpoint, setup.store_hours), handler_logs(verbose=args.verbose):
            events = simulate(setup, call, fault=fault, queue_full=args.queue_full)
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
