"""Creating the platform's tables in the emulator from the shared specs (``stacks/table_specs.py``)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from local.seed import seed_menu
from local.settings import FAKE_CREDENTIALS, REGION
from stacks.table_specs import TableSpec, load_tables

_WAITER = {"Delay": 1, "MaxAttempts": 60}


def session() -> boto3.session.Session:
    """A session with fake credentials: the local platform never signs a request for real AWS."""
    return boto3.session.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


def dynamodb_client(endpoint_url: str | None) -> Any:
    """A DynamoDB client for the emulator at ``endpoint_url`` (None inside moto's ``mock_aws``)."""
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)
    return session().client("dynamodb", endpoint_url=endpoint_url, config=config)


def dynamodb_resource(endpoint_url: str | None) -> Any:
    return session().resource("dynamodb", endpoint_url=endpoint_url)


def bootstrap(endpoint_url: str | None, prefix: str) -> tuple[list[str], int]:
    """Create the tables and seed the menu; returns the table names and the number of menu items."""
    tables = create_tables(dynamodb_client(endpoint_url), prefix)
    catalog = load_tables()["catalog"].table_name(prefix)
    return tables, seed_menu(dynamodb_resource(endpoint_url).Table(catalog))


def create_tables(client: Any, prefix: str) -> list[str]:
    """Create every table (existing ones are fine), wait until ACTIVE, enable TTL; returns the table names."""
    names = []
    for spec in load_tables().values():
        name = spec.table_name(prefix)
        try:
            client.create_table(**spec.create_table_kwargs(prefix))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceInUseException":
                raise
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig=_WAITER)
        _enable_ttl(client, spec, name)
        names.append(name)
    return names


def _enable_ttl(client: Any, spec: TableSpec, name: str) -> None:
    if not spec.ttl_attribute:
        return
    current = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return  # enabling twice is a ValidationException on real DynamoDB
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
    )
