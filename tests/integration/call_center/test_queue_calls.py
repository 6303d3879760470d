"""After the menu: staffing and wait checks before the transfer, the customer queue flow while the caller waits,
queued callbacks, and the caller-facing details (interrupting a prompt, one key per menu, voice errors, privacy)."""

from __future__ import annotations

from typing import Any

from lambdas.call_center.interpreter import QueueConditions
from lambdas.call_center.simulate import settings
from stacks.config import DEV
from tests.integration.call_center.conftest import AFTER_HOURS, KNOWN_PHONE, UNKNOWN_PHONE
from tests.integration.call_center.test_simulated_calls import MENU, ORDER, heard, kept, lookup, outcome, phone_call

WITH_CALLBACKS = settings(DEV.call_center, callback_enabled=True)
WITHOUT_CALLBACKS = settings(DEV.call_center, callback_enabled=False)
NOBODY = "죄송합니다. 지금은 전화를 받을 수 있는 상담원이 없습니다."
CALLBACK_CONFIRMED = "요청이 접수되었습니다. 순서가 되면 상담원이 이 번호로 전화드리겠습니다. 감사합니다."
COMFORT = "기다려 주셔서 감사합니다. 곧 상담원이 연결됩니다."


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def test_given_nobody_staffed_then_the_caller_is_told_and_offered_a_callback(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", "1", queue=QueueConditions(agents_staffed=0), config=WITH_CALLBACKS)
    said = heard(events)
    assert said[-2].startswith(NOBODY)
    assert "다시 전화드리기를 원하시면 1번" in said[-2]
    assert said[-1] == CALLBACK_CONFIRMED
    assert of_type(events, "callback") == [
        {"type": "callback", "block": "create-callback", "queue": "agents", "delay_seconds": 5}
    ]
    assert not of_type(events, "transfer")
    assert outcome(events)["type"] == "disconnect"


def test_given_nobody_staffed_and_no_callbacks_then_the_caller_is_told_honestly_and_let_go(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", queue=QueueConditions(agents_staffed=0), config=WITHOUT_CALLBACKS)
    assert heard(events)[-1].startswith(NOBODY + " 잠시 후 다시 전화해 주세요.")
    assert not of_type(events, "callback")
    assert outcome(events)["type"] == "disconnect"


def test_given_a_long_wait_then_the_caller_may_choose_a_callback(seeded: Any) -> None:
    events = phone_call(
        KNOWN_PHONE, "0", "1", queue=QueueConditions(oldest_contact_age_seconds=300), config=WITH_CALLBACKS
    )
    assert [e["metric"] for e in of_type(events, "metric")] == [
        "NumberOfAgentsStaffed",
        "OldestContactInQueueAgeSeconds",
    ]
    assert heard(events)[-2].startswith("지금은 대기 시간이 깁니다.")
    assert heard(events)[-1] == CALLBACK_CONFIRMED
    assert len(of_type(events, "callback")) == 1
    assert outcome(events)["type"] == "disconnect"


def test_given_a_long_wait_and_the_caller_keeps_waiting_then_the_transfer(seeded: Any) -> None:
    events = phone_call(
        KNOWN_PHONE, "0", "2", queue=QueueConditions(oldest_contact_age_seconds=300), config=WITH_CALLBACKS
    )
    assert of_type(events, "transfer")
    assert not of_type(events, "callback")
    assert outcome(events)["type"] == "agent"


def test_given_a_queue_then_the_caller_hears_the_queue_size_and_comfort_until_an_agent_answers(seeded: Any) -> None:
    queue = QueueConditions(contacts_in_queue=2, answer_after_seconds=75)
    events = phone_call(UNKNOWN_PHONE, "0", queue=queue, config=WITHOUT_CALLBACKS)
    said = heard(events)
    assert "지금 기다리시는 고객은 모두 3명입니다. 순서대로 연결해 드리겠습니다." in said
    assert said.count(COMFORT) == 3  # at 0, 30 and 60 s
    assert [e["clock"] for e in of_type(events, "wait")] == [30, 60, 75]
    assert outcome(events) == {"type": "agent", "after_seconds": 75.0}


def test_given_callbacks_then_the_queue_offers_one_after_each_comfort_interval(seeded: Any) -> None:
    queue = QueueConditions(answer_after_seconds=None)
    events = phone_call(UNKNOWN_PHONE, "0", "-", "1", queue=queue, config=WITH_CALLBACKS)
    offers = [e for e in events if e["type"] == "prompt" and e["block"] == "offer-callback"]
    assert len(offers) == 2  # the caller let the first offer pass and took the second
    assert heard(events)[-1] == CALLBACK_CONFIRMED
    assert outcome(events)["type"] == "disconnect"


def test_given_the_max_wait_without_callbacks_then_the_caller_is_told_and_disconnected(seeded: Any) -> None:
    config = settings(DEV.call_center, queue_max_wait_seconds=90, callback_enabled=False)
    events = phone_call(UNKNOWN_PHONE, "0", queue=QueueConditions(answer_after_seconds=None), config=config)
    assert heard(events)[-1].startswith("오래 기다리시게 해서 죄송합니다. 지금은 상담원 연결이 어렵습니다. 잠시 후")
    assert of_type(events, "wait")[-1]["clock"] == 90
    assert outcome(events)["type"] == "disconnect"


def test_given_the_max_wait_with_callbacks_then_a_last_callback_offer(seeded: Any) -> None:
    config = settings(DEV.call_center, queue_max_wait_seconds=60, callback_enabled=True)
    events = phone_call(
        UNKNOWN_PHONE, "0", "-", "-", "1", queue=QueueConditions(answer_after_seconds=None), config=config
    )
    max_wait = next(e for e in events if e["type"] == "prompt" and e["block"] == "max-wait")
    assert max_wait["text"].startswith("오래 기다리시게 해서 죄송합니다.")
    assert heard(events)[-1] == CALLBACK_CONFIRMED


def test_given_a_key_during_the_order_message_then_the_prompt_is_interrupted(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0@2")
    menu = next(e for e in events if e["type"] == "prompt" and e["block"] == "menu-with-order")
    assert menu["text"] == f"{ORDER} {MENU}"
    assert menu["interrupted_after_seconds"] == 2.0
    assert of_type(events, "transfer")


def test_given_9_then_the_message_and_options_are_repeated(seeded: Any) -> None:
    said = heard(phone_call(KNOWN_PHONE, "9", "0"))
    assert said[1] == said[2] == f"{ORDER} {MENU}"


def test_given_two_keys_at_a_menu_then_only_the_first_counts(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "20")
    first = of_type(events, "input")[0]
    assert (first["digits"], first["ignored"]) == ("2", "0")
    assert heard(events)[2].startswith("영업시간은")


def test_given_the_neural_voice_fails_then_the_standard_engine_speaks_korean(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", voice_error="neural")
    voices = [(e["engine"], e["outcome"]) for e in of_type(events, "voice")]
    assert voices[:2] == [("Neural", "error"), ("Standard", "ok")]
    assert {e["voice"] for e in of_type(events, "prompt")} == {"Seoyeon"}
    assert heard(events)[0].startswith("안녕하세요")


def test_given_no_voice_at_all_then_no_korean_in_the_default_voice_and_the_caller_still_reaches_an_agent(
    seeded: Any,
) -> None:
    events = phone_call(KNOWN_PHONE, voice_error="all")
    assert heard(events) == []  # Joanna would read Korean as noise: the flow says nothing
    assert of_type(events, "transfer")
    after_hours = phone_call(KNOWN_PHONE, voice_error="all", at=AFTER_HOURS)
    assert (heard(after_hours), outcome(after_hours)["type"]) == ([], "disconnect")


def test_given_a_known_caller_then_no_name_or_number_is_kept_in_the_contact_attributes(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0")
    attributes = kept(events)
    assert attributes["customer_found"] == "true"
    assert "김지우" not in str(attributes)
    assert KNOWN_PHONE not in str(attributes)
    assert "customer_name" not in attributes


def test_given_throttled_invocations_then_connect_retries_and_the_lookup_succeeds(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", throttles=2)
    assert (lookup(events)["outcome"], lookup(events)["attempts"]) == ("ok", 3)
    assert heard(events)[1] == f"{ORDER} {MENU}"


def test_given_contact_lens_then_recording_and_korean_analytics_are_set_before_the_transfer(seeded: Any) -> None:
    events = phone_call(KNOWN_PHONE, "0", config=settings(DEV.call_center, contact_lens=True))
    kinds = [e["type"] for e in events]
    assert kinds.index("recording") < kinds.index("transfer")
    assert of_type(events, "recording")[0]["analytics_language"] == "ko-KR"
    assert not of_type(phone_call(KNOWN_PHONE, "0"), "recording")


def test_given_english_then_the_queue_flow_speaks_english_too(seeded: Any) -> None:
    events = phone_call(UNKNOWN_PHONE, "0", lang="en", queue=QueueConditions(answer_after_seconds=10))
    said = heard(events)
    assert "Callers waiting, including you: 1. We will answer in order." in said
    assert said[-1] == "Thank you for waiting. An agent will be with you shortly."
    assert {e["voice"] for e in of_type(events, "prompt")} == {"Joanna"}
    assert outcome(events) == {"type": "agent", "after_seconds": 10.0}
