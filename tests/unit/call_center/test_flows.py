"""Rendering the flow files: every placeholder filled at synth except the ARNs, which Fn::Sub fills at deploy."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from lambdas.call_center.flows import ARN_PLACEHOLDERS, FlowError, FlowOptions, fill, flow_names, render
from stacks.config import DEV
from tests.unit.call_center.flow_fixtures import action, inbound


def test_given_the_assets_then_inbound_is_a_flow_and_prompts_are_not() -> None:
    assert "inbound" in flow_names()
    assert "prompts" not in flow_names()


def test_given_dev_config_then_only_arn_placeholders_are_left_and_the_text_is_json() -> None:
    rendered = render("inbound", FlowOptions.of(DEV.call_center))
    json.loads(rendered)
    assert set(re.findall(r"\$\{([^}]+)\}", rendered)) == set(ARN_PLACEHOLDERS)


def test_given_korean_config_then_the_voice_is_seoyeon_and_prompts_are_korean() -> None:
    flow = inbound()
    assert action(flow, "set-voice")["Parameters"]["TextToSpeechVoice"] == "Seoyeon"
    assert action(flow, "greeting")["Parameters"]["Text"].startswith("안녕하세요")
    assert action(flow, "lookup-caller")["Parameters"]["LambdaInvocationAttributes"] == {"lang": "ko"}
    assert "오전 7시부터 오후 10시까지" in action(flow, "after-hours")["Parameters"]["Text"]


def test_given_english_config_then_the_voice_is_joanna_and_prompts_are_english() -> None:
    flow = inbound(replace(DEV.call_center, language="en", voice="Joanna"))
    assert action(flow, "set-voice")["Parameters"]["TextToSpeechVoice"] == "Joanna"
    assert action(flow, "menu")["Parameters"]["Text"].startswith("For today's recommendations, press 1.")
    assert "from 7 AM to 10 PM" in action(flow, "after-hours")["Parameters"]["Text"]


def test_given_config_timeouts_then_the_blocks_carry_them() -> None:
    flow = inbound()
    assert action(flow, "lookup-caller")["Parameters"]["InvocationTimeLimitSeconds"] == "8"
    assert action(flow, "menu")["Parameters"]["InputTimeLimitSeconds"] == "5"
    assert action(flow, "menu-retry")["Parameters"]["LoopCount"] == "2"


def test_given_filled_arns_then_no_placeholder_is_left() -> None:
    assert "${" not in json.dumps(inbound())


def test_given_an_unknown_placeholder_then_rendering_fails(tmp_path: Path) -> None:
    (tmp_path / "odd.json").write_text('{"Version": "2019-10-30", "X": "${NoSuchThing}"}', encoding="utf-8")
    with pytest.raises(FlowError, match="NoSuchThing"):
        render("odd", FlowOptions.of(DEV.call_center), tmp_path)
    with pytest.raises(FlowError, match="QueueArn"):
        fill('{"Q": "${QueueArn}"}', {})


def test_given_a_block_timeout_above_eight_seconds_then_rendering_fails() -> None:
    options = replace(FlowOptions.of(DEV.call_center), lambda_block_timeout_seconds=9)
    with pytest.raises(FlowError, match="1 to 8 s"):
        render("inbound", options)
