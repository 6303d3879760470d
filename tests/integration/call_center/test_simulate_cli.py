"""``python -m lambdas.call_center.simulate`` as a person runs it: against an emulator over HTTP, as JSON Lines or a
transcript, from the flow files or a synthesized template, with clear exit statuses for flows it cannot play."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from lambdas.call_center.flows import FlowOptions, fill, render
from lambdas.call_center.simulate import main, settings
from lambdas.shared.dynamodb import to_item
from local.bootstrap import bootstrap
from stacks.config import DEV
from tests.integration.call_center.conftest import IN_HOURS, KNOWN_PHONE, clear_caches, table
from tests.unit.call_center.flow_fixtures import action, say, tiny

AT = IN_HOURS.isoformat()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto server on a free port with the platform's tables and the demo customer's latest order."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "STORE_HOURS", "STORE_TIMEZONE", "POWERTOOLS_METRICS_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        bootstrap(url, "tlj-local")
        client = boto3.client(
            "dynamodb", endpoint_url=url, region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x"
        )
        order = {
            "customer_id": "c-1",
            "order_id": "01JVB5S4K3M8N6P2Q7R9TW7K2X",
            "status": "BAKING",
            "created_at": "2026-05-12T00:00:00Z",
            "phone": KNOWN_PHONE,
            "customer_name": "김지우",
        }
        client.put_item(TableName=table("orders"), Item=to_item(order))
        clear_caches()
        monkeypatch.setenv("AWS_PORT", str(port))
        yield url
    finally:
        server.stop()
        clear_caches()


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def first(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(e for e in events if e["type"] == kind)


def test_given_the_emulator_then_json_lines_tell_the_whole_call(
    emulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--phone", KNOWN_PHONE, "--press", "0", "--at", AT, "--json"]) == 0
    events = json_lines(capsys.readouterr().out)
    assert {"prompt", "lambda", "input", "transfer", "agent", "attributes"} <= {e["type"] for e in events}
    lookup = first(events, "lambda")
    assert (lookup["outcome"], lookup["result"]["order_status"]) == ("ok", "BAKING")
    assert "지금 굽고 있습니다" in events[events.index(lookup) + 1]["text"]
    assert [e["type"] for e in events[-3:]] == ["transfer", "agent", "attributes"]
    assert "김지우" not in json.dumps(events[-1], ensure_ascii=False)


def test_given_a_transcript_then_it_reads_like_the_call(emulator: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--phone", "010-1234-5678", "--press", "2", "0", "--at", "2026-05-12T10:00"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Phone call from 010-1234-5678 at 2026-05-12T10:00+09:00\n")
    assert "  Seoyeon:  김지우 고객님, 최근 주문하신 끝자리 7 K 2 X 주문은 지금 굽고 있습니다. 추천 메뉴를" in out
    assert "  caller:   presses 2\n" in out
    assert "  connect:  transferred to the agent queue 'agents'\n  connect:  an agent answers after 0 s" in out
    assert out.splitlines()[-1].startswith("  kept:     contact attributes caller_status=known, customer_found=true")


def test_given_english_then_the_transcript_is_english(emulator: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--phone", KNOWN_PHONE, "--lang", "en", "--at", "2026-05-12T23:30+09:00"]) == 0
    out = capsys.readouterr().out
    assert "  Joanna:   Hello 김지우. Your latest order, ending in 7 K 2 X, is in the oven. For today's" in out
    assert out.splitlines()[-2] == "  connect:  call ended"


def test_given_injected_faults_then_the_error_branch_is_played(
    emulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--phone", KNOWN_PHONE, "--lambda-timeout", "--at", AT, "--json"]) == 0
    events = json_lines(capsys.readouterr().out)
    lookup = first(events, "lambda")
    assert (lookup["outcome"], lookup["elapsed_ms"]) == ("timeout", 5000.0)  # the function's 5 s timeout
    assert events[events.index(lookup) + 1]["text"].startswith("죄송합니다")


def test_given_queue_options_then_the_caller_waits_in_the_queue_flow(
    emulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--phone", KNOWN_PHONE, "--press", "0@1", "--at", AT, "--queue-contacts", "2", "--answer-after", "40"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "[interrupted by a key after 1 s]" in out
    assert "지금 기다리시는 고객은 모두 3명입니다." in out
    assert "  queue:    30 s pass (waiting 30 s)\n" in out
    assert "  connect:  an agent answers after 40 s in the queue\n" in out


def test_given_nobody_answers_and_no_callbacks_then_the_caller_is_let_go_at_the_max_wait(
    emulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--phone", KNOWN_PHONE, "--press", "0", "--at", AT, "--answer-after", "never", "--json"]) == 0
    events = json_lines(capsys.readouterr().out)
    assert [e["clock"] for e in events if e["type"] == "wait"][-1] == 600  # dev's queue_max_wait_seconds
    assert events[-2]["type"] == "disconnect"


def test_given_callbacks_and_nobody_staffed_then_the_caller_can_ask_for_a_callback(
    emulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given --callbacks (as where a number is configured) and no agent staffed, When the caller presses 0 then 1
    argv = ["--phone", KNOWN_PHONE, "--press", "0", "1", "--at", AT, "--agents-staffed", "0", "--callbacks", "--json"]
    assert main(argv) == 0
    # Then the staffing check is heard and a queued callback is created instead of a transfer
    events = json_lines(capsys.readouterr().out)
    assert {"metric": "NumberOfAgentsStaffed", "value": 0}.items() <= first(events, "metric").items()
    assert any(e["type"] == "callback" for e in events)
    assert not any(e["type"] == "transfer" for e in events)


def test_given_no_callbacks_flag_then_dev_offers_no_callback(emulator: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Given dev's config (no phone number, so no callbacks), When nobody is staffed and the caller presses 0 then 1
    assert main(["--phone", KNOWN_PHONE, "--press", "0", "1", "--at", AT, "--agents-staffed", "0", "--json"]) == 0
    # Then no callback is created and the call ends after the honest message
    events = json_lines(capsys.readouterr().out)
    assert not any(e["type"] == "callback" for e in events)
    assert events[-2]["type"] == "disconnect"


@pytest.mark.parametrize("bad", [["--agents-staffed", "-1"], ["--answer-after", "soon"], ["--voice-error", "x"]])
def test_given_bad_queue_options_then_a_usage_error(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_status:
        main(["--phone", KNOWN_PHONE, *bad])
    assert exit_status.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_given_a_flow_with_an_unknown_block_then_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = tiny({"Identifier": "hello", "Type": "PlayJingle", "Parameters": {}, "Transitions": {}})
    path = tmp_path / "jingle.json"
    path.write_text(json.dumps(flow), encoding="utf-8")
    assert main(["--phone", KNOWN_PHONE, "--flow", str(path), "--lambda-error"]) == 2
    assert "unsupported action type 'PlayJingle'" in capsys.readouterr().err


def test_given_a_flow_that_never_ends_then_exit_status_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "echo.json").write_text(json.dumps(tiny(say("hello", "Hello?", "hello"))), encoding="utf-8")
    assert main(["--phone", KNOWN_PHONE, "--flow", str(tmp_path / "echo.json")]) == 1
    assert "did not end" in capsys.readouterr().err


def template(function_timeout: int, change: Callable[[dict[str, Any]], None] = lambda flow: None) -> dict[str, Any]:
    """A template shaped like the synthesized one: the flow is an Fn::Sub over the template's own resources."""
    refs = {
        "CallCenterLambdaArn": "${Fn.Arn}",
        "QueueArn": "${Queue.Arn}",
        "HoursOfOperationArn": "${Hours.Arn}",
        "CustomerQueueFlowArn": "${QueueFlow.Arn}",
    }
    options = FlowOptions.of(settings(DEV.call_center))
    flow = json.loads(fill(render("inbound", options), refs))
    queue_flow = fill(render("customer_queue", options), {})
    change(flow)
    content = json.dumps(flow, ensure_ascii=False)
    hours = [
        {"Day": day, "StartTime": {"Hours": 9, "Minutes": 0}, "EndTime": {"Hours": 18, "Minutes": 0}}
        for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    ]
    return {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": function_timeout}},
            "Hours": {
                "Type": "AWS::Connect::HoursOfOperation",
                "Properties": {"TimeZone": "Asia/Seoul", "Config": hours},
            },
            "Queue": {"Type": "AWS::Connect::Queue", "Properties": {"Name": "tlj-dev-agents"}},
            "QueueFlow": {
                "Type": "AWS::Connect::ContactFlow",
                "Properties": {"Type": "CUSTOMER_QUEUE", "Content": queue_flow},
            },
            "Flow": {"Type": "AWS::Connect::ContactFlow", "Properties": {"Content": {"Fn::Sub": [content, {}]}}},
        }
    }


def test_given_a_template_then_its_hours_queue_and_timeout_are_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "DevStack.template.json"
    path.write_text(json.dumps(template(function_timeout=3)), encoding="utf-8")
    # Tuesday 08:00: before these template hours (09-18), although the config's store opens at 07:00.
    assert (
        main(
            [
                "--template",
                str(path),
                "--phone",
                KNOWN_PHONE,
                "--press",
                "0",
                "--at",
                "2026-05-12T08:00",
                "--lambda-timeout",
                "--json",
            ]
        )
        == 0
    )
    events = json_lines(capsys.readouterr().out)
    assert first(events, "lambda")["elapsed_ms"] == 3000.0
    assert events[-2]["type"] == "disconnect"
    assert (
        main(
            [
                "--template",
                str(path),
                "--phone",
                KNOWN_PHONE,
                "--press",
                "0",
                "--at",
                "2026-05-12T10:00",
                "--lambda-error",
                "--json",
            ]
        )
        == 0
    )
    events = json_lines(capsys.readouterr().out)
    assert first(events, "transfer")["queue"] == "tlj-dev-agents"
    assert events[-2]["type"] == "agent"


def test_given_a_broken_template_flow_then_exit_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = template(3, lambda flow: action(flow, "greeting")["Transitions"].update(NextAction="nowhere"))
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    assert main(["--template", str(path), "--phone", KNOWN_PHONE, "--lambda-error"]) == 2
    assert "missing block 'nowhere'" in capsys.readouterr().err


def test_given_no_emulator_then_the_call_still_plays_and_a_note_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_PORT", str(free_port()))  # nothing listens there
    clear_caches()
    try:
        assert main(["--phone", KNOWN_PHONE, "--press", "0", "--at", AT]) == 0
    finally:
        clear_caches()
    captured = capsys.readouterr()
    assert "error=lookup_failed" in captured.out
    assert "  connect:  transferred to the agent queue 'agents'\n" in captured.out
    assert captured.err.startswith("note: the handler answered error=lookup_failed (is http://127.0.0.1:")
