"""Rendering the flow files: every placeholder filled at synth except the ARNs, which Fn::Sub fills at deploy."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lambdas.call_center.flows import ARN_PLACEHOLDERS, FlowError, FlowOptions, fill, flow_names, flow_type, render
from lambdas.call_center.simulate import settings
from stacks.config import DEV
from tests.unit.call_center.flow_fixtures import WITH_CALLBACKS, action, customer_queue, inbound


def identifiers(flow: dict[str, Any]) -> set[str]:
    return {a["Identifier"] for a in flow["Actions"]}


def targets(flow: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for a in flow["Actions"]:
        transitions = a["Transitions"]
        found |= {transitions.get("NextAction")} | {b["NextAction"] for b in transitions.get("Conditions", [])}
        found |= {b["NextAction"] for b in transitions.get("Errors", [])}
    return found - {None}


def test_given_the_assets_then_inbound_is_a_flow_and_prompts_are_not() -> None:
    assert "inbound" in flow_names()
    assert "prompts" not in flow_names()


def test_given_the_flow_files_then_each_has_its_connect_type() -> None:
    assert {name: flow_type(name) for name in flow_names()} == {
        "customer_queue": "CUSTOMER_QUEUE",
        "inbound": "CONTACT_FLOW",
    }
    with pytest.raises(FlowError, match="no Connect flow type"):
        flow_type("whisper")


def test_given_dev_config_then_only_arn_placeholders_are_left_and_the_text_is_json() -> None:
    rendered = render("inbound", FlowOptions.of(settings(DEV.call_center)))
    json.loads(rendered)
    assert set(re.findall(r"\$\{([^}]+)\}", rendered)) == set(ARN_PLACEHOLDERS)
    assert "_when" not in rendered
    assert "_else" not in rendered
    queue = render("customer_queue", FlowOptions.of(settings(DEV.call_center)))
    assert set(re.findall(r"\$\{([^}]+)\}", queue)) == set()  # the callback uses the contact's own queue


def test_given_korean_config_then_the_voice_is_seoyeon_and_prompts_are_korean() -> None:
    flow = inbound()
    assert action(flow, "set-voice")["Parameters"]["TextToSpeechVoice"] == "Seoyeon"
    assert action(flow, "greeting")["Parameters"]["Text"].startswith("안녕하세요")
    assert action(flow, "lookup-caller")["Parameters"]["LambdaInvocationAttributes"] == {"lang": "ko"}
    assert "오전 7시부터 오후 10시까지" in action(flow, "after-hours")["Parameters"]["Text"]


def test_given_english_config_then_the_voice_is_joanna_and_prompts_are_english() -> None:
    flow = inbound(replace(DEV.call_center, language="en", voice="Joanna"))
    assert action(flow, "set-voice")["Parameters"]["TextToSpeechVoice"] == "Joanna"
    assert action(flow, "set-standard-voice")["Parameters"]["TextToSpeechEngine"] == "Standard"
    assert action(flow, "menu")["Parameters"]["Text"].startswith("For today's recommendations, press 1.")
    assert "from 7 AM to 10 PM" in action(flow, "after-hours")["Parameters"]["Text"]


def test_given_config_timeouts_then_the_blocks_carry_them() -> None:
    flow = inbound()
    assert action(flow, "lookup-caller")["Parameters"]["InvocationTimeLimitSeconds"] == "8"
    assert action(flow, "menu")["Parameters"]["InputTimeLimitSeconds"] == "5"
    assert action(flow, "menu-retry")["Parameters"]["LoopCount"] == "2"
    wait = action(flow, "wait-check")["Transitions"]["Conditions"][0]["Condition"]
    assert (wait["Operator"], wait["Operands"]) == ("NumberGreaterThan", ["120"])


def test_given_queue_settings_then_the_queue_flow_plays_comfort_until_the_max_wait() -> None:
    flow = customer_queue(settings(DEV.call_center, queue_max_wait_seconds=100, queue_comfort_seconds=30))
    assert action(flow, "comfort")["Parameters"]["InterruptFrequencySeconds"] == "30"
    assert action(flow, "comfort-passes")["Parameters"]["LoopCount"] == "4"  # 4 x 30 s covers 100 s


@pytest.mark.parametrize(("during_lookup", "logging"), [(True, "Enabled"), (False, "Disabled")])
def test_given_the_flow_logs_setting_then_logging_around_the_lookup_follows_it(
    during_lookup: bool, logging: str
) -> None:
    flow = inbound(settings(DEV.call_center, flow_logs_during_lookup=during_lookup))
    assert action(flow, "lookup-logging")["Parameters"]["FlowLoggingBehavior"] == logging
    assert action(flow, "resume-logging")["Parameters"]["FlowLoggingBehavior"] == "Enabled"


@pytest.mark.parametrize(("lang", "analytics"), [("ko", "ko-KR"), ("en", "en-US")])
def test_given_contact_lens_then_recording_is_set_in_the_calls_language(lang: str, analytics: str) -> None:
    flow = inbound(settings(replace(DEV.call_center, language=lang), contact_lens=True))
    record = action(flow, "record")
    assert record["Parameters"]["RecordingBehavior"]["RecordedParticipants"] == ["Agent", "Customer"]
    assert record["Parameters"]["AnalyticsBehavior"]["AnalyticsLanguage"] == analytics
    assert action(flow, "transfer-notice")["Transitions"]["NextAction"] == "record"


def test_given_no_contact_lens_then_there_is_no_recording_block_and_the_notice_leads_to_the_transfer() -> None:
    flow = inbound(settings(DEV.call_center, contact_lens=False))
    assert not [a for a in flow["Actions"] if a["Type"] == "UpdateContactRecordingBehavior"]
    assert action(flow, "transfer-notice")["Transitions"]["NextAction"] == "transfer"


def test_given_no_callbacks_then_no_callback_block_is_rendered_and_no_transition_dangles() -> None:
    for flow in (inbound(settings(DEV.call_center, callback_enabled=False)), customer_queue()):
        assert not {"callback-number", "create-callback", "offer-callback"} & identifiers(flow)
        assert targets(flow) <= identifiers(flow)
    assert action(customer_queue(), "comfort")["Transitions"]["NextAction"] == "comfort-passes"


def test_given_callbacks_then_the_offers_and_the_callback_blocks_are_rendered() -> None:
    flow = inbound(WITH_CALLBACKS)
    assert {"nobody-staffed", "long-wait", "callback-number", "create-callback"} <= identifiers(flow)
    assert "nobody-staffed-goodbye" not in identifiers(flow)
    assert targets(flow) <= identifiers(flow)


def test_given_the_lookup_then_personal_speech_stays_in_flow_attributes() -> None:
    flow = inbound()
    kept = action(flow, "save-caller")["Parameters"]["Attributes"]
    assert not {"customer_name", "order_status_speech", "recommendation_speech"} & set(kept)
    flow_only = action(flow, "keep-speech")["Parameters"]["FlowAttributes"]
    assert flow_only["order_status_speech"] == {"Value": "$.External.order_status_speech"}
    assert action(flow, "menu-with-order")["Parameters"]["SSML"].startswith(
        "<speak>$.FlowAttributes.order_status_speech<break"
    )


def test_given_a_prompt_with_markup_then_rendering_fails(tmp_path: Path) -> None:
    (tmp_path / "odd.json").write_text('{"Version": "2019-10-30"}', encoding="utf-8")
    (tmp_path / "prompts.json").write_text('{"ko": {"greeting": "Tom & Jerry"}}', encoding="utf-8")
    with pytest.raises(FlowError, match="plain text"):
        render("odd", FlowOptions.of(settings(DEV.call_center)), tmp_path)


def test_given_filled_arns_then_no_placeholder_is_left() -> None:
    assert "${" not in json.dumps(inbound())


def test_given_an_unknown_placeholder_then_rendering_fails(tmp_path: Path) -> None:
    (tmp_path / "odd.json").write_text('{"Version": "2019-10-30", "X": "${NoSuchThing}"}', encoding="utf-8")
    with pytest.raises(FlowError, match="NoSuchThing"):
        render("odd", FlowOptions.of(settings(DEV.call_center)), tmp_path)
    with pytest.raises(FlowError, match="QueueArn"):
        fill('{"Q": "${QueueArn}"}', {})


def test_given_a_block_timeout_above_eight_seconds_then_rendering_fails() -> None:
    options = replace(FlowOptions.of(settings(DEV.call_center)), lambda_block_timeout_seconds=9)
    with pytest.raises(FlowError, match="1 to 8 s"):
        render("inbound", options)
