"""The load test's reports leave the cluster: an encrypted, private, TLS-only, expiring bucket with access logs, a
Pod Identity role for loadtest/loadgen that may only put objects under runs/, and ``loadgen.upload``, which the
master Job runs (against moto's S3 here, as the role would use the real one).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Template
from moto import mock_aws

from k8s.manifests import render
from loadgen import upload
from stacks.config import EnvironmentConfig
from stacks.constructs.load_reports import RUNS_PREFIX as ROLE_PREFIX
from tests.infrastructure.conftest import resources
from tests.infrastructure.iam import allowed, inline_policies, role_id, statements, trust

REPORTS = "LoadReportsBucket"
ACCESS_LOGS = "LoadReportsAccessLogsBucket"
DATA_KEY = json.dumps({"Fn::GetAtt": ["EncryptionDataKey4CB32E29", "Arn"]})


def bucket(template: Template, logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = resources(template, "AWS::S3::Bucket")[logical_id]
    return found


def bucket_policy(template: Template, logical_id: str) -> list[dict[str, Any]]:
    (policy,) = [
        p
        for p in resources(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": logical_id}
    ]
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


# --- the buckets ---------------------------------------------------------------------------------------------------


def test_given_an_environment_then_reports_are_encrypted_with_the_data_key_and_access_logs_with_s3_keys(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    (rule,) = bucket(template, REPORTS)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert json.dumps(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]) == DATA_KEY
    assert rule["BucketKeyEnabled"] is True
    (logs,) = bucket(template, ACCESS_LOGS)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert logs["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


@pytest.mark.parametrize("logical_id", [REPORTS, ACCESS_LOGS])
def test_given_either_bucket_then_it_is_private_tls_only_acl_free_and_expires_what_it_holds(
    env_template: tuple[EnvironmentConfig, Template], logical_id: str
) -> None:
    _, template = env_template
    props = bucket(template, logical_id)["Properties"]
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (deny,) = [s for s in bucket_policy(template, logical_id) if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*"
    assert deny["Principal"] == {"AWS": "*"}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert 0 < rule["ExpirationInDays"] <= 365
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 1


def test_given_the_report_bucket_then_its_requests_are_logged_to_the_access_log_bucket_by_s3_only(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    logging = bucket(template, REPORTS)["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": ACCESS_LOGS}
    (delivery,) = [
        s for s in bucket_policy(template, ACCESS_LOGS) if s.get("Principal") == {"Service": "logging.s3.amazonaws.com"}
    ]
    assert delivery["Action"] == "s3:PutObject"
    assert logging["LogFilePrefix"] in json.dumps(delivery["Resource"])
    assert delivery["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": [REPORTS, "Arn"]}}
    assert "AccessControl" not in bucket(template, ACCESS_LOGS)["Properties"]


def test_given_dev_and_prod_then_only_prod_keeps_the_reports_when_the_stack_goes(dev: Template, prod: Template) -> None:
    for logical_id in (REPORTS, ACCESS_LOGS):
        assert bucket(dev, logical_id)["DeletionPolicy"] == "Delete"
        assert bucket(prod, logical_id)["DeletionPolicy"] == "RetainExceptOnCreate"
        assert bucket(prod, logical_id)["UpdateReplacePolicy"] == "Retain"
    auto_delete = {r["Properties"]["BucketName"]["Ref"] for r in resources(dev, "Custom::S3AutoDeleteObjects").values()}
    assert auto_delete == {REPORTS, ACCESS_LOGS}
    assert not resources(prod, "Custom::S3AutoDeleteObjects")


def test_given_an_environment_then_the_overlay_names_the_bucket_the_stack_creates_and_outputs(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    name = bucket(template, REPORTS)["Properties"]["BucketName"]
    assert name == {
        "Fn::Join": ["", [f"{config.prefix}-load-reports-", {"Ref": "AWS::AccountId"}, f"-{config.region}"]]
    }
    assert template.to_json()["Outputs"]["LoadReportsBucketName"]["Value"] == {"Ref": REPORTS}
    (settings,) = [
        d for d in render(f"loadtest/overlays/{config.name}") if d["metadata"]["name"].startswith("loadgen-settings")
    ]
    # The overlay carries the placeholder account until the first deploy, like its image (README).
    assert settings["data"]["reportBucket"] == f"{config.prefix}-load-reports-111122223333-{config.region}"
    assert settings["data"]["awsRegion"] == config.region


# --- the writer role -----------------------------------------------------------------------------------------------


def test_given_the_loadgen_role_then_only_loadtest_loadgen_pods_assume_it_and_it_may_only_put_under_runs(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    role_name = config.role_name("loadgen")
    (statement,) = trust(template, role_name)
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"] == "loadtest"
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "loadgen"
    runs = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [REPORTS, "Arn"]}, "/runs/*"]]})
    assert allowed(template, role_name) == {"s3:PutObject": {runs}, "kms:GenerateDataKey": {DATA_KEY}}
    (kms,) = [s for s in statements(template, role_name) if s["Action"] == "kms:GenerateDataKey"]
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{config.region}.amazonaws.com"}}
    assert inline_policies(template, role_name) == []
    association = [
        a["Properties"]
        for a in resources(template, "AWS::EKS::PodIdentityAssociation").values()
        if a["Properties"]["Namespace"] == "loadtest"
    ]
    assert [(a["ServiceAccount"], a["RoleArn"]["Fn::GetAtt"][0]) for a in association] == [
        ("loadgen", role_id(template, role_name))
    ]
    assert "LoadgenRoleArn" in template.to_json()["Outputs"]


def test_given_the_master_job_then_it_runs_as_the_service_account_the_role_trusts(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, _ = env_template
    (job,) = [d for d in render(f"loadtest/overlays/{config.name}") if d["kind"] == "Job"]
    assert job["metadata"]["namespace"] == "loadtest"
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "loadgen"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"][:3] == ["python", "-m", "loadgen.upload"]


# --- loadgen.upload: run the master, then put the report under runs/ -----------------------------------------------

BUCKET = "tlj-test-load-reports"
RESULT = {"profile": "smoke", "workers": 2, "requests": 10, "failures": 0, "thresholds_passed": False}


def fake_locust(directory: Path, code: int) -> list[str]:
    """A command that writes what Locust's master writes, then exits with ``code``."""
    script = (
        "import json, pathlib, sys; d = pathlib.Path(sys.argv[1]); d.mkdir(parents=True, exist_ok=True); "
        "(d / 'report.html').write_text('<html></html>'); (d / 'stats_stats.csv').write_text('Name\\n'); "
        "(d / 'records.jsonl').write_text(''); (d / 'master.log').write_text('log'); "
        f"(d / 'locust.json').write_text(json.dumps({RESULT!r})); sys.exit({code})"
    )
    return ["--", sys.executable, "-c", script, str(directory)]


@pytest.fixture
def s3() -> Any:
    with mock_aws():
        client = boto3.client("s3", region_name="ap-northeast-2")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
        yield client


def test_given_a_finished_run_when_uploaded_then_the_report_is_under_runs_and_the_exit_code_is_locusts(
    s3: Any, tmp_path: Path
) -> None:
    # Given a Locust master that writes its report and fails its thresholds (exit 1)
    argv = ["--bucket", BUCKET, "--dir", str(tmp_path), "--run-name", "loadgen-master-x7k2p", *fake_locust(tmp_path, 1)]
    # When loadgen.upload runs it
    code = upload.main(argv, store=s3)
    # Then its exit code is Locust's, and every report file (not the logs) is under runs/<time>-<pod>/
    assert code == 1
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert {key.rsplit("/", 1)[1] for key in keys} == {
        "report.html",
        "stats_stats.csv",
        "records.jsonl",
        "locust.json",
        "summary.json",
    }
    assert all(key.startswith("runs/") and key.split("/")[1].endswith("Z-loadgen-master-x7k2p") for key in keys)
    (summary_key,) = [key for key in keys if key.endswith("summary.json")]
    summary = json.loads(s3.get_object(Bucket=BUCKET, Key=summary_key)["Body"].read())
    # And the summary says the thresholds failed and that the orders were not reconciled in the cluster
    assert summary["reconciled"] is None
    assert summary["passed"] is False
    assert summary["requests"] == 10
    (report_key,) = [key for key in keys if key.endswith("report.html")]
    assert s3.head_object(Bucket=BUCKET, Key=report_key)["ContentType"] == "text/html"


def test_given_a_bucket_that_refuses_the_upload_then_the_run_fails_even_when_locust_passed(
    s3: Any, tmp_path: Path
) -> None:
    argv = ["--bucket", "no-such-bucket", "--dir", str(tmp_path), *fake_locust(tmp_path, 0)]
    assert upload.main(argv, store=s3) == 2


def test_given_no_bucket_then_nothing_is_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOAD_REPORT_BUCKET", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        upload.main(["--dir", str(tmp_path), *fake_locust(tmp_path, 0)])
    assert exit_info.value.code == 2
    assert not (tmp_path / "locust.json").exists()


def test_given_a_run_then_its_folder_sorts_by_time_under_the_prefix_the_role_may_write() -> None:
    prefix = upload.run_prefix("pod", datetime(2026, 12, 1, 21, 0, 5, tzinfo=timezone(timedelta(hours=9))))
    assert prefix == "runs/20261201T120005Z-pod/"
    assert prefix.startswith(ROLE_PREFIX)
