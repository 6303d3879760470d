"""The flow interpreter with a stand-in Lambda: branches, loops, references and Connect's response rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from lambdas.call_center.flow_model import SUPPORTED_TYPES, UnsupportedBlockError, load_flow
from lambdas.call_center.flows import FlowError
from lambdas.call_center.hours import WeeklyHours, every_day
from lambdas.call_center.interpreter import Call, Interpreter, LambdaResult, SimulationError
from tests.unit.call_center.flow_fixtures import hang_up, inbound, say, tiny

SEOUL = timezone(timedelta(hours=9))
OPEN, CLOSED = datetime(2026, 5, 12, 10, 0, tzinfo=SEOUL), datetime(2026, 5, 12, 23, 0, tzinfo=SEOUL)
HOURS = WeeklyHours.of(every_day("07:00", "22:00"), "Asia/Seoul")
KNOWN = {
    "customer_found": "true",
    "customer_name": "김지우",
    "caller_status": "known",
    "has_order": "true",
    "order_id": "01JXYZ",
    "order_id_speech": "X Y Z",
    "order_status": "READY",
    "order_status_speech": "주문 준비 완료",
    "recommendation_speech": "추천 메뉴는 크루아상입니다.",
    "store_open": "true",
    "store_hours_speech": "영업시간 안내",
    "lang": "ko",
}


class StubLambda:
    def __init__(self, result: Any = KNOWN, outcome: str = "ok") -> None:
        self.result, self.outcome, self.events = result, outcome, []

    def __call__(self, *, arn: str, event: dict[str, Any], limit_seconds: int) -> LambdaResult:
        self.events.append(event)
        return LambdaResult(outcome=self.outcome, elapsed_ms=5.0, attributes=self.result)  # type: ignore[arg-type]


def play(
    flow: dict[str, Any],
    *presses: str,
    at: datetime = OPEN,
    stub: StubLambda | None = None,
    phone: str | None = "+821012345678",
) -> list[dict[str, Any]]:
    interpreter = Interpreter(load_flow(flow), invoker=stub or StubLambda(), hours_of=lambda arn: HOURS)
    return interpreter.run(Call(phone=phone, presses=list(presses), at=at))


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in events if e["type"] == "prompt"]


def test_given_every_block_type_of_the_flow_model_then_the_interpreter_runs_it() -> None:
    interpreter = Interpreter(load_flow(inbound()), invoker=StubLambda(), hours_of=lambda arn: HOURS)
    assert set(interpreter._steps()) == SUPPORTED_TYPES


def test_given_a_known_caller_then_the_order_is_spoken_from_saved_attributes() -> None:
    events = play(inbound(), "0")
    assert "주문 준비 완료" in texts(events)
    assert events[-1]["type"] == "transfer"


def test_given_the_lambda_event_then_it_has_connects_shape() -> None:
    stub = StubLambda()
    play(inbound(), "0", stub=stub)
    details = stub.events[0]["Details"]
    assert details["ContactData"]["CustomerEndpoint"] == {"Address": "+821012345678", "Type": "TELEPHONE_NUMBER"}
    assert details["Parameters"] == {"lang": "ko"}
    assert details["ContactData"]["Channel"] == "VOICE"


def test_given_no_caller_id_then_the_endpoint_is_null() -> None:
    stub = StubLambda()
    play(inbound(), "0", stub=stub, phone=None)
    assert stub.events[0]["Details"]["ContactData"]["CustomerEndpoint"] is None


@pytest.mark.parametrize("bad", [{"customer_found": True}, {"nested": {"a": "b"}}, ["a"]])
def test_given_a_response_that_is_not_a_string_map_then_the_error_branch_is_taken(bad: Any) -> None:
    events = play(inbound(), stub=StubLambda(result=bad))
    lambda_event = next(e for e in events if e["type"] == "lambda")
    assert lambda_event["outcome"] == "invalid_response"
    assert texts(events)[1].startswith("죄송합니다")


def test_given_a_response_without_a_saved_key_then_saving_takes_the_error_branch() -> None:
    incomplete = {k: v for k, v in KNOWN.items() if k != "store_open"}
    events = play(inbound(), stub=StubLambda(result=incomplete))
    assert texts(events)[1].startswith("죄송합니다")


def test_given_repeated_timeouts_then_the_loop_allows_two_replays_then_moves_on() -> None:
    events = play(inbound(), at=CLOSED)
    menus = [t for t in texts(events) if t.startswith("추천 메뉴를 들으시려면")]
    assert len(menus) == 3  # the menu, then at most two replays
    assert [e["outcome"] for e in events if e["type"] == "input"] == ["timeout"] * 3
    assert events[-1]["type"] == "disconnect"


def test_given_a_loop_then_it_resets_after_done() -> None:
    loop = {
        "Identifier": "again",
        "Type": "Loop",
        "Parameters": {"LoopCount": "1"},
        "Transitions": {
            "NextAction": "bye",
            "Conditions": [
                {"NextAction": "hello", "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
                {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
            ],
        },
    }
    events = play(tiny(say("hello", "Hi", "again"), loop, hang_up()))
    assert texts(events) == ["Hi", "Hi"]


def test_given_a_flow_that_never_ends_then_the_simulation_stops() -> None:
    with pytest.raises(SimulationError, match="did not end"):
        play(tiny(say("hello", "Hi", "hello")))


def test_given_a_reference_to_the_callers_number_then_it_is_read() -> None:
    events = play(tiny(say("hello", "You call from $.CustomerEndpoint.Address", "bye"), hang_up()))
    assert texts(events) == ["You call from +821012345678"]


def test_given_an_unknown_block_type_then_loading_fails_clearly() -> None:
    with pytest.raises(UnsupportedBlockError, match="'Teleport'"):
        load_flow(tiny({"Identifier": "hello", "Type": "Teleport", "Parameters": {}, "Transitions": {}}))


def test_given_a_transition_to_a_missing_block_then_playing_fails() -> None:
    with pytest.raises(FlowError, match="missing block 'nowhere'"):
        play(tiny(say("hello", "Hi", "nowhere")))


def test_given_an_unknown_operator_then_playing_fails() -> None:
    compare = {
        "Identifier": "hello",
        "Type": "Compare",
        "Parameters": {"ComparisonValue": "$.Attributes.x"},
        "Transitions": {
            "NextAction": "bye",
            "Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Resembles", "Operands": ["x"]}}],
            "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingCondition"}],
        },
    }
    with pytest.raises(FlowError, match="Resembles"):
        play(tiny(compare, hang_up()))
