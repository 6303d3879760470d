"""``python -m loadgen.upload -- locust ARGS...``: run the Locust master, then send its report to S3.

The master Job of ``k8s/loadtest`` runs this, so that the report leaves the cluster before the pod goes away. After
the command exits, every report file in ``--dir`` (``LOAD_DIR``): ``report.html``, ``stats_*.csv``, ``locust.json``,
``records.jsonl`` and a ``summary.json``, is put under ``s3://<LOAD_REPORT_BUCKET>/runs/<UTC time>-<LOAD_RUN_NAME>/``
with the pod's own credentials: EKS Pod Identity, found by the SDK's default chain (its container credential
provider; boto3/botocore 1.34.41 or later, EKS user guide "Use pod identity with the AWS SDK"). The bucket encrypts
by default (stacks/constructs/load_reports.py), so nothing here names a key.

``summary.json`` is the master's result (``locust.json``: profile, workers, users, requests, failures, p95 per
endpoint, thresholds) with ``reconciled: null``: in the cluster nothing reads the Orders table, so the orders are
not reconciled (``records.jsonl`` is uploaded for that). Exit status: the command's (Locust's: 0 when the thresholds
held, 1 when not), or 2 when the command could not start or the upload failed, since a run whose report is lost
proved nothing anyone can read.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from loadgen import summary

RUNS_PREFIX = "runs"
CONTENT_TYPES = {
    ".html": "text/html",
    ".csv": "text/csv",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
}
# Standard retry mode: exponential backoff with jitter on throttling and transient errors (botocore "Retries" guide).
RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})
NOT_RECONCILED = "not run in the cluster: the Orders table is not read there; records.jsonl holds what clients saw"

_log = logging.getLogger("loadgen.upload")


class ObjectStore(Protocol):
    def put_object(self, **kwargs: Any) -> Any: ...


def report_files(directory: Path) -> list[Path]:
    """The run's report files in ``directory``, in a stable order (the master's logs and anything else stay)."""
    names = ["report.html", summary.RESULT_FILE, summary.RECORDS_FILE, summary.SUMMARY_FILE]
    found = [directory / name for name in names if (directory / name).is_file()]
    return found + sorted(directory.glob("stats_*.csv"))


def cluster_summary(result: dict[str, Any]) -> dict[str, Any]:
    """The master's result as the run's summary, saying that the orders were not reconciled."""
    return {
        **result,
        "reconciled": None,
        "reconciliation": NOT_RECONCILED,
        "passed": bool(result.get("thresholds_passed")),
    }


def run_prefix(run_name: str, now: datetime) -> str:
    """``runs/<UTC time>-<run name>/``: sorted by time, one folder per run, under the prefix the role may write."""
    return f"{RUNS_PREFIX}/{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{run_name}/"


def upload(store: ObjectStore, *, bucket: str, prefix: str, files: Sequence[Path]) -> list[str]:
    """Puts each file under ``prefix``; returns the keys written."""
    keys = []
    for path in files:
        key = prefix + path.name
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        store.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
        keys.append(key)
    return keys


def main(argv: Sequence[str] | None = None, *, store: ObjectStore | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadgen.upload", description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", default=os.environ.get("LOAD_REPORT_BUCKET", ""), help="LOAD_REPORT_BUCKET")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("LOAD_DIR", ".run/load")), help="LOAD_DIR")
    parser.add_argument("--run-name", default=os.environ.get("LOAD_RUN_NAME") or socket.gethostname())
    parser.add_argument("command", nargs=argparse.REMAINDER, help="after --: the Locust command line")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    if not args.bucket:
        parser.error("no bucket: set LOAD_REPORT_BUCKET or --bucket")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = subprocess.run(command, check=False).returncode  # noqa: S603 - the Job's own argv, no shell
    except OSError as error:
        _log.error("could not run %s: %s", command[0], error)
        return 2
    result_path = args.dir / summary.RESULT_FILE
    if result_path.is_file():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        text = json.dumps(cluster_summary(result), indent=2, ensure_ascii=False)
        (args.dir / summary.SUMMARY_FILE).write_text(text, encoding="utf-8")
    files = report_files(args.dir)
    prefix = run_prefix(args.run_name, datetime.now(UTC))
    try:
        keys = upload(store or boto3.client("s3", config=RETRIES), bucket=args.bucket, prefix=prefix, files=files)
    except (BotoCoreError, ClientError, OSError) as error:
        _log.error("the report was not uploaded to s3://%s/%s: %s", args.bucket, prefix, error)
        return 2
    _log.info("uploaded %d files to s3://%s/%s (exit code %d)", len(keys), args.bucket, prefix, code)
    return code


if __name__ == "__main__":
    sys.exit(main())
