"""The provisioner's handler against a botocore Stubber with the real Managed Grafana service model (moto has no
``grafana`` service) and a real local HTTP server standing in for the workspace's Grafana HTTP API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdas.grafana_provisioner import handler as handler_module
from lambdas.grafana_provisioner.repository import ServiceAccounts
from lambdas.shared.settings import load
from tests.integration.fake_aws import REGION, fake_credentials
from tests.integration.grafana.fake_grafana import State, fake_grafana

WORKSPACE = "g-0123456789"
ACCOUNT_NAME = "tlj-dev-provisioner"


@dataclass(frozen=True)
class Context:
    """What powertools reads from a Lambda context."""

    function_name: str = "tlj-dev-grafana-provisioner"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:tlj-dev-grafana-provisioner"
    aws_request_id: str = "req-1"


@dataclass
class Rig:
    base_url: str
    grafana: State
    client: Any
    stubber: Stubber
    dashboards: Path

    def event(self, request_type: str = "Create", **overrides: Any) -> dict[str, Any]:
        properties = {
            "ServiceToken": "arn:aws:lambda:ap-northeast-2:123456789012:function:framework",
            "WorkspaceId": WORKSPACE,
            "WorkspaceEndpoint": self.base_url,
            "Region": REGION,
            "PrometheusUrl": "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-1",
            "FolderUid": "tlj-dev",
            "FolderTitle": "TLJ tlj-dev",
            "ServiceAccountName": ACCOUNT_NAME,
            "TokenSecondsToLive": "300",  # CloudFormation sends numbers as strings
            "AdminGroupIds": [],
            "DashboardsHash": "",
            **overrides,
        }
        return {"RequestType": request_type, "ResourceProperties": properties, "RequestId": "r", "StackId": "s"}

    def expect_token(self, key: str, *, existing_account: bool, token_id: str = "7") -> None:  # noqa: S107 - an id
        """Queue ListWorkspaceServiceAccounts (+ Create when absent), CreateWorkspaceServiceAccountToken, and the
        token's deletion; the fake Grafana accepts ``key`` from now on."""
        accounts = [
            {"id": "42", "name": ACCOUNT_NAME, "isDisabled": "false", "grafanaRole": "ADMIN"}
        ]  # a string in the model
        self.stubber.add_response(
            "list_workspace_service_accounts",
            {"serviceAccounts": accounts if existing_account else [], "workspaceId": WORKSPACE},
            {"workspaceId": WORKSPACE},
        )
        if not existing_account:
            self.stubber.add_response(
                "create_workspace_service_account",
                {"id": "42", "name": ACCOUNT_NAME, "grafanaRole": "ADMIN", "workspaceId": WORKSPACE},
                {"workspaceId": WORKSPACE, "name": ACCOUNT_NAME, "grafanaRole": "ADMIN"},
            )
        self.stubber.add_response(
            "create_workspace_service_account_token",
            {
                "serviceAccountToken": {"id": token_id, "name": "provisioner-x", "key": key},
                "serviceAccountId": "42",
                "workspaceId": WORKSPACE,
            },
            {"workspaceId": WORKSPACE, "serviceAccountId": "42", "name": _ANY, "secondsToLive": 300},
        )
        self.stubber.add_response(
            "delete_workspace_service_account_token",
            {"tokenId": token_id, "serviceAccountId": "42", "workspaceId": WORKSPACE},
            {"workspaceId": WORKSPACE, "serviceAccountId": "42", "tokenId": token_id},
        )
        self.grafana.valid_tokens.add(key)


class _Any:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith("provisioner-")

    def __repr__(self) -> str:
        return "<provisioner-*>"


_ANY = _Any()


def write_dashboard(directory: Path, uid: str, title: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    panel = {"type": "timeseries", "datasource": {"type": "prometheus", "uid": "tlj-amp"}}
    (directory / f"{uid}.json").write_text(json.dumps({"uid": uid, "title": title, "id": 17, "panels": [panel]}))


@pytest.fixture
def rig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Rig]:
    fake_credentials(monkeypatch, DASHBOARDS_DIR=str(tmp_path / "dashboards"))
    load.cache_clear()
    client = boto3.client("grafana", region_name=REGION)
    stubber = Stubber(client)
    monkeypatch.setattr(
        handler_module.ServiceAccounts, "connect", classmethod(lambda cls, ws, region: ServiceAccounts(client, ws))
    )
    with fake_grafana() as (base_url, state), stubber:
        yield Rig(base_url=base_url, grafana=state, client=client, stubber=stubber, dashboards=tmp_path / "dashboards")
    load.cache_clear()


CONTEXT = Context()
