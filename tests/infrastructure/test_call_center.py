"""The call center as synthesized: Connect instance, store hours, queue, the flows with real ARNs (the inbound flow
hooks the customer-queue flow), the lookup Lambda (its timeout below the flow's block limit), its integration and
permission, the route of an existing number and the queued callbacks it allows."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from lambdas.call_center.flow_model import load_flow
from lambdas.call_center.hours import WeeklyHours
from lambdas.call_center.template import TemplateFlow, contact_flows
from lambdas.call_center.validate_flow import check_template, main
from stacks.config import DEV, PROD, CallCenterConfig, EnvironmentConfig
from stacks.constructs.call_center_flows import outbound_caller
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


def template_flow(template: Template, name: str = "inbound") -> TemplateFlow:
    (found,) = [f for f in contact_flows(template.to_json()) if f.name.endswith(f"-{name}")]
    return found


def flow(template: Template, name: str = "inbound") -> dict[str, Any]:
    """A flow's Content (the inbound flow's by default) with every reference resolved, decoded."""
    return dict(json.loads(template_flow(template, name).content))


def flow_resource(template: Template, name: str) -> tuple[str, dict[str, Any]]:
    found = template_flow(template, name)
    return found.logical_id, resources(template, "AWS::Connect::ContactFlow")[found.logical_id]


def block(flow_doc: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(a for a in flow_doc["Actions"] if a["Identifier"] == identifier)


def getatt(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def test_given_an_environment_without_a_number_then_the_instance_takes_inbound_calls_only_with_flow_logs(
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
    # No number configured, so no callbacks: nothing may dial out.
    assert not config.call_center.callback_enabled
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


def test_given_an_environment_then_each_flow_is_valid_json_with_its_type_and_the_arns_it_uses(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    queue_flow_id, queue_flow = flow_resource(template, "customer_queue")
    inbound_id, inbound = flow_resource(template, "inbound")
    assert len(resources(template, "AWS::Connect::ContactFlow")) == 2
    assert (queue_flow["Properties"]["Type"], inbound["Properties"]["Type"]) == ("CUSTOMER_QUEUE", "CONTACT_FLOW")
    props = inbound["Properties"]
    assert (props["State"], props["InstanceArn"]) == ("ACTIVE", getatt("CallCenterInstance"))
    content, variables = props["Content"]["Fn::Sub"]
    json.loads(content)  # valid JSON before substitution; the ARNs are plain strings without quotes
    function_id, _ = lookup_function(template)
    hours_id, _ = only(template, "AWS::Connect::HoursOfOperation")
    queue_id, _ = only(template, "AWS::Connect::Queue")
    assert variables == {
        "CallCenterLambdaArn": getatt(function_id),
        "QueueArn": {"Fn::GetAtt": [queue_id, "QueueArn"]},
        "HoursOfOperationArn": {"Fn::GetAtt": [hours_id, "HoursOfOperationArn"]},
        "CustomerQueueFlowArn": {"Fn::GetAtt": [queue_flow_id, "ContactFlowArn"]},
    }
    association_id, _ = only(template, "AWS::Connect::IntegrationAssociation")
    assert association_id in inbound["DependsOn"]  # Connect checks the flow's Lambda is associated
    for name in ("inbound", "customer_queue"):
        load_flow(flow(template, name))
    assert check_template(template.to_json()) == {inbound_id: [], queue_flow_id: []}
    assert (
        block(flow(template), "set-voice")["Parameters"]["TextToSpeechVoice"] == config.call_center.voice == "Seoyeon"
    )


def test_given_an_environment_then_the_inbound_flow_queues_callers_through_the_customer_queue_flow(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    inbound = template_flow(template)
    queue_flow_id, _ = flow_resource(template, "customer_queue")
    hooks = [a for a in flow(template)["Actions"] if a["Type"] == "UpdateContactEventHooks"]
    assert hooks, "the inbound flow sets no customer-queue flow"
    for hook in hooks:
        assert inbound.references[hook["Parameters"]["EventHooks"]["CustomerQueue"]] == queue_flow_id


def test_given_an_environment_then_no_contact_attribute_keeps_the_callers_name(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # Contact attributes outlive the call (contact records, Contact Lens, the agent's screen): the name is only
    # spoken, never stored.
    _, template = env_template
    for name in ("inbound", "customer_queue"):
        for action in flow(template, name)["Actions"]:
            if action["Type"] in ("UpdateContactAttributes", "UpdateFlowAttributes"):
                stored = json.dumps(action["Parameters"])
                assert "customer_name" not in stored, (name, action["Identifier"])


def test_given_prod_then_flow_logging_is_off_while_the_lookups_answer_is_held_and_dev_logs_it(
    dev: Template, prod: Template
) -> None:
    def logging(template: Template) -> list[str]:
        return [
            a["Parameters"]["FlowLoggingBehavior"]
            for a in flow(template)["Actions"]
            if a["Type"] == "UpdateFlowLoggingBehavior"
        ]

    assert DEV.call_center.flow_logs_during_lookup
    assert not PROD.call_center.flow_logs_during_lookup
    assert "Disabled" in logging(prod)
    assert "Disabled" not in logging(dev)


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


@pytest.fixture(scope="module")
def prod_with_number() -> Template:
    return synth(PROD.with_overrides({"connect_phone_number_arn": NUMBER_ARN}))


def test_given_an_existing_number_then_it_is_routed_to_the_inbound_flow_and_never_claimed(
    prod_with_number: Template,
) -> None:
    template = prod_with_number
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
    flow_id, _ = flow_resource(template, "inbound")
    assert sorted(connect["Action"]) == [
        "connect:AssociatePhoneNumberContactFlow",
        "connect:DisassociatePhoneNumberContactFlow",
    ]
    assert sorted(json.dumps(r) for r in connect["Resource"]) == sorted(
        json.dumps(r) for r in [NUMBER_ARN, {"Fn::GetAtt": [flow_id, "ContactFlowArn"]}]
    )


def test_given_an_existing_number_then_queued_callbacks_may_dial_out_from_it(prod_with_number: Template) -> None:
    assert PROD.with_overrides({"connect_phone_number_arn": NUMBER_ARN}).call_center.callback_enabled
    _, instance = only(prod_with_number, "AWS::Connect::Instance")
    assert instance["Properties"]["Attributes"]["OutboundCalls"] is True
    _, queue = only(prod_with_number, "AWS::Connect::Queue")
    assert queue["Properties"]["OutboundCallerConfig"] == {"OutboundCallerIdNumberArn": NUMBER_ARN}
    offered = [a["Type"] for name in ("inbound", "customer_queue") for a in flow(prod_with_number, name)["Actions"]]
    assert "CreateCallbackContact" in offered
    assert all(not findings for findings in check_template(prod_with_number.to_json()).values())


def test_given_no_number_then_no_flow_offers_a_callback(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    offered = [a["Type"] for name in ("inbound", "customer_queue") for a in flow(template, name)["Actions"]]
    assert "CreateCallbackContact" not in offered
    _, queue = only(template, "AWS::Connect::Queue")
    assert "OutboundCallerConfig" not in queue["Properties"]


def test_given_a_number_arn_with_its_instance_path_then_the_caller_id_is_the_form_connect_accepts() -> None:
    # OutboundCallerIdNumberArn accepts only arn:...:phone-number/<id> (CloudFormation reference).
    instance_form = NUMBER_ARN.replace("phone-number/", "instance/11111111-2222-4333-8444-555555555555/phone-number/")
    config = replace(PROD.call_center, phone_number_arn=instance_form)
    caller = outbound_caller(config)
    assert caller is not None
    assert caller.outbound_caller_id_number_arn == NUMBER_ARN


def test_given_callbacks_turned_off_then_a_number_alone_allows_no_outbound_calls() -> None:
    config = replace(PROD.call_center, phone_number_arn=NUMBER_ARN, callbacks=False)
    assert not config.callback_enabled
    assert outbound_caller(config) is None


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
        ({"queue_comfort_seconds": 600}, "queue_comfort_seconds"),
        ({"queue_comfort_seconds": 0}, "queue_comfort_seconds"),
        ({"queue_long_wait_seconds": 601}, "queue_long_wait_seconds"),
        ({"queue_max_wait_seconds": 3601, "queue_long_wait_seconds": 120}, "queue_max_wait_seconds"),
        ({"recording_retention_days": 0}, "recording_retention_days"),
        ({"recording_retention_days": 366}, "recording_retention_days"),
        ({"contact_records_retention_hours": 23}, "Kinesis' retention range"),
    ],
)
def test_given_an_invalid_call_center_config_then_it_is_rejected(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallCenterConfig(**{**DEV.call_center.__dict__, **change})


def test_given_the_longest_allowed_waits_then_the_config_is_accepted() -> None:
    config = replace(
        DEV.call_center, queue_max_wait_seconds=3600, queue_long_wait_seconds=3600, queue_comfort_seconds=1
    )
    assert (config.queue_long_wait_seconds, config.queue_max_wait_seconds) == (3600, 3600)


def test_given_no_number_then_callbacks_are_not_enabled_even_when_configured() -> None:
    assert DEV.call_center.callbacks
    assert not DEV.call_center.callback_enabled
    assert replace(DEV.call_center, phone_number_arn=NUMBER_ARN).callback_enabled


def test_given_the_gated_synth_then_the_validator_passes_both_templates(assembly_dir: Path) -> None:
    templates = [str(assembly_dir / f"{name}.template.json") for name in ("DevStack", "ProdStack")]
    assert main(templates) == 0
