"""The call center as synthesized: Connect instance, store hours, queue, the flow with real ARNs, the lookup Lambda
(its timeout below the flow's block limit), its integration and permission, and the route of an existing number."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from lambdas.call_center.flow_model import load_flow
from lambdas.call_center.hours import WeeklyHours
from lambdas.call_center.template import contact_flows
from lambdas.call_center.validate_flow import check_template, main
from stacks.config import DEV, PROD, CallCenterConfig, EnvironmentConfig
from tests.infrastructure.conftest import only, resources, synth

HANDLER = "lambdas.call_center.handler.handler"
NUMBER_ARN = "arn:aws:connect:ap-northeast-2:111122223333:phone-number/0b1c2d3e-1234-4abc-9def-0123456789ab"


def lookup_function(template: Template) -> tuple[str, dict[str, Any]]:
    found = {
        k: v
        for k, v in resources(template, "AWS::Lambda::Function").items()
        if v["Properties"].get("Handler") == HANDLER
    }
    assert len(found) == 1
    return next(iter(found.items()))


def flow(template: Template) -> dict[str, Any]:
    """The inbound flow's Content with every reference resolved, decoded."""
    (found,) = contact_flows(template.to_json())
    return json.loads(found.content)


def block(flow_doc: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(a for a in flow_doc["Actions"] if a["Identifier"] == identifier)


def getatt(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def test_given_an_environment_then_the_instance_takes_inbound_calls_only_with_flow_logs(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    instance_id, instance = only(template, "AWS::Connect::Instance")
    assert instance_id == "CallCenterInstance"  # stable: replacing it would lose agents, numbers and history
    props = instance["Properties"]
    assert (props["IdentityManagementType"], props["InstanceAlias"]) == (
        "CONNECT_MANAGED",
        config.call_center.instance_alias,
    )
    attributes = props["Attributes"]
    assert (attributes["InboundCalls"], attributes["OutboundCalls"], attributes["ContactflowLogs"]) == (
        True,
        False,
        True,
    )
    assert attributes["ContactLens"] is config.call_center.contact_lens
    assert instance["DeletionPolicy"] == ("RetainExceptOnCreate" if config.data.retain else "Delete")
    log_groups = [g["Properties"] for g in resources(template, "AWS::Logs::LogGroup").values()]
    flow_logs = [g for g in log_groups if g.get("LogGroupName") == f"/aws/connect/{config.call_center.instance_alias}"]
    assert len(flow_logs) == 1
    assert "KmsKeyId" in flow_logs[0]


def test_given_an_environment_then_store_hours_are_the_configured_ones_in_seoul(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, hours = only(template, "AWS::Connect::HoursOfOperation")
    props = hours["Properties"]
    assert props["TimeZone"] == "Asia/Seoul"
    slots = {
        (
            c["Day"],
            f"{c['StartTime']['Hours']:02d}:{c['StartTime']['Minutes']:02d}",
            f"{c['EndTime']['Hours']:02d}:{c['EndTime']['Minutes']:02d}",
        )
        for c in props["Config"]
    }
    assert slots == set(config.call_center.hours)
    assert len(slots) == 7


def test_given_an_environment_then_the_queue_keeps_store_hours_and_agents_take_it(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    hours_id, _ = only(template, "AWS::Connect::HoursOfOperation")
    queue_id, queue = only(template, "AWS::Connect::Queue")
    assert queue["Properties"]["HoursOfOperationArn"] == {"Fn::GetAtt": [hours_id, "HoursOfOperationArn"]}
    if config.call_center.queue_max_contacts:
        assert queue["Properties"]["MaxContacts"] == config.call_center.queue_max_contacts
    _, routing = only(template, "AWS::Connect::RoutingProfile")
    queue_arn = {"Fn::GetAtt": [queue_id, "QueueArn"]}
    assert routing["Properties"]["DefaultOutboundQueueArn"] == queue_arn
    assert routing["Properties"]["QueueConfigs"][0]["QueueReference"] == {"Channel": "VOICE", "QueueArn": queue_arn}


def test_given_an_environment_then_the_lambda_times_out_before_the_flow_stops_waiting(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, function = lookup_function(template)
    props = function["Properties"]
    block_limit = int(block(flow(template), "lookup-caller")["Parameters"]["InvocationTimeLimitSeconds"])
    assert props["Timeout"] == config.call_center.lambda_timeout_seconds
    assert props["Timeout"] < block_limit <= 8
    env = props["Environment"]["Variables"]
    assert int(env["BUDGET_MS"]) < props["Timeout"] * 1000
    assert WeeklyHours.from_json(env["STORE_HOURS"], env["STORE_TIMEZONE"]).triples() == config.call_center.hours
    assert env["DEFAULT_LANG"] == config.call_center.language
    assert "CALL_CENTER_FIXED_TIME" not in env  # the simulator's clock never reaches a deployed function
    assert props.get("ReservedConcurrentExecutions") == config.call_center.lambda_reserved_concurrency
    assert props["Architectures"] == ["arm64"]


def test_given_an_environment_then_connect_may_invoke_the_lambda_and_only_from_this_instance(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    function_id, _ = lookup_function(template)
    _, association = only(template, "AWS::Connect::IntegrationAssociation")
    assert {k: v for k, v in association["Properties"].items() if k != "Tags"} == {
        "InstanceId": getatt("CallCenterInstance"),
        "IntegrationArn": getatt(function_id),
        "IntegrationType": "LAMBDA_FUNCTION",
    }
    permissions = [
        p["Properties"]
        for p in resources(template, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == getatt(function_id)
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": getatt(function_id),
            "Principal": "connect.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": getatt("CallCenterInstance"),
        }
    ]


def test_given_an_environment_then_the_flow_is_valid_json_with_the_resources_arns(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    flow_id, contact_flow = only(template, "AWS::Connect::ContactFlow")
    props = contact_flow["Properties"]
    assert (props["Type"], props["State"], props["InstanceArn"]) == (
        "CONTACT_FLOW",
        "ACTIVE",
        getatt("CallCenterInstance"),
    )
    content, variables = props["Content"]["Fn::Sub"]
    json.loads(content)  # valid JSON before substitution; the ARNs are plain strings without quotes
    function_id, _ = lookup_function(template)
    hours_id, _ = only(template, "AWS::Connect::HoursOfOperation")
    queue_id, _ = only(template, "AWS::Connect::Queue")
    assert variables == {
        "CallCenterLambdaArn": getatt(function_id),
        "QueueArn": {"Fn::GetAtt": [queue_id, "QueueArn"]},
        "HoursOfOperationArn": {"Fn::GetAtt": [hours_id, "HoursOfOperationArn"]},
    }
    association_id, _ = only(template, "AWS::Connect::IntegrationAssociation")
    assert association_id in contact_flow["DependsOn"]  # Connect checks the flow's Lambda is associated
    load_flow(flow(template))
    assert check_template(template.to_json()) == {flow_id: []}
    assert (
        block(flow(template), "set-voice")["Parameters"]["TextToSpeechVoice"] == config.call_center.voice == "Seoyeon"
    )


def test_given_an_environment_then_the_lambda_reads_exactly_what_the_lookup_needs(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    (policy,) = [
        p["Properties"]
        for k, p in resources(template, "AWS::IAM::ManagedPolicy").items()
        if k.startswith("CallCenterLookupReads")
    ]
    statements = {json.dumps(s["Action"]): s["Resource"] for s in policy["PolicyDocument"]["Statement"]}
    assert set(statements) == {'"dynamodb:Query"', '"dynamodb:Scan"', '"kms:Decrypt"'}
    assert sorted(json.dumps(r) for r in statements['"dynamodb:Query"']) == sorted(
        json.dumps(r)
        for r in [
            {"Fn::Join": ["", [getatt("OrdersTable"), "/index/by-phone"]]},
            {"Fn::Join": ["", [getatt("CustomersTable"), "/index/by-phone"]]},
            getatt("RecommendationsTable"),
        ]
    )
    assert statements['"dynamodb:Scan"'] == getatt("CatalogTable")


def test_given_no_number_configured_then_none_is_claimed_or_routed(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # Korean numbers need documents and a support case: the stack never claims one (README).
    _, template = env_template
    assert resources(template, "AWS::Connect::PhoneNumber") == {}
    assert resources(template, "Custom::PhoneNumberContactFlow") == {}


def test_given_an_existing_number_then_it_is_routed_to_the_inbound_flow_and_never_claimed() -> None:
    config = PROD.with_overrides({"connect_phone_number_arn": NUMBER_ARN})
    template = synth(config)
    assert resources(template, "AWS::Connect::PhoneNumber") == {}
    _, route = only(template, "Custom::PhoneNumberContactFlow")
    create = json.dumps(route["Properties"]["Create"]).replace(" ", "")
    delete = json.dumps(route["Properties"]["Delete"]).replace(" ", "")
    assert '"action\\":\\"AssociatePhoneNumberContactFlow' in create
    assert '"PhoneNumberId\\":\\"0b1c2d3e-1234-4abc-9def-0123456789ab' in create
    assert '"action\\":\\"DisassociatePhoneNumberContactFlow' in delete
    (policy,) = [p for k, p in resources(template, "AWS::IAM::ManagedPolicy").items() if k.startswith("AwsApiCalls")]
    (connect,) = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "connect:" in json.dumps(s["Action"])
    ]
    flow_id, _ = only(template, "AWS::Connect::ContactFlow")
    assert sorted(connect["Action"]) == [
        "connect:AssociatePhoneNumberContactFlow",
        "connect:DisassociatePhoneNumberContactFlow",
    ]
    assert sorted(json.dumps(r) for r in connect["Resource"]) == sorted(
        json.dumps(r) for r in [NUMBER_ARN, {"Fn::GetAtt": [flow_id, "ContactFlowArn"]}]
    )


@pytest.mark.parametrize(
    "arn", ["+821012345678", "arn:aws:connect:ap-northeast-2:111122223333:instance/abc", "arn:aws:s3:::bucket"]
)
def test_given_something_else_than_a_number_arn_then_it_is_refused(arn: str) -> None:
    with pytest.raises(ValueError, match="phone-number ARN"):
        PROD.with_overrides({"connect_phone_number_arn": arn})


def test_given_the_deployers_alias_then_the_instance_and_its_flow_log_group_use_it() -> None:
    template = synth(PROD.with_overrides({"connect_instance_alias": "acme-bakery-calls"}))
    _, instance = only(template, "AWS::Connect::Instance")
    assert instance["Properties"]["InstanceAlias"] == "acme-bakery-calls"
    groups = [g["Properties"].get("LogGroupName") for g in resources(template, "AWS::Logs::LogGroup").values()]
    assert "/aws/connect/acme-bakery-calls" in groups
    # The instance waits for its flow-log group: Connect would otherwise create the group first (AlreadyExists).
    (group_id,) = [
        k
        for k, g in resources(template, "AWS::Logs::LogGroup").items()
        if g["Properties"].get("LogGroupName") == "/aws/connect/acme-bakery-calls"
    ]
    assert group_id in instance["DependsOn"]


@pytest.mark.parametrize("alias", ["d-1234567890", "Acme", "-acme", "acme-", "a" * 46, "acme_calls"])
def test_given_an_alias_connect_would_refuse_then_synth_refuses_it(alias: str) -> None:
    with pytest.raises(ValueError, match="instance_alias"):
        PROD.with_overrides({"connect_instance_alias": alias})


def test_given_english_by_config_then_joanna_speaks_english_prompts() -> None:
    english = replace(DEV, call_center=replace(DEV.call_center, language="en", voice="Joanna"))
    template = synth(english)
    content = flow(template)
    assert block(content, "set-voice")["Parameters"]["TextToSpeechVoice"] == "Joanna"
    assert block(content, "greeting")["Parameters"]["Text"].startswith("Hello, and thank you for calling")
    assert block(content, "lookup-caller")["Parameters"]["LambdaInvocationAttributes"] == {"lang": "en"}
    assert lookup_function(template)[1]["Properties"]["Environment"]["Variables"]["DEFAULT_LANG"] == "en"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lambda_timeout_seconds": 8}, "below the flow's block limit"),
        ({"lambda_block_timeout_seconds": 9}, "at most 8 s"),
        ({"lambda_budget_ms": 5000}, "budget must be below"),
        ({"language": "fr"}, "'ko' or 'en'"),
        ({"instance_alias": "Has Spaces"}, "instance_alias"),
    ],
)
def test_given_an_invalid_call_center_config_then_it_is_rejected(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallCenterConfig(**{**DEV.call_center.__dict__, **change})


def test_given_the_gated_synth_then_the_validator_passes_both_templates(assembly_dir: Path) -> None:
    templates = [str(assembly_dir / f"{name}.template.json") for name in ("DevStack", "ProdStack")]
    assert main(templates) == 0
