"""What every check gets: the target stack, who is calling, AWS clients, and CloudFormation's view (cached)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from stacks.preflight import cloudformation
from stacks.preflight.assembly import Target
from stacks.preflight.cloudformation import DeployedStack


@dataclass(frozen=True, kw_only=True)
class Outcome:
    ok: bool
    detail: str


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


class Context:
    def __init__(
        self, *, target: Target, caller_account: str, caller_arn: str, client_factory: Callable[[str], Any]
    ) -> None:
        self.target = target
        self.caller_account = caller_account
        self.caller_arn = caller_arn
        self._client_factory = client_factory
        self._clients: dict[str, Any] = {}
        self._stacks: dict[str, DeployedStack | None] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._client_factory(service)
        return self._clients[service]

    def stack(self, name: str | None = None) -> DeployedStack | None:
        """The deployed stack (default: the target), or None when it does not exist yet."""
        name = name or self.target.stack_name
        if name not in self._stacks:
            self._stacks[name] = cloudformation.describe(self.client("cloudformation"), name)
        return self._stacks[name]


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
