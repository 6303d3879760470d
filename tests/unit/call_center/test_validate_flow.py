"""The static validator: the deployed flow passes; each kind of broken flow fails with a finding that says why."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lambdas.call_center.flows import FlowOptions, fill, render
from lambdas.call_center.validate_flow import check_flow, check_template, main
from stacks.config import DEV
from tests.unit.call_center.flow_fixtures import action, hang_up, inbound, say, tiny


def test_given_the_deployed_inbound_flow_then_there_are_no_findings() -> None:
    assert check_flow(inbound()) == []


def broken(change: Any) -> list[str]:
    flow = copy.deepcopy(inbound())
    change(flow)
    return check_flow(flow)


def test_given_an_unreachable_block_then_it_is_reported() -> None:
    findings = broken(lambda f: f["Actions"].append(say("orphan", "Nobody hears this", "disconnect")))
    assert findings == ["block 'orphan' (MessageParticipant) is unreachable"]


def test_given_a_transition_to_a_missing_block_then_it_is_reported() -> None:
    findings = broken(lambda f: action(f, "greeting")["Transitions"].update(NextAction="no-such-block"))
    assert any("transition to missing block 'no-such-block'" in f for f in findings)


def test_given_a_lambda_block_without_error_branch_then_it_is_reported() -> None:
    findings = broken(lambda f: action(f, "lookup-caller")["Transitions"].pop("Errors"))
    assert any("Lambda block without an error branch" in f for f in findings)


def test_given_a_lambda_block_limit_above_eight_seconds_then_it_is_reported() -> None:
    findings = broken(lambda f: action(f, "lookup-caller")["Parameters"].update(InvocationTimeLimitSeconds="9"))
    assert any("InvocationTimeLimitSeconds 9 s is outside 1..8 s" in f for f in findings)


@pytest.mark.parametrize(("timeout", "message"), [(10, "above 8 s"), (8, "not below the block's limit 8 s")])
def test_given_a_function_timeout_that_does_not_fit_the_block_then_it_is_reported(timeout: int, message: str) -> None:
    findings = check_flow(inbound(), timeout_of=lambda arn: timeout)
    assert any(message in f for f in findings)


def test_given_a_function_timeout_below_the_block_then_it_passes() -> None:
    assert check_flow(inbound(), timeout_of=lambda arn: 5) == []


def test_given_an_input_block_without_timeout_branch_then_it_is_reported() -> None:
    def drop_timeout(flow: dict[str, Any]) -> None:
        errors = action(flow, "menu")["Transitions"]["Errors"]
        errors[:] = [e for e in errors if e["ErrorType"] != "InputTimeLimitExceeded"]

    assert any("no InputTimeLimitExceeded branch" in f for f in broken(drop_timeout))


def test_given_an_unknown_block_type_then_it_is_reported() -> None:
    findings = broken(lambda f: action(f, "greeting").update(Type="PlayPromptWithBells"))
    assert findings == ["block 'greeting': unsupported action type 'PlayPromptWithBells'"]


def test_given_a_dead_end_then_it_is_reported() -> None:
    dead_end = say("hello", "Hi", "bye")
    dead_end["Transitions"] = {}
    assert check_flow(tiny(dead_end, hang_up())) == [
        "block 'hello' (MessageParticipant): no NextAction, the call would stop here",
        "block 'bye' (DisconnectParticipant) is unreachable",
    ]


@pytest.mark.parametrize("text", ["not json", "[]", '{"Version": "2019-10-30", "Actions": []}'])
def test_given_no_flow_at_all_then_it_is_reported(text: str) -> None:
    assert len(check_flow(text)) == 1


def template_with(content: Any, function_timeout: int = 5) -> dict[str, Any]:
    return {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": function_timeout}},
            "Hours": {"Type": "AWS::Connect::HoursOfOperation", "Properties": {}},
            "Queue": {"Type": "AWS::Connect::Queue", "Properties": {}},
            "Flow": {"Type": "AWS::Connect::ContactFlow", "Properties": {"Name": "x", "Content": content}},
        }
    }


def sub_content() -> dict[str, Any]:
    """The flow as the construct emits it: an Fn::Sub whose variables are attributes of template resources."""
    refs = {"CallCenterLambdaArn": "${Fn.Arn}", "QueueArn": "${Queue.Arn}", "HoursOfOperationArn": "${Hours.Arn}"}
    return {"Fn::Sub": [fill(render("inbound", FlowOptions.of(DEV.call_center)), refs), {}]}


def test_given_a_template_then_the_function_timeout_is_traced_through_fn_sub() -> None:
    assert check_template(template_with(sub_content(), function_timeout=5)) == {"Flow": []}
    findings = check_template(template_with(sub_content(), function_timeout=8))["Flow"]
    assert findings == [
        "block 'lookup-caller' (InvokeLambdaFunction): the function's Timeout 8 s is not below the block's limit 8 s"
    ]


def test_given_a_joined_content_then_it_is_resolved() -> None:
    text = json.dumps(inbound())
    half = len(text) // 2
    assert check_template(template_with({"Fn::Join": ["", [text[:half], text[half:]]]})) == {"Flow": []}


def test_given_a_template_without_flows_then_it_fails() -> None:
    assert check_template({"Resources": {}}) == {"(template)": ["no AWS::Connect::ContactFlow in the template"]}


def test_given_the_command_line_then_the_exit_status_says_whether_all_flows_pass(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(template_with(sub_content())), encoding="utf-8")
    bad.write_text(json.dumps(template_with(sub_content(), function_timeout=30)), encoding="utf-8")
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
