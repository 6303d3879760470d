"""The static validator: the deployed flow passes; each kind of broken flow fails with a finding that says why."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lambdas.call_center.flows import FlowOptions, fill, render
from lambdas.call_center.simulate import settings
from lambdas.call_center.validate_flow import check_flow, check_template, main
from stacks.config import DEV, PROD
from tests.unit.call_center.flow_fixtures import WITH_CALLBACKS, action, customer_queue, hang_up, inbound, say, tiny


@pytest.mark.parametrize(
    "config", [DEV.call_center, PROD.call_center, WITH_CALLBACKS, settings(PROD.call_center, callback_enabled=True)]
)
def test_given_the_deployed_flows_then_there_are_no_findings(config: object) -> None:
    assert check_flow(inbound(config)) == []
    assert check_flow(customer_queue(config), flow_type="CUSTOMER_QUEUE") == []


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
    findings = check_flow(tiny(dead_end, hang_up()))
    assert findings[0] == "block 'hello' (MessageParticipant): no NextAction, the call would stop here"
    assert findings[-1] == "block 'bye' (DisconnectParticipant) is unreachable"


@pytest.mark.parametrize("text", ["not json", "[]", '{"Version": "2019-10-30", "Actions": []}'])
def test_given_no_flow_at_all_then_it_is_reported(text: str) -> None:
    assert len(check_flow(text)) == 1


def template_with(content: Any, function_timeout: int = 5) -> dict[str, Any]:
    queue_flow = fill(render("customer_queue", FlowOptions.of(settings(DEV.call_center))), {})
    return {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": function_timeout}},
            "Hours": {"Type": "AWS::Connect::HoursOfOperation", "Properties": {}},
            "Queue": {"Type": "AWS::Connect::Queue", "Properties": {}},
            "QueueFlow": {
                "Type": "AWS::Connect::ContactFlow",
                "Properties": {"Name": "q", "Type": "CUSTOMER_QUEUE", "Content": queue_flow},
            },
            "Flow": {"Type": "AWS::Connect::ContactFlow", "Properties": {"Name": "x", "Content": content}},
        }
    }


def sub_content() -> dict[str, Any]:
    """The flow as the construct emits it: an Fn::Sub whose variables are attributes of template resources."""
    refs = {
        "CallCenterLambdaArn": "${Fn.Arn}",
        "QueueArn": "${Queue.Arn}",
        "HoursOfOperationArn": "${Hours.Arn}",
        "CustomerQueueFlowArn": "${QueueFlow.Arn}",
    }
    return {"Fn::Sub": [fill(render("inbound", FlowOptions.of(settings(DEV.call_center))), refs), {}]}


def test_given_a_template_then_the_function_timeout_is_traced_through_fn_sub() -> None:
    assert check_template(template_with(sub_content(), function_timeout=5)) == {"QueueFlow": [], "Flow": []}
    findings = check_template(template_with(sub_content(), function_timeout=8))["Flow"]
    assert findings == [
        "block 'lookup-caller' (InvokeLambdaFunction): the function's Timeout 8 s is not below the block's limit 8 s"
    ]


def test_given_a_joined_content_then_it_is_resolved() -> None:
    text = json.dumps(inbound())
    half = len(text) // 2
    assert check_template(template_with({"Fn::Join": ["", [text[:half], text[half:]]]}))["Flow"] == []


def test_given_a_template_without_flows_then_it_fails() -> None:
    assert check_template({"Resources": {}}) == {"(template)": ["no AWS::Connect::ContactFlow in the template"]}


def test_given_the_command_line_then_the_exit_status_says_whether_all_flows_pass(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(template_with(sub_content())), encoding="utf-8")
    bad.write_text(json.dumps(template_with(sub_content(), function_timeout=30)), encoding="utf-8")
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1


def test_given_a_name_or_number_stored_in_a_contact_attribute_then_it_is_reported() -> None:
    def keep_personal(flow: dict[str, Any]) -> None:
        attributes = action(flow, "save-caller")["Parameters"]["Attributes"]
        attributes.update(customer_name="$.External.customer_name", caller="$.CustomerEndpoint.Address")

    findings = broken(keep_personal)
    assert len(findings) == 2
    assert all("would keep personal data" in f and "UpdateFlowAttributes" in f for f in findings)


def test_given_a_new_block_without_its_error_branch_then_it_is_reported() -> None:
    findings = broken(lambda f: action(f, "set-queue-flow")["Transitions"].pop("Errors"))
    assert findings == [
        "block 'set-queue-flow' (UpdateContactEventHooks): no NoMatchingError error branch "
        "(https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontacteventhooks.html)"
    ]


def test_given_a_callback_number_block_without_its_errors_then_both_are_reported() -> None:
    flow = copy.deepcopy(inbound(WITH_CALLBACKS))
    action(flow, "callback-number")["Transitions"]["Errors"] = []
    findings = check_flow(flow)
    assert [f.split(" error branch")[0] for f in findings] == [
        "block 'callback-number' (UpdateContactCallbackNumber): no CallbackNumberNotDialable",
        "block 'callback-number' (UpdateContactCallbackNumber): no InvalidCallbackNumber",
    ]


def test_given_a_queue_only_block_in_the_inbound_flow_then_it_is_reported() -> None:
    comfort = copy.deepcopy(action(customer_queue(), "comfort"))
    findings = broken(lambda f: action(f, "greeting").update(Type=comfort["Type"], Parameters=comfort["Parameters"]))
    assert any("not allowed in a CONTACT_FLOW flow" in f for f in findings)


def test_given_malformed_ssml_then_it_is_reported() -> None:
    findings = broken(lambda f: action(f, "menu-with-order")["Parameters"].update(SSML="<speak>$.FlowAttributes.x"))
    assert len(findings) == 1
    assert "SSML is not well-formed XML" in findings[0]


def test_given_an_agent_metric_with_an_unsupported_condition_then_it_is_reported() -> None:
    def compare_to_two(flow: dict[str, Any]) -> None:
        action(flow, "staffed-check")["Transitions"]["Conditions"][0]["Condition"]["Operands"] = ["2"]

    assert broken(compare_to_two) == [
        "block 'staffed-check' (CheckMetricData): agent metrics support only the condition NumberGreaterThan 0"
    ]


def test_given_a_rendered_flow_file_then_its_type_comes_from_its_name(tmp_path: Path) -> None:
    queue_file = tmp_path / "customer_queue.json"
    queue_file.write_text(json.dumps(customer_queue()), encoding="utf-8")
    assert main([str(queue_file)]) == 0
    (tmp_path / "inbound.json").write_text(json.dumps(customer_queue()), encoding="utf-8")
    assert main([str(tmp_path / "inbound.json")]) == 1  # queue-only blocks in a CONTACT_FLOW
