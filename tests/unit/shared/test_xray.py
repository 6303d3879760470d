"""The X-Ray provider: subsegments as UDP datagrams to the daemon, nested, with AWS calls, and nothing when untraced."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing import tracer as powertools_tracer
from botocore.stub import Stubber

from lambdas.shared.xray import HEADER, XRayDaemonProvider, trace_client

ROOT, PARENT = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"


@pytest.fixture
def daemon(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A UDP socket standing in for the Lambda X-Ray daemon, and a sampled invocation inside Lambda."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(2)
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT};Parent={PARENT};Sampled=1")
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    yield listener
    listener.close()


@pytest.fixture(autouse=True)
def tracer_config() -> Iterator[None]:
    """Powertools keeps the last Tracer's settings on the class: give them back after each test."""
    saved = dict(Tracer._config)
    yield
    Tracer._config = saved


def received(listener: socket.socket, count: int) -> list[dict[str, Any]]:
    documents = []
    for _ in range(count):
        datagram = listener.recv(65536)
        assert datagram.startswith(HEADER)
        documents.append(json.loads(datagram[len(HEADER) :]))
    return documents


def test_the_handler_and_a_call_in_a_worker_thread_are_sent_as_nested_subsegments(
    daemon: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ColdStart is Powertools' process-wide flag, cleared by the first traced invocation of any earlier test
    monkeypatch.setattr(powertools_tracer, "is_cold_start", True)
    provider = XRayDaemonProvider()
    tracer = Tracer(service="probe", provider=provider, auto_patch=False, disabled=False)

    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: object, context: object) -> str:
        worker = threading.Thread(target=lambda: provider.end(provider.begin("lookup")))
        worker.start()
        worker.join()
        return "ok"

    assert handler({}, None) == "ok"
    lookup, outer = received(daemon, 2)
    assert (outer["name"], outer["trace_id"], outer["parent_id"], outer["type"]) == (
        "## handler",
        ROOT,
        PARENT,
        "subsegment",
    )
    assert outer["annotations"] == {"ColdStart": True, "Service": "probe"}
    assert (lookup["name"], lookup["parent_id"]) == ("lookup", outer["id"])
    assert outer["start_time"] <= lookup["start_time"] <= lookup["end_time"] <= outer["end_time"]


def test_an_aws_call_is_a_subsegment_with_its_operation_table_and_status(daemon: socket.socket) -> None:
    provider = XRayDaemonProvider()
    client = trace_client(
        boto3.client("dynamodb", region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x"),
        provider,
    )
    with Stubber(client) as stub:
        stub.add_response("query", {"Items": [], "ResponseMetadata": {"RequestId": "r-1", "RetryAttempts": 0}})
        stub.add_client_error(
            "query", service_error_code="ProvisionedThroughputExceededException", http_status_code=400
        )
        with provider.in_subsegment("## handler"):
            client.query(TableName="tlj-orders", KeyConditionExpression="phone = :p")
            with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
                client.query(TableName="tlj-orders", KeyConditionExpression="phone = :p")
    ok, throttled, outer = received(daemon, 3)
    assert (ok["namespace"], ok["name"], ok["parent_id"]) == ("aws", "DynamoDB", outer["id"])
    assert ok["aws"] == {"operation": "Query", "region": "ap-northeast-2", "table_name": "tlj-orders",
                         "request_id": "r-1", "retries": 0}  # fmt: skip
    assert ok["http"] == {"response": {"status": 200}}
    assert (throttled["http"], throttled.get("error")) == ({"response": {"status": 400}}, True)


@pytest.mark.parametrize(
    "env",
    [
        {"_X_AMZN_TRACE_ID": f"Root={ROOT};Parent={PARENT};Sampled=0"},
        {"POWERTOOLS_TRACE_DISABLED": "true"},
        {"POWERTOOLS_TRACE_DISABLED": "t"},
    ],
)
def test_an_unsampled_or_disabled_invocation_sends_nothing(
    daemon: socket.socket, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    provider = XRayDaemonProvider()
    with provider.in_subsegment("## handler") as segment:
        segment.put_annotation("k", "v")
    daemon.settimeout(0.2)
    with pytest.raises(TimeoutError):
        daemon.recv(65536)


def test_an_exception_is_recorded_as_a_fault_and_raised(daemon: socket.socket) -> None:
    provider = XRayDaemonProvider()
    with pytest.raises(ValueError, match="boom"), provider.in_subsegment("## handler"):
        raise ValueError("boom")
    (document,) = received(daemon, 1)
    assert document["fault"] is True
    assert document["cause"]["exceptions"][0]["type"] == "ValueError"
