"""What the simulator prints: a transcript of the call, or one JSON event per line (JSON Lines)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence

from lambdas.call_center.interpreter import Call, Event


def transcript(events: Sequence[Event]) -> Iterator[str]:
    for event in events:
        kind = event["type"]
        if kind == "prompt":
            yield f"  {event['voice'] + ':':<9} {event['text']}"
        elif kind == "input":
            pressed = f"presses {event['digits']}" if event["digits"] is not None else "presses nothing (timeout)"
            yield f"  {'caller:':<9} {pressed}"
        elif kind == "lambda":
            yield f"  {'lambda:':<9} {lambda_line(event)}"
        elif kind == "transfer":
            yield f"  {'connect:':<9} transferred to the agent queue {event['queue']!r}"
        elif kind == "disconnect":
            yield f"  {'connect:':<9} call ended"


def lambda_line(event: Event) -> str:
    line = f"{event['outcome']} in {event['elapsed_ms']:.0f} ms"
    result = event.get("result") or {}
    shown = ("customer_found", "caller_status", "has_order", "order_status", "store_open", "error")
    details = ", ".join(f"{key}={result[key]}" for key in shown if result.get(key))
    return f"{line}: {details}" if details else f"{line}{': ' + event['detail'] if event.get('detail') else ''}"


def write(events: Sequence[Event], call: Call, *, as_json: bool) -> None:
    if as_json:
        for event in events:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        return
    caller = call.phone if call.phone is not None else "(no caller ID)"
    sys.stdout.write(f"Phone call from {caller} at {call.at.isoformat(timespec='minutes')}\n")
    sys.stdout.writelines(line + "\n" for line in transcript(events))
