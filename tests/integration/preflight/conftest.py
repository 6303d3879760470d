"""Preflight checks against moto (``mock_aws``, started before any client) and botocore Stubbers where moto lacks
an API. Fake credentials only: never real AWS, never an endpoint inherited from the environment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from stacks.preflight import session
from stacks.preflight.assembly import Target
from stacks.preflight.context import Context
from tests.integration.fake_aws import REGION

MOTO_ACCOUNT = "123456789012"

ContextFactory = Callable[..., Context]


@pytest.fixture
def make_context(aws: None) -> ContextFactory:
    """``make_context(template, stubbed={"lambda": client}, account=..., account_template=...)``: a real session on
    moto, with the named services answered by the given (stubbed) clients instead. Not named ``context``:
    pytest-playwright parametrizes every test using a fixture of that name by browser."""

    def build(
        body: dict[str, Any],
        *,
        stack_name: str = "ProdStack",
        account: str | None = None,
        account_template: dict[str, Any] | None = None,
        stubbed: dict[str, Any] | None = None,
    ) -> Context:
        target = Target(
            env="prod" if stack_name == "ProdStack" else "dev",
            stack_name=stack_name,
            template=body,
            account=account,
            region=REGION,
            account_template=account_template,
        )
        real = session.connect(target)
        clients = stubbed or {}
        return Context(
            target=target,
            caller_account=real.caller_account,
            caller_arn=real.caller_arn,
            client_factory=lambda service: clients[service] if service in clients else real.client(service),
        )

    return build


def stub(service: str) -> tuple[Any, Stubber]:
    """A client whose answers the test queues (``stubber.add_response``); it never sends a request."""
    client = boto3.client(service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return client, Stubber(client)


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)
