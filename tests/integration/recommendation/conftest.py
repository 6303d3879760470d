"""The recommender on moto: the platform's tables from the shared specs, the seeded menu, fresh clients.

``mock_aws`` starts before any boto3 client exists, and the process-wide caches (settings, the DynamoDB client,
the recommender, the indexer's store) are cleared around each test so that no client outlives its mock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.reco_indexer import handler as indexer_handler
from lambdas.recommendation import service
from lambdas.shared import dynamodb
from lambdas.shared.settings import load
from local.bootstrap import create_tables
from local.seed import seed_menu
from stacks.table_specs import load_tables
from tests.integration.fake_aws import REGION, fake_credentials

PREFIX = "tlj-test"


def table(key: str) -> str:
    return load_tables()[key].table_name(PREFIX)


def _clear_caches() -> None:
    load.cache_clear()
    dynamodb.client.cache_clear()
    service.default_recommender.cache_clear()
    indexer_handler._store.cache_clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto with fake credentials and the four tables; yields a DynamoDB client. Never real AWS."""
    fake_credentials(
        monkeypatch,
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",  # moto serves streams on the regional endpoint only
        RECOMMENDATIONS_TABLE=table("recommendations"),
        CATALOG_TABLE=table("catalog"),
        POWERTOOLS_METRICS_DISABLED="true",
    )
    _clear_caches()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_tables(client, PREFIX)
        seed_menu(boto3.resource("dynamodb", region_name=REGION).Table(table("catalog")))
        yield client
    _clear_caches()
