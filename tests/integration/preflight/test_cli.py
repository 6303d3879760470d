"""``python -m stacks.preflight`` as an operator runs it: a subprocess against a real moto server (AWS_ENDPOINT_URL),
and without any credentials at all."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from stacks.preflight.checks import CHECKS
from tests.integration.preflight.templates import BOOTSTRAP, function, resource, template, write_assembly

ROOT = Path(__file__).resolve().parents[3]
PROD = template(
    resource("CustomersTable", "AWS::DynamoDB::Table", TableName="tlj-prod-customers"),
    resource("CallCenterInstance", "AWS::Connect::Instance", InstanceAlias="tlj-prod-bakery-calls"),
    resource("Subnet", "AWS::EC2::Subnet", AvailabilityZone="ap-northeast-2a"),
    function("Api", "tlj-prod-recommendation-api", 50),
    **BOOTSTRAP,
)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def base_env(home: Path) -> dict[str, str]:
    """No AWS_* from the caller, no config files, no instance metadata: only what each test adds."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def preflight(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stacks.preflight", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def moto_env(home: Path, url: str) -> dict[str, str]:
    return base_env(home) | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": url,
    }


def test_given_a_moto_server_with_a_colliding_table_when_run_with_json_then_the_checks_say_what_fails(
    tmp_path: Path, moto_url: str
) -> None:
    aws = {"endpoint_url": moto_url, "region_name": "ap-northeast-2"} | {
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # fmt: skip
    boto3.client("dynamodb", **aws).create_table(
        TableName="tlj-prod-customers",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
    )
    boto3.client("ssm", **aws).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="21", Type="String")
    cdk_out = write_assembly(tmp_path / "cdk.out", "ProdStack", PROD)

    done = preflight(moto_env(tmp_path, moto_url), "--env", "prod", "--json", "--cdk-out", str(cdk_out))

    assert done.returncode == 1, done.stderr
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert list(checks) == [check.__name__ for check in CHECKS]
    assert all(set(c) == {"name", "ok", "detail"} for c in checks.values())
    assert checks["name_collisions"]["ok"] is False
    assert "DynamoDB table tlj-prod-customers" in checks["name_collisions"]["detail"]
    for passing in ("credentials", "cdk_bootstrap", "stack_state", "connect_alias", "availability_zones"):
        assert checks[passing]["ok"] is True, checks[passing]
    assert "Traceback" not in done.stderr


def test_given_a_moto_server_when_run_without_json_then_a_table_shows_each_check(tmp_path: Path, moto_url: str) -> None:
    cdk_out = write_assembly(tmp_path / "cdk.out", "DevStack", template(function("Api", "tlj-dev-api")))
    done = preflight(moto_env(tmp_path, moto_url), "--env", "dev", "--cdk-out", str(cdk_out))
    lines = done.stdout.splitlines()
    assert lines[0] == "Preflight of DevStack in account 123456789012, region ap-northeast-2"
    assert any(line.startswith("stack_state") and " OK " in line for line in lines)
    # moto has no lambda:GetAccountSettings: that check fails, with the reason, and the exit code says so.
    assert any(line.startswith("lambda_concurrency") and " FAIL " in line and "HTTP 404" in line for line in lines)
    assert lines[-1].endswith("checks failed: fix them before `cdk deploy DevStack`.")
    assert done.returncode == 1


def test_given_no_credentials_at_all_then_it_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    cdk_out = write_assembly(tmp_path / "cdk.out", "DevStack", template())
    done = preflight(base_env(tmp_path), "--env", "dev", "--cdk-out", str(cdk_out))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("preflight: no AWS credentials found")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_given_an_unreachable_endpoint_then_it_exits_2_without_a_traceback(tmp_path: Path) -> None:
    cdk_out = write_assembly(tmp_path / "cdk.out", "DevStack", template())
    done = preflight(moto_env(tmp_path, "http://127.0.0.1:9"), "--env", "dev", "--cdk-out", str(cdk_out))
    assert done.returncode == 2
    assert done.stderr.startswith("preflight: cannot reach AWS at http://127.0.0.1:9")
    assert "Traceback" not in done.stderr


def test_given_no_synthesized_template_then_it_exits_2_and_says_to_run_make_synth(tmp_path: Path) -> None:
    done = preflight(base_env(tmp_path), "--env", "prod", "--cdk-out", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert "ProdStack.template.json not found: synthesize first with `make synth`" in done.stderr
    assert "Traceback" not in done.stderr
