"""``ingest`` loads history through the indexer's update code; a second run of the same file counts nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdas.recommendation import datagen, ingest
from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.repository import DynamoStatsStore, PartialLoadError
from lambdas.recommendation.transactions import read_history
from tests.integration.recommendation.conftest import table


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    datagen.main(["--orders", "1200", "--seed", "21", "--out", str(path)])
    return path


def test_ingest_counts_every_order_once_and_a_rerun_is_a_no_op(
    aws: Any, history_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When the file is ingested twice into DynamoDB, in batches of 500 orders
    table_name = table("recommendations")
    assert ingest.main(["--transactions", str(history_file), "--table", table_name, "--batch-size", "500"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert ingest.main(["--transactions", str(history_file), "--batch-size", "500"]) == 0  # table from the env
    second = json.loads(capsys.readouterr().out)
    # Then the first run applied every batch and the second none
    assert first["orders"] == 1200
    assert first["applied_batches"] == first["batches"] == 3
    assert (second["applied_batches"], second["already_loaded_batches"]) == (0, 3)
    # And the statistics equal those of the same history applied to the in-memory store
    memory = MemoryStatsStore()
    ingest.ingest(memory, read_history(history_file, "Asia/Seoul"))
    dynamo = DynamoStatsStore(aws, table("recommendations"))
    partitions = ["ITEM", "TOTAL", "PAIR#DRK-001", "PAIR#CKE-001"]
    assert dynamo.read(partitions) == {p: dict(v) for p, v in memory.read(partitions).items()}
    assert dynamo.read(["TOTAL"])["TOTAL"]["#ORDERS"]["n"] == 1200


def test_a_batch_interrupted_half_way_is_refused_rather_than_counted_twice(aws: Any, history_file: Path) -> None:
    # Given a first run that stopped inside its only batch (its claim is there, not its completion)
    history = read_history(history_file, "Asia/Seoul")
    (batch,) = ingest.history_changes(history)
    aws.put_item(
        TableName=table("recommendations"),
        Item={"pk": {"S": f"APPLIED#{batch.scope}"}, "sk": {"S": "load"}, "state": {"S": "loading"}},
    )
    # When it is ingested again
    with pytest.raises(PartialLoadError):
        ingest.ingest(DynamoStatsStore(aws, table("recommendations")), history)
    # Then nothing was added on top of the partial counts
    assert DynamoStatsStore(aws, table("recommendations")).read(["TOTAL"])["TOTAL"] == {}
