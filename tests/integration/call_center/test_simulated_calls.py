"""Every path of the deployed inbound flow (and the customer queue flow after the transfer), played by the simulator
against the real handler on moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from lambdas.call_center.interpreter import Call, QueueConditions
from lambdas.call_center.simulate import from_assets, settings, simulate
from stacks.config import DEV
from tests.integration.call_center.conftest import (
    AFTER_HOURS,
    IN_HOURS,
    KNOWN_PHONE,
    LATEST_ORDER,
    REGISTERED_PHONE,
    UNKNOWN_PHONE,
)

MENU = "추천 메뉴를 들으시려면 1번, 영업시간 안내는 2번, 상담원 연결은 0번, 다시 들으시려면 9번을 눌러 주세요."
APOLOGY = "죄송합니다. 일시적인 문제가 발생했습니다."
ORDER = "김지우 고객님, 최근 주문하신 끝자리 7 K 2 X 주문은 준비가 끝나 매장에서 찾아가실 수 있습니다."


def phone_call(
    phone: str | None,
    *presses: str,
    at: datetime = IN_HOURS,
    fault: str | None = None,
    queue: QueueConditions | None = None,
    voice_error: Any = None,
    **options: Any,
) -> list[dict[str, Any]]:
    setup = from_assets(options.pop("config", settings(DEV.call_center)), lang=options.pop("lang", None))
    call = Call(phone=phone, presses=list(presses), at=at, queue=queue or QueueConditions(), voice_error=voice_error)
    return simulate(setup, call, fault=fault, **options)


def heard(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in events if e["type"] == "prompt"]


def outcome(events: list[dict[str, Any]]) -> dict[str, Any]:
    """How the call ended: the last event before the final report of kept attributes."""
    assert events[-1]["type"] == "attributes"
    return events[-2]


def kept(events: list[dict[str, Any]]) -> dict[str, str]:
    return dict(events[-1]["attributes"])


def lookup(events: list[dict[str, Any]]) -> dict[str, Any]:
    return next(e for e in events if e["type"] == "lambda")


def test_given_the_demo_customer_then_they_hear_their_latest_order_and_reach_an_agent(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0")
    assert lookup(events)["outcome"] == "ok"
    assert lookup(events)["result"]["order_id"] == LATEST_ORDER
    said = heard(events)
    assert said[0].startswith("안녕하세요, 뚜레쥬르")
    assert said[1] == f"{ORDER} {MENU}"  # one interruptible prompt: the order, then the menu
    transfer = next(e for e in events if e["type"] == "transfer")
    assert transfer == {"type": "transfer", "block": "transfer", "queue": "agents", "queue_arn": transfer["queue_arn"]}
    assert outcome(events) == {"type": "agent", "after_seconds": 0.0}
    assert {e["voice"] for e in events if e["type"] == "prompt"} == {"Seoyeon"}


def test_given_the_caller_presses_1_then_recommendations_come_from_the_recommender(seeded: Any) -> None:
    said = heard(phone_call(KNOWN_PHONE, "1", "0"))
    recommendation = said[2]
    assert recommendation.startswith("추천 메뉴는 ")
    assert recommendation.endswith(MENU)  # the options follow, so the caller may press at once
    assert "아메리카노" in recommendation  # bought with croissants in the morning, by this customer's neighbours


def test_given_the_caller_presses_2_then_store_hours_are_read_and_the_menu_returns(seeded: Any) -> None:
    said = heard(phone_call(KNOWN_PHONE, "2", "0"))
    assert said[2] == f"영업시간은 매일 오전 7시부터 오후 10시까지입니다. 지금은 영업 중입니다. {MENU}"


def test_given_an_unknown_caller_then_no_order_is_mentioned(seeded: Any) -> None:
    events = phone_call(UNKNOWN_PHONE, "0")
    assert lookup(events)["result"]["customer_found"] == "false"
    assert heard(events)[1] == MENU
    assert outcome(events)["type"] == "agent"


def test_given_a_registered_caller_without_orders_then_they_are_known_but_hear_no_order(seeded: Any) -> None:
    events = phone_call(REGISTERED_PHONE, "0")
    result = lookup(events)["result"]
    assert (result["customer_found"], result["customer_name"], result["has_order"]) == ("true", "Minjun", "false")
    assert heard(events)[1] == MENU


@pytest.mark.parametrize("phone", [None, "anonymous", "Restricted", "+266696687", "not-a-number"])
def test_given_a_withheld_or_malformed_number_then_the_call_goes_on_as_unknown(seeded: Any, phone: str | None) -> None:
    events = phone_call(phone, "0")
    result = lookup(events)["result"]
    assert result["customer_found"] == "false"
    assert result["caller_status"] in ("withheld", "malformed")
    assert "error" not in result
    assert outcome(events)["type"] == "agent"


def test_given_a_call_after_hours_then_the_caller_hears_the_hours_and_the_call_ends(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", at=AFTER_HOURS)
    said = heard(events)
    assert said[-1].startswith("지금은 상담 시간이 아닙니다. 영업시간은 매일 오전 7시부터 오후 10시까지입니다.")
    assert outcome(events)["type"] == "disconnect"
    assert not [e for e in events if e["type"] == "transfer"]
    assert lookup(events)["result"]["store_open"] == "false"


def test_given_invalid_keys_and_silence_then_the_options_are_restated_twice_then_an_agent(seeded: Any) -> None:
    events = phone_call(UNKNOWN_PHONE, "7", "#")
    inputs = [(e["digits"], e["outcome"]) for e in events if e["type"] == "input"]
    assert inputs == [("7", "no_match"), ("#", "no_match"), (None, "timeout")]
    said = heard(events)
    wrong_key = "누르신 번호는 없는 번호입니다. 메뉴를 다시 알려 드리겠습니다."
    assert said[1:6] == [MENU, wrong_key, MENU, wrong_key, MENU]  # a wrong key says how to choose, then the options
    assert "입력이 확인되지 않았습니다." in said
    assert outcome(events)["type"] == "agent"


def test_given_a_lambda_error_in_hours_then_an_apology_and_the_queue(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, fault="error")
    assert lookup(events)["outcome"] == "error"
    assert lookup(events)["attempts"] == 4  # Connect retries a failed invocation up to three times
    assert heard(events)[1] == APOLOGY
    assert outcome(events)["type"] == "agent"


def test_given_a_lambda_timeout_after_hours_then_an_apology_a_message_and_a_hang_up(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, fault="timeout", at=AFTER_HOURS)
    assert lookup(events)["outcome"] == "timeout"
    said = heard(events)
    assert said[1] == APOLOGY
    assert said[2].startswith("지금은 상담 시간이 아닙니다.")
    assert outcome(events)["type"] == "disconnect"


def test_given_a_lambda_timeout_in_hours_then_the_queue(seeded: Any) -> None:
    events = phone_call(UNKNOWN_PHONE, fault="timeout")
    assert heard(events)[1] == APOLOGY
    assert outcome(events)["type"] == "agent"


def test_given_a_full_queue_then_the_caller_is_told_and_the_call_ends(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", queue_full=True)
    assert heard(events)[-1].startswith("죄송합니다. 지금은 기다리시는 고객이 많습니다.")
    assert outcome(events)["type"] == "disconnect"


def test_given_the_tables_are_missing_then_the_handler_answers_and_the_flow_goes_on(aws: Any) -> None:
    for name in [t for t in aws.list_tables()["TableNames"] if t.endswith("-orders")]:
        aws.delete_table(TableName=name)
    events = phone_call(KNOWN_PHONE, "0")
    result = lookup(events)["result"]
    assert (lookup(events)["outcome"], result["customer_found"], result["error"]) == ("ok", "false", "lookup_failed")
    assert heard(events)[1] == MENU
    assert outcome(events)["type"] == "agent"


def test_given_english_then_joanna_speaks_english_from_the_same_handler(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", lang="en")
    said = heard(events)
    assert said[1].startswith("Hello 김지우. Your latest order, ending in 7 K 2 X, is ready for pickup at the store. ")
    assert {e["voice"] for e in events if e["type"] == "prompt"} == {"Joanna"}


def test_given_english_by_config_then_the_same(seeded: Any) -> None:
    config = settings(replace(DEV.call_center, language="en", voice="Joanna"))
    assert heard(phone_call(UNKNOWN_PHONE, "0", config=config))[0].startswith("Hello, and thank you for calling")
