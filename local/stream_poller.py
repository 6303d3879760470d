"""The Orders-stream event source on the laptop: polls the emulator's DynamoDB Streams and feeds the indexer.

    python -m local.stream_poller --ready-file .run/indexer.ready [--checkpoint .run/indexer.checkpoint.json]

It does what Lambda's event source mapping does in the cloud, with the same event shape: read each shard from
its checkpoint (or the trim horizon), call ``lambdas.reco_indexer.handler.handler`` with up to ``--batch-size``
records, and move the checkpoint past what succeeded. A reported ``batchItemFailures`` entry makes the next poll
resume at that record; after ``--max-attempts`` it is written to ``--failures`` (the on-failure destination)
and skipped. The ready file appears after the first successful poll, which is how ``make up`` knows it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local.bootstrap import session

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
# Local only: the emulator serves streams on its own endpoint, not on account-based ones.
CLIENT_CONFIG = Config(account_id_endpoint_mode="disabled", retries={"mode": "standard", "max_attempts": 3})


@dataclass
class IndexerContext:
    function_name: str = "reco-indexer-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:000000000000:function:reco-indexer-local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class StreamPoller:
    """Polls every shard of the table's latest stream; ``poll_once`` returns how many records it handed over."""

    def __init__(
        self,
        *,
        dynamodb: Any,
        streams: Any,
        table: str,
        handler: Handler,
        checkpoint: Path,
        failures: Path,
        batch_size: int = 100,
        max_attempts: int = 3,
    ) -> None:
        self._dynamodb, self._streams, self._table, self._handler = dynamodb, streams, table, handler
        self._checkpoint_path, self._failures_path = checkpoint, failures
        self._batch_size, self._max_attempts = batch_size, max_attempts
        self._checkpoints: dict[str, str] = _read_json(checkpoint)
        self._attempts: dict[str, int] = {}

    def poll_once(self) -> int:
        stream_arn = self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"]
        handed = 0
        for shard_id in self._shards(stream_arn):
            handed += self._poll_shard(stream_arn, shard_id)
        return handed

    def _shards(self, stream_arn: str) -> list[str]:
        shards, start = [], None
        while True:
            kwargs = {"StreamArn": stream_arn, **({"ExclusiveStartShardId": start} if start else {})}
            description = self._streams.describe_stream(**kwargs)["StreamDescription"]
            shards += [shard["ShardId"] for shard in description.get("Shards", [])]
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _poll_shard(self, stream_arn: str, shard_id: str) -> int:
        key = f"{stream_arn}|{shard_id}"
        after = self._checkpoints.get(key)
        position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else {}
        iterator = self._streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard_id, **(position or {"ShardIteratorType": "TRIM_HORIZON"})
        )["ShardIterator"]
        records = self._streams.get_records(ShardIterator=iterator, Limit=self._batch_size).get("Records", [])
        if not records:
            return 0
        event = {"Records": [_lambda_record(record, stream_arn) for record in records]}
        try:
            response = self._handler(event, IndexerContext()) or {}
            failed = [item["itemIdentifier"] for item in response.get("batchItemFailures", [])]
        except Exception as error:  # noqa: BLE001 - as in Lambda, any error of the function fails the batch
            print(f"indexer failed on the batch: {error!r}", file=sys.stderr, flush=True)
            failed = [records[0]["dynamodb"]["SequenceNumber"]]
        done = records
        if failed:
            first = min(failed, key=int)
            done = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) < int(first)]
            self._attempts[first] = self._attempts.get(first, 0) + 1
            if self._attempts[first] >= self._max_attempts:  # give up on it, as the on-failure destination would
                poison = next(r for r in records if r["dynamodb"]["SequenceNumber"] == first)
                self._record_failure(poison, stream_arn)
                done = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) <= int(first)]
        if done:
            self._checkpoints[key] = done[-1]["dynamodb"]["SequenceNumber"]
            _write_json(self._checkpoint_path, self._checkpoints)
        return len(records)

    def _record_failure(self, record: dict[str, Any], stream_arn: str) -> None:
        self._failures_path.parent.mkdir(parents=True, exist_ok=True)
        with self._failures_path.open("a", encoding="utf-8") as sink:
            sink.write(json.dumps(_lambda_record(record, stream_arn), default=str) + "\n")


def _lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda delivers: eventSourceARN added, times as epoch seconds."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": stream, "eventSourceARN": stream_arn}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run_dir = Path(os.environ.get("TLJ_RUN_DIR", ".run"))
    parser.add_argument("--table", default=os.environ.get("ORDERS_TABLE", "tlj-local-orders"))
    parser.add_argument("--ready-file", type=Path, default=run_dir / "indexer.ready")
    parser.add_argument("--checkpoint", type=Path, default=run_dir / "indexer.checkpoint.json")
    parser.add_argument("--failures", type=Path, default=run_dir / "indexer.failures.jsonl")
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)
    from lambdas.reco_indexer.handler import handler  # after argument parsing: --help needs no AWS settings

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    aws = session()
    poller = StreamPoller(
        dynamodb=aws.client("dynamodb", endpoint_url=endpoint, config=CLIENT_CONFIG),
        streams=aws.client("dynamodbstreams", endpoint_url=endpoint, config=CLIENT_CONFIG),
        table=args.table,
        handler=handler,
        checkpoint=args.checkpoint,
        failures=args.failures,
        batch_size=args.batch_size,
    )
    args.ready_file.unlink(missing_ok=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        args.ready_file.unlink(missing_ok=True)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            handed = poller.poll_once()
        except (BotoCoreError, ClientError) as error:  # the emulator restarting: try again shortly
            print(f"stream poll failed: {error}", file=sys.stderr, flush=True)
            time.sleep(args.interval)
            continue
        if not args.ready_file.exists():
            args.ready_file.write_text(str(os.getpid()), encoding="utf-8")
            print(f"polling the stream of {args.table}", flush=True)
        if not handed:
            time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
