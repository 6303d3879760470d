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
            cut = event.get("interrupted_after_seconds")
            mark = f"  [interrupted by a key after {cut:g} s]" if cut is not None else ""
            yield f"  {event['voice'] + ':':<9} {event['text']}{mark}"
        elif kind == "input":
            pressed = f"presses {event['digits']}" if event["digits"] is not None else "presses nothing (timeout)"
            ignored = f" (then {event['ignored']}, ignored: a menu takes one key)" if event.get("ignored") else ""
            yield f"  {'caller:':<9} {pressed}{ignored}"
        elif kind == "lambda":
            yield f"  {'lambda:':<9} {lambda_line(event)}"
        elif kind == "transfer":
            yield f"  {'connect:':<9} transferred to the agent queue {event['queue']!r}"
        elif kind == "disconnect":
            yield f"  {'connect:':<9} call ended"
        elif kind == "voice" and event["outcome"] != "ok":
            yield f"  {'connect:':<9} could not set the voice {event['voice']} ({event['engine']} engine)"
        elif kind == "metric":
            yield f"  {'connect:':<9} {event['metric']} = {event['value']}"
        elif kind == "recording":
            who = " and ".join(event["participants"])
            yield f"  {'connect:':<9} recording {who}, analytics {event['analytics_language']}"
        elif kind == "wait":
            yield f"  {'queue:':<9} {event['seconds']:g} s pass (waiting {event['clock']:g} s)"
        elif kind == "callback":
            delay = event["delay_seconds"]
            yield f"  {'connect:':<9} callback queued in {event['queue']!r} (first call after {delay} s)"
        elif kind == "agent":
            yield f"  {'connect:':<9} an agent answers after {event['after_seconds']:g} s in the queue"
        elif kind == "attributes":
            kept = ", ".join(f"{k}={v}" for k, v in sorted(event["attributes"].items())) or "none"
            yield f"  {'kept:':<9} contact attributes {kept}"


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
