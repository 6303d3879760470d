"""Find the stack to check in the cloud assembly (``cdk.out``): its template, account and region."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.preflight.template import Template

# Owns the account singletons (GitHub OIDC provider, API Gateway account setting); the environment stack depends on
# it. With environments in several accounts it is named per environment (stacks/account_stack.py).
ACCOUNT_STACK = "AccountStack"
DEFAULT_REGION = "ap-northeast-2"


class AssemblyError(Exception):
    """The cloud assembly is missing or unreadable: synthesize first."""


@dataclass(frozen=True, kw_only=True)
class Target:
    env: str  # dev | prod, for the context keys named in advice (``-c prod:...``)
    stack_name: str
    template: Template
    account: str | None  # None when synthesized for ``unknown-account``
    region: str
    account_template: Template | None  # AccountStack's template, when it is synthesized too
    account_stack: str = ACCOUNT_STACK  # the name of the stack that owns this account's singletons


def load(cdk_out: Path, *, env: str, stack_name: str, environ: Mapping[str, str]) -> Target:
    path = cdk_out / f"{stack_name}.template.json"
    if not path.is_file():
        raise AssemblyError(
            f"{path} not found: synthesize first with `make synth` (or `npx cdk synth -c account=<id>`), "
            "or point --cdk-out at the cloud assembly"
        )
    account, region, account_stack = _environment(cdk_out / "manifest.json", stack_name)
    account_path = cdk_out / f"{account_stack}.template.json"
    return Target(
        env=env,
        stack_name=stack_name,
        template=_read(path),
        account=account,
        # The manifest's region is where `cdk deploy` goes; without one, boto3's usual variables decide.
        region=region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        account_template=_read(account_path) if account_path.is_file() else None,
        account_stack=account_stack,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise AssemblyError(f"cannot read {path}: {error}; synthesize again with `make synth`") from error
    if not isinstance(data, dict):
        raise AssemblyError(f"{path} is not a CloudFormation template; synthesize again with `make synth`")
    return data


def _environment(manifest: Path, stack_name: str) -> tuple[str | None, str | None, str]:
    """(account, region) of the stack's ``aws://ACCOUNT/REGION`` (``unknown-*`` parts are None), and the name of
    the account stack it depends on."""
    if not manifest.is_file():
        return None, None, ACCOUNT_STACK
    artifact = _read(manifest).get("artifacts", {}).get(stack_name, {})
    owners = [d for d in artifact.get("dependencies", []) if str(d).endswith(ACCOUNT_STACK)]
    account_stack = str(owners[0]) if owners else ACCOUNT_STACK
    environment = str(artifact.get("environment", ""))
    if not environment.startswith("aws://"):
        return None, None, account_stack
    account, _, region = environment.removeprefix("aws://").partition("/")
    return (
        None if account.startswith("unknown-") or not account else account,
        None if region.startswith("unknown-") or not region else region,
        account_stack,
    )
