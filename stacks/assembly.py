"""The app's stacks: an AccountStack per account and region, and one PlatformStack per environment on top of it."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk

from stacks.account_stack import account_stacks
from stacks.config import EnvironmentConfig
from stacks.platform_stack import PlatformStack


def add_platform(app: cdk.App, environments: Sequence[EnvironmentConfig]) -> dict[str, PlatformStack]:
    """Environment stacks by name, each depending on its AccountStack (deployed first by `cdk deploy <Stack>`)."""
    accounts = account_stacks(app, environments)
    stacks: dict[str, PlatformStack] = {}
    for config in environments:
        stack = PlatformStack(app, config.stack_name, config=config)
        stack.add_stack_dependency(accounts[config.name], "the GitHub OIDC provider and API Gateway logging role")
        stacks[config.name] = stack
    return stacks
