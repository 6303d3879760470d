"""The laptop's stand-ins for API Gateway and the stream event source, and their place in ``make up``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local.components import build_components
from local.health import is_healthy, wait_healthy
from local.processes import free_ports
from local.reco_api import make_server, proxy_event
from local.settings import LocalSettings
from local.stream_poller import StreamPoller


def test_a_request_becomes_an_api_gateway_rest_proxy_event() -> None:
    event = proxy_event("GET", "/recommendations?items=A%2CB&k=3&k=4", {"x-request-id": "r1"}, b"", "10.0.0.1")
    assert event["resource"] == "/recommendations"
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"items": "A,B", "k": "4"}
    assert event["multiValueQueryStringParameters"] == {"items": ["A,B"], "k": ["3", "4"]}
    assert event["requestContext"]["identity"]["sourceIp"] == "10.0.0.1"
    assert event["requestContext"]["stage"] == "v1"
    assert event["body"] is None


@pytest.fixture
def adapter() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        assert context.get_remaining_time_in_millis() > 0
        return {"statusCode": 418, "headers": {"Content-Type": "application/json"}, "body": json.dumps({"ok": 1})}

    (port,) = free_ports(1)
    server = make_server(port, lambda_handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_adapter_passes_requests_to_the_handler_and_its_answer_back(
    adapter: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = adapter
    with httpx.Client(trust_env=False) as client:
        health = client.get(f"{url}/healthz")
        answer = client.get(f"{url}/recommendations", params={"customer_id": "c1"})
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (answer.status_code, answer.json()) == (418, {"ok": 1})
    assert answer.headers["content-type"] == "application/json"
    assert [e["queryStringParameters"] for e in seen] == [{"customer_id": "c1"}]  # /healthz never reaches it


def test_make_up_runs_the_recommendation_api_and_the_stream_poller(tmp_path: Path) -> None:
    settings = LocalSettings(aws_port=14566, login_port=18080, order_port=18081, reco_port=18082, run_dir=tmp_path)
    components = {c.name: c for c in build_components(settings)}
    reco, indexer = components["reco"], components["indexer"]
    assert reco.command[1:] == ("-m", "local.reco_api", "--port", "18082")
    assert (reco.port, reco.health_url) == (18082, "http://127.0.0.1:18082/healthz")
    assert indexer.command[1:3] == ("-m", "local.stream_poller")
    assert indexer.port is None
    assert indexer.health_url == (tmp_path / "indexer.ready").as_uri()
    for component in (reco, indexer):
        assert component.kind == "service"
        assert component.env["RECOMMENDATIONS_TABLE"] == "tlj-local-recommendations"
        assert component.env["CATALOG_TABLE"] == "tlj-local-catalog"
        assert component.env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:14566"
    assert components["login"].env["RECOMMENDATION_API_URL"] == "http://127.0.0.1:18082"


def test_a_portless_worker_is_healthy_once_its_ready_file_exists(tmp_path: Path) -> None:
    ready = tmp_path / "indexer.ready"
    with httpx.Client() as client:
        assert not is_healthy(client, ready.as_uri())
        ready.write_text("1")
        assert is_healthy(client, ready.as_uri())
    wait_healthy({"indexer": ready.as_uri()}, alive=lambda _: True, deadline=0.0)  # returns at once


class FakeStreams:
    """describe_stream / get_shard_iterator / get_records over a fixed list of records, as DynamoDB Streams does."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"LatestStreamArn": "arn:stream"}}

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        after = int(kwargs.get("SequenceNumber", 0))
        return {"ShardIterator": str(after)}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        after = int(ShardIterator)
        return {"Records": [r for r in self.records if int(r["dynamodb"]["SequenceNumber"]) > after][:Limit]}


def record(sequence: int) -> dict[str, Any]:
    return {"eventID": str(sequence), "eventName": "INSERT", "dynamodb": {"SequenceNumber": str(sequence)}}


def test_the_poller_checkpoints_successes_retries_failures_then_gives_up_on_a_poison_record(tmp_path: Path) -> None:
    # Given three stream records, the second of which the indexer always reports as failed
    streams = FakeStreams([record(1), record(2), record(3)])
    batches: list[list[str]] = []

    def indexer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        batches.append(sequences)
        assert all(r["eventSourceARN"] == "arn:stream" for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": "2"}] if "2" in sequences else []}

    poller = StreamPoller(
        dynamodb=streams,
        streams=streams,
        table="orders",
        handler=indexer,
        checkpoint=tmp_path / "checkpoint.json",
        failures=tmp_path / "failures.jsonl",
        max_attempts=3,
    )
    # When it polls four times
    for _ in range(4):
        poller.poll_once()
    # Then record 1 is delivered once, record 2 three times (then set aside), record 3 after it, once more
    assert batches == [["1", "2", "3"], ["2", "3"], ["2", "3"], ["3"]]
    assert [json.loads(line)["eventID"] for line in (tmp_path / "failures.jsonl").read_text().splitlines()] == ["2"]
    assert json.loads((tmp_path / "checkpoint.json").read_text()) == {"arn:stream|shard-1": "3"}
    # And a new poller resumes after the checkpoint
    assert (
        StreamPoller(
            dynamodb=streams,
            streams=streams,
            table="orders",
            handler=indexer,
            checkpoint=tmp_path / "checkpoint.json",
            failures=tmp_path / "failures.jsonl",
        ).poll_once()
        == 0
    )
