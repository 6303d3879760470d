"""The flow interpreter with a stand-in Lambda: branches, loops, references and Connect's response rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from lambdas.call_center.flow_model import SUPPORTED_TYPES, UnsupportedBlockError, load_flow
from lambdas.call_center.flows import FlowError
from lambdas.call_center.hours import WeeklyHours, every_day
from lambdas.call_center.interpreter import Call, Interpreter, LambdaResult, QueueConditions, SimulationError
from lambdas.call_center.simulate import SIMULATED_ARNS
from tests.unit.call_center.flow_fixtures import WITH_CALLBACKS, customer_queue, hang_up, inbound, say, tiny

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
        self.result, self.outcome = result, outcome
        self.events: list[dict[str, Any]] = []

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


def test_given_a_known_caller_then_the_order_is_spoken_from_flow_attributes_before_the_menu() -> None:
    events = play(inbound(), "0")
    assert texts(events)[1].startswith("주문 준비 완료 추천 메뉴를 들으시려면 1번")
    assert [e["type"] for e in events[-3:]] == ["transfer", "agent", "attributes"]


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
    menus = [t for t in texts(events) if t.endswith("다시 들으시려면 9번을 눌러 주세요.")]
    assert len(menus) == 3  # the menu, then at most two replays
    assert [e["outcome"] for e in events if e["type"] == "input"] == ["timeout"] * 3
    assert events[-2]["type"] == "disconnect"


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
    assert events[-1] == {"type": "attributes", "attributes": {}}


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


def ssml_say(identifier: str, markup: str, next_action: str) -> dict[str, Any]:
    block = say(identifier, "", next_action)
    block["Parameters"] = {"SSML": markup}
    return block


def test_given_an_ssml_prompt_then_the_caller_hears_its_words_and_the_event_keeps_the_markup() -> None:
    markup = '<speak>Order <say-as interpret-as="characters">K2X</say-as>.<break time="1s"/>Bye</speak>'
    (prompt,) = [e for e in play(tiny(ssml_say("hello", markup, "bye"), hang_up())) if e["type"] == "prompt"]
    assert (prompt["text"], prompt["ssml"]) == ("Order K 2 X. Bye", markup)


@pytest.mark.parametrize("markup", ["<speak>unclosed", "plain words", "<p>no speak root</p>"])
def test_given_ssml_that_is_not_a_speak_document_then_playing_fails_clearly(markup: str) -> None:
    with pytest.raises(FlowError, match="SSML"):
        play(tiny(ssml_say("hello", markup, "bye"), hang_up()))


def save(attributes: dict[str, str]) -> dict[str, Any]:
    return {
        "Identifier": "hello",
        "Type": "UpdateContactAttributes",
        "Parameters": {"TargetContact": "Current", "Attributes": attributes},
        "Transitions": {"NextAction": "saved", "Errors": [{"NextAction": "too-big", "ErrorType": "NoMatchingError"}]},
    }


def test_given_attributes_above_32_kb_then_saving_takes_the_error_branch() -> None:
    fits = play(tiny(save({"a": "x" * 32_000}), say("saved", "ok", "bye"), say("too-big", "no", "bye"), hang_up()))
    too_big = play(tiny(save({"a": "x" * 32_768}), say("saved", "ok", "bye"), say("too-big", "no", "bye"), hang_up()))
    assert (texts(fits), texts(too_big)) == (["ok"], ["no"])
    assert too_big[-1]["attributes"] == {}


class Flaky(StubLambda):
    """Fails (or is throttled) ``failures`` times, then answers."""

    def __init__(self, failures: int, outcome: str) -> None:
        super().__init__()
        self.failures, self.failure = failures, outcome

    def __call__(self, *, arn: str, event: dict[str, Any], limit_seconds: int) -> LambdaResult:
        self.events.append(event)
        if len(self.events) <= self.failures:
            return LambdaResult(outcome=self.failure, elapsed_ms=50.0)  # type: ignore[arg-type]
        return LambdaResult(outcome="ok", elapsed_ms=5.0, attributes=KNOWN)


@pytest.mark.parametrize(("failures", "outcome", "attempts"), [(3, "throttled", 4), (4, "error", 4), (1, "timeout", 1)])
def test_given_failing_invocations_then_connect_retries_up_to_three_times(
    failures: int, outcome: str, attempts: int
) -> None:
    stub = Flaky(failures, outcome)
    lookup = next(e for e in play(inbound(), "0", stub=stub) if e["type"] == "lambda")
    assert lookup["attempts"] == attempts == len(stub.events)
    assert lookup["outcome"] == ("ok" if failures < attempts else outcome)


def test_given_two_keys_at_once_then_the_menu_takes_the_first() -> None:
    inputs = [e for e in play(inbound(), "01") if e["type"] == "input"]
    assert (inputs[0]["digits"], inputs[0]["ignored"]) == ("0", "1")


def test_given_no_caller_id_then_a_callback_cannot_be_set_up() -> None:
    flow = load_flow(inbound(WITH_CALLBACKS))
    queue = QueueConditions(agents_staffed=0)
    interpreter = Interpreter(flow, invoker=StubLambda(), hours_of=lambda arn: HOURS)
    events = interpreter.run(Call(phone=None, presses=["0", "1"], at=OPEN, queue=queue))
    assert texts(events)[-1].startswith("죄송합니다. 이 번호로는 다시 전화드릴 수 없습니다.")
    assert not [e for e in events if e["type"] == "callback"]


def test_given_an_event_hook_with_two_entries_then_playing_fails() -> None:
    hooks = {
        "Identifier": "hello",
        "Type": "UpdateContactEventHooks",
        "Parameters": {"EventHooks": {"CustomerQueue": "a", "CustomerHold": "b"}},
        "Transitions": {"NextAction": "bye", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]},
    }
    with pytest.raises(FlowError, match="exactly one entry"):
        play(tiny(hooks, hang_up()))


def test_given_an_agent_who_never_answers_and_no_queue_flow_then_the_simulation_says_so() -> None:
    interpreter = Interpreter(load_flow(inbound()), invoker=StubLambda(), hours_of=lambda arn: HOURS)
    with pytest.raises(SimulationError, match="waits forever"):
        interpreter.run(
            Call(phone="+821012345678", presses=["0"], at=OPEN, queue=QueueConditions(answer_after_seconds=None))
        )


def test_given_the_queue_flow_then_it_plays_after_the_transfer_with_fresh_flow_attributes() -> None:
    flows = {SIMULATED_ARNS["CustomerQueueFlowArn"]: load_flow(customer_queue())}
    interpreter = Interpreter(load_flow(inbound()), invoker=StubLambda(), hours_of=lambda arn: HOURS, flows=flows)
    events = interpreter.run(
        Call(phone="+821012345678", presses=["0"], at=OPEN, queue=QueueConditions(answer_after_seconds=31))
    )
    blocks = [e.get("block") for e in events if e["type"] == "prompt"]
    assert blocks[-3:] == ["position", "comfort", "comfort"]
    assert events[-2] == {"type": "agent", "after_seconds": 31.0}
