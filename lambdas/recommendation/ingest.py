"""Load order history into the recommender's statistics, through the same update code as the Orders-stream indexer.

    python -m lambdas.recommendation.ingest --transactions FILE.csv [--table NAME] [--batch-size 10000]

CSV columns ``order_id,sku,timestamp`` (see ``transactions``). Each order's contribution is computed by the
indexer's code (``stats.contribution``); a batch of orders is summed into one change (fewer, larger ADDs) and
loaded under a scope derived from the file's content, so running the same file twice counts it once. The table
defaults to ``RECOMMENDATIONS_TABLE``; ``AWS_ENDPOINT_URL`` points boto3 at the local emulator. Prints a JSON
summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lambdas.recommendation.models import Change, Deltas
from lambdas.recommendation.repository import DynamoStatsStore, StatsStore
from lambdas.recommendation.stats import contribution, merge
from lambdas.recommendation.transactions import History, read_history

DEFAULT_BATCH = 10_000


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
    parser.add_argument("--table", default=os.environ.get("RECOMMENDATIONS_TABLE"))
    parser.add_argument("--timezone", default=os.environ.get("STORE_TIMEZONE", "Asia/Seoul"))
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    args = parser.parse_args(argv)
    if not args.table:
        parser.error("--table or RECOMMENDATIONS_TABLE is required")
    from lambdas.shared.dynamodb import client  # boto3 only for the DynamoDB run, not for --help

    history = read_history(args.transactions, args.timezone)
    summary = ingest(DynamoStatsStore(client(), args.table), history, args.batch_size)
    print(json.dumps({"table": args.table, **summary}))  # noqa: T201 - a CLI's output
    return 0


if __name__ == "__main__":
    sys.exit(main())
