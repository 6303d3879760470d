"""The recommendation construct: a private, IAM-only API reached through the VPC's execute-api endpoint, throttled
and logged, a bounded stream mapping, arm64 Lambdas from one factory with the pinned Powertools layer and egress to
DynamoDB and the endpoints only, and a table with a stable logical ID."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from stacks.config import DEV, PROD, EnvironmentConfig
from stacks.constructs.lambda_factory import lambda_runtime
from tests.infrastructure.conftest import only, resources

FUNCTIONS = {"lambdas.recommendation.handler.handler": "api", "lambdas.reco_indexer.handler.handler": "indexer"}


def functions(template: Template) -> dict[str, dict[str, Any]]:
    """The recommendation functions by role ("api", "indexer")."""
    found = {}
    for function in resources(template, "AWS::Lambda::Function").values():
        role = FUNCTIONS.get(function["Properties"].get("Handler", ""))
        if role:
            found[role] = function["Properties"]
    assert set(found) == {"api", "indexer"}
    return found


def test_every_api_method_requires_iam_authorization(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    methods = resources(template, "AWS::ApiGateway::Method")
    assert methods
    for method_id, method in methods.items():
        assert method["Properties"]["AuthorizationType"] == "AWS_IAM", method_id
    (get,) = [m["Properties"] for m in methods.values() if m["Properties"]["HttpMethod"] == "GET"]
    assert get["Integration"]["Type"] == "AWS_PROXY"
    assert get["RequestValidatorId"]
    assert set(get["RequestParameters"]) == {
        f"method.request.querystring.{name}" for name in ("customer_id", "items", "k", "at", "lang")
    }
    assert not any(get["RequestParameters"].values())  # all optional: the handler validates values


def test_the_stage_is_throttled_traced_and_access_logged_to_an_encrypted_group(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, stage = only(template, "AWS::ApiGateway::Stage")
    props = stage["Properties"]
    assert props["TracingEnabled"] is True
    (settings,) = props["MethodSettings"]
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    assert settings["ThrottlingRateLimit"] == config.recommendation.api_throttle_rate
    assert settings["ThrottlingBurstLimit"] == config.recommendation.api_throttle_burst
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False
    log_group_id = props["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    log_group = resources(template, "AWS::Logs::LogGroup")[log_group_id]["Properties"]
    assert "Fn::GetAtt" in log_group["KmsKeyId"]
    assert log_group["RetentionInDays"] == config.functions.log_retention_days
    assert '"status":"$context.status"' in props["AccessLogSetting"]["Format"]


def test_the_api_is_private_and_only_reachable_through_this_vpcs_execute_api_endpoint(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    _, api = only(template, "AWS::ApiGateway::RestApi")
    props = api["Properties"]
    assert props["EndpointConfiguration"]["Types"] == ["PRIVATE"]
    (endpoint_ref,) = props["EndpointConfiguration"]["VpcEndpointIds"]
    endpoint_id = endpoint_ref["Ref"]
    endpoint = resources(template, "AWS::EC2::VPCEndpoint")[endpoint_id]["Properties"]
    assert "execute-api" in json.dumps(endpoint["ServiceName"])
    assert endpoint["PrivateDnsEnabled"] is True
    allow, deny = props["Policy"]["Statement"]
    assert (allow["Effect"], allow["Action"]) == ("Allow", "execute-api:Invoke")
    assert allow["Principal"] == {
        "AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
    }
    assert deny == {
        "Action": "execute-api:Invoke",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": {"Ref": endpoint_id}}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": "execute-api:/*",
    }
    # No web ACL on a private API; API Gateway's logging role is AccountStack's, not this stack's.
    assert resources(template, "AWS::WAFv2::WebACLAssociation") == {}
    assert resources(template, "AWS::ApiGateway::Account") == {}


def test_given_prod_then_the_public_alb_gets_the_web_acl_with_credentials_redacted_from_its_logs(
    dev: Template, prod: Template
) -> None:
    assert resources(dev, "AWS::WAFv2::WebACL") == {}
    _, acl = only(prod, "AWS::WAFv2::WebACL")
    assert acl["Properties"]["Scope"] == "REGIONAL"
    groups = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for rule in acl["Properties"]["Rules"]
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= groups
    (rate,) = [
        r["Statement"]["RateBasedStatement"]
        for r in acl["Properties"]["Rules"]
        if "RateBasedStatement" in r["Statement"]
    ]
    assert rate["AggregateKeyType"] == "IP"
    _, logging = only(prod, "AWS::WAFv2::LoggingConfiguration")
    redacted = {f["SingleHeader"]["Name"] for f in logging["Properties"]["RedactedFields"]}
    assert redacted == {"authorization", "cookie", "x-amz-security-token"}
    (destination,) = logging["Properties"]["LogDestinationConfigs"]
    log_group_id = destination["Fn::Join"][1][-1]["Ref"]
    log_group = resources(prod, "AWS::Logs::LogGroup")[log_group_id]["Properties"]
    assert log_group["LogGroupName"] == "aws-waf-logs-tlj-prod-ingress"  # WAF requires the prefix
    assert "Fn::GetAtt" in log_group["KmsKeyId"]
    assert "IngressWebAclArn" in prod.to_json()["Outputs"]
    # The prod Ingress names it (the placeholder is replaced by the output after the first deploy).
    ingress = (Path(__file__).resolve().parents[2] / "k8s/overlays/prod/patches/ingress-https.yaml").read_text()
    assert "alb.ingress.kubernetes.io/wafv2-acl-arn: arn:aws:wafv2:ap-northeast-2:" in ingress


def test_the_orders_stream_mapping_bisects_retries_a_bounded_number_of_times_and_keeps_failures(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, mapping = only(template, "AWS::Lambda::EventSourceMapping")
    props = mapping["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == config.recommendation.stream_retry_attempts
    assert 0 < props["MaximumRetryAttempts"] <= 10
    assert props["MaximumRecordAgeInSeconds"] == config.recommendation.stream_max_record_age_hours * 3600
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["StartingPosition"] == "TRIM_HORIZON"
    queue_id = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    queue = resources(template, "AWS::SQS::Queue")[queue_id]["Properties"]
    assert "Fn::GetAtt" in queue["KmsMasterKeyId"]
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": queue_id}]
    ]
    assert {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}.items() <= policy[0].items()
    patterns = [f["Pattern"] for f in props["FilterCriteria"]["Filters"]]
    assert any("CANCELLED" in p for p in patterns)
    assert any("INSERT" in p and "REMOVE" in p for p in patterns)


def test_both_functions_follow_the_factory_defaults(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    found = functions(template)
    reserved = {
        "api": config.recommendation.api_reserved_concurrency,
        "indexer": config.recommendation.indexer_reserved_concurrency,
    }
    for role, props in found.items():
        assert props["Architectures"] == ["arm64"], role
        assert props["Runtime"] == config.functions.python_runtime, role
        assert props.get("ReservedConcurrentExecutions") == reserved[role], role
        assert props["TracingConfig"] == {"Mode": "Active"}, role
        assert props["LoggingConfig"]["LogFormat"] == "JSON", role
        assert props["VpcConfig"]["SubnetIds"], role
        assert props["Layers"][0] == (
            f"{{{{resolve:ssm:/aws/service/powertools/python/arm64/{config.functions.python_runtime}/"
            f"{config.functions.powertools_version}}}}}"
        ), role
        assert props["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == "TLJ", role
    assert found["api"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "recommendation"
    assert set(found["api"]["Environment"]["Variables"]) >= {"RECOMMENDATIONS_TABLE", "CATALOG_TABLE"}


def test_the_runtime_is_the_newest_python_cdk_knows_so_cdk_nag_l1_accepts_it() -> None:
    from aws_cdk import aws_lambda as lambda_

    newest = max(
        (r for r in lambda_.Runtime.ALL if r.family == lambda_.RuntimeFamily.PYTHON),
        key=lambda r: tuple(int(p) for p in r.name.removeprefix("python").split(".")),
    )
    assert lambda_runtime(DEV.functions.python_runtime).name == newest.name
    with pytest.raises(ValueError, match="not a Python runtime"):
        lambda_runtime("nodejs22.x")


def test_the_powertools_layer_matches_the_powertools_the_tests_ran_with() -> None:
    assert DEV.functions.powertools_version == PROD.functions.powertools_version == version("aws-lambda-powertools")


def test_the_recommendations_table_is_stable_encrypted_recoverable_and_backed_up(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    table = resources(template, "AWS::DynamoDB::Table")["RecommendationsTable"]["Properties"]
    assert table["TableName"] == f"tlj-{config.name}-recommendations"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert table["SSESpecification"]["SSEType"] == "KMS"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert "DeletionProtectionEnabled" not in table  # TableProtection switches it on in prod (test_data.py)
    covered = {
        r["Fn::GetAtt"][0]
        for selection in resources(template, "AWS::Backup::BackupSelection").values()
        for r in selection["Properties"]["BackupSelection"]["Resources"]
    }
    assert ("RecommendationsTable" in covered) is (config.data.backup_retention_days is not None)


def test_the_indexer_may_only_update_the_statistics_and_the_api_only_read(dev: Template) -> None:
    policies = resources(dev, "AWS::IAM::Policy")
    by_role = {
        role["Ref"]: policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in policies.values()
        for role in policy["Properties"]["Roles"]
    }
    indexer_role = next(r for r in by_role if r.startswith("RecommendationIndexerFunctionRole"))
    api_role = next(r for r in by_role if r.startswith("RecommendationApiFunctionRole"))

    def actions_on(role: str, table_id: str) -> set[str]:
        return {
            action
            for statement in by_role[role]
            if table_id in str(statement["Resource"])
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        }

    assert actions_on(indexer_role, "RecommendationsTable") == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    }
    assert not {a for a in actions_on(api_role, "RecommendationsTable") if "Put" in a or "Update" in a}
    assert "dynamodb:Query" in actions_on(api_role, "CatalogTable") | actions_on(api_role, "RecommendationsTable")


def test_the_code_assets_hold_only_the_lambdas_package(assembly_dir: Path) -> None:
    # Each function has its own asset, its handler's import closure (tests/infrastructure/test_lambda_dependencies.py)
    api = {path.parents[2] for path in assembly_dir.glob("asset.*/lambdas/recommendation/handler.py")}
    indexer = {path.parents[2] for path in assembly_dir.glob("asset.*/lambdas/reco_indexer/handler.py")}
    assert api
    assert indexer
    assert not api & indexer
    for asset in api | indexer:
        assert sorted(p.name for p in asset.iterdir()) == ["lambdas"]
        assert not list(asset.rglob("__pycache__"))


def test_every_function_of_ours_may_reach_only_dynamodb_and_the_vpc_endpoints(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    groups = resources(template, "AWS::EC2::SecurityGroup")
    ours = [
        f["Properties"]
        for f in resources(template, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler", "").startswith("lambdas.")
    ]
    assert len(ours) == 4  # recommendation API, indexer, call-center lookup, Grafana provisioner
    for function in ours:
        (group_ref,) = function["VpcConfig"]["SecurityGroupIds"]
        group_id = group_ref["Fn::GetAtt"][0]
        # Rules inline in the group, and those CDK writes as separate resources (to a deploy-time prefix list id).
        egress = list(groups[group_id]["Properties"].get("SecurityGroupEgress", [])) + [
            rule["Properties"]
            for rule in resources(template, "AWS::EC2::SecurityGroupEgress").values()
            if rule["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
        ]
        assert {(r["FromPort"], r["ToPort"], r["IpProtocol"]) for r in egress} == {(443, 443, "tcp")}
        assert not any("CidrIp" in r for r in egress), "no 0.0.0.0/0 or other CIDR: a prefix list and a group only"
        (prefix_list,) = [r["DestinationPrefixListId"] for r in egress if "DestinationPrefixListId" in r]
        assert prefix_list["Fn::GetAtt"][1] == "PrefixLists.0.PrefixListId"
        (endpoints,) = [r["DestinationSecurityGroupId"] for r in egress if "DestinationSecurityGroupId" in r]
        assert endpoints["Fn::GetAtt"][0].startswith("NetworkEndpointSecurityGroup")


def test_the_dynamodb_prefix_list_is_looked_up_at_deploy_time_for_the_stacks_region(dev: Template) -> None:
    _, lookup = only(dev, "Custom::ManagedPrefixList")
    text = json.dumps(lookup["Properties"]["Create"]).replace("\\", "")
    assert '"action":"DescribeManagedPrefixLists"' in text
    assert "com.amazonaws.ap-northeast-2.dynamodb" in text
