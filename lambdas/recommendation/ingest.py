"""Load order history into the recommender's statistics, through the same update code as the Orders-stream indexer.

    python -m lambdas.recommendation.ingest --transactions FILE.csv [--table NAME] [--batch-size 10000]

CSV columns ``order_id,sku,timestamp`` (see ``transactions``). Each order's contribution is computed by the
indexer's code (``stats.contribution``); a batch of orders is summed into one change (fewer, larger ADDs) and
loaded under a scope derived from the file's content, so running the same file twice counts it once. The table
defaults to ``RECOMMENDATIONS_TABLE``, else the local platform's ``tlj-local-recommendations``. A local platform
table (``tlj-local-*``) is always reached in the emulator (``AWS_ENDPOINT_URL``, else the running platform's
``AWS_PORT``, default 4566) with fake credentials; any other table goes where boto3's own configuration points.
Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import EndpointConnectionError

from lambdas.recommendation.models import Change, Deltas
from lambdas.recommendation.repository import DynamoStatsStore, StatsStore
from lambdas.recommendation.stats import contribution, merge
from lambdas.recommendation.transactions import History, read_history

DEFAULT_BATCH = 10_000
LOCAL_TABLE_PREFIX = "tlj-local-"  # local.settings.TABLE_PREFIX; such tables exist only in the local emulator


@dataclass(frozen=True, kw_only=True)
class Target:
    table: str
    endpoint_url: str | None  # the local emulator; None: boto3's own configuration (the cloud)


def target(table: str | None, environ: Mapping[str, str]) -> Target:
    """``--table``, else ``RECOMMENDATIONS_TABLE``, else the local platform's table; local tables in the emulator."""
    from local.components import table_names  # the local platform's names, from the shared table specs
    from local.settings import LocalSettings

    name = table or environ.get("RECOMMENDATIONS_TABLE") or table_names()["recommendations"]
    if not name.startswith(LOCAL_TABLE_PREFIX):
        return Target(table=name, endpoint_url=None)
    endpoint = environ.get("AWS_ENDPOINT_URL_DYNAMODB") or environ.get("AWS_ENDPOINT_URL")
    return Target(table=name, endpoint_url=endpoint or LocalSettings().aws_url)


def history_changes(history: History, batch_size: int = DEFAULT_BATCH) -> Iterator[Change]:
    """One change per ``batch_size`` orders: the sum of their contributions."""
    for index, start in enumerate(range(0, len(history.orders), batch_size)):
        deltas: Deltas = {}
        for _, basket in history.orders[start : start + batch_size]:
            merge(deltas, contribution(basket))
        yield Change(scope=f"ingest#{history.digest}#{index:05d}", sign=1, deltas=deltas)


def ingest(store: StatsStore, history: History, batch_size: int = DEFAULT_BATCH) -> dict[str, Any]:
    started = time.perf_counter()
    changes = list(history_changes(history, batch_size))
    applied = sum(1 for change in changes if store.load(change))
    return {
        "orders": len(history.orders),
        "rows": history.rows,
        "skipped_rows": history.skipped_rows,
        "batches": len(changes),
        "applied_batches": applied,
        "already_loaded_batches": len(changes) - applied,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=Path, required=True)
    parser.add_argument("--table", help="default: RECOMMENDATIONS_TABLE, else tlj-local-recommendations")
    parser.add_argument("--timezone", default=os.environ.get("STORE_TIMEZONE", "Asia/Seoul"))
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    args = parser.parse_args(argv)
    where = target(args.table, os.environ)
    history = read_history(args.transactions, args.timezone)
    try:
        summary = ingest(DynamoStatsStore(_client(where), where.table), history, args.batch_size)
    except EndpointConnectionError:
        print(f"error: no local platform at {where.endpoint_url} (start it with make up)", file=sys.stderr)  # noqa: T201
        return 2
    print(json.dumps({"table": where.table, **summary}))  # noqa: T201 - a CLI's output
    return 0


def _client(where: Target) -> Any:
    if where.endpoint_url is None:
        from lambdas.shared.dynamodb import client  # boto3 only for the DynamoDB run, not for --help

        return client()
    from local.bootstrap import dynamodb_client  # fake credentials: a local table never reaches real AWS

    return dynamodb_client(where.endpoint_url)


if __name__ == "__main__":
    sys.exit(main())
