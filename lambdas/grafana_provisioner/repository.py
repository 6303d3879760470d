"""Every call the provisioner makes: the Managed Grafana API (boto3) and the workspace's Grafana HTTP API.

HTTP goes through urllib3, the well-kept client botocore itself depends on, so it ships with the Lambda runtime's
boto3: nothing is added to the shared dependency layer (its size is every function's cold start) for six
JSON calls. Retries are urllib3's own (Retry with backoff on 429/5xx), never hand-written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import urllib3
from botocore.config import Config

# Standard retry mode retries throttling and transient errors with backoff (boto3 guide, "Retries").
AWS_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)
# The Grafana role a service account needs to manage data sources: Admin (AMG user guide, "Service accounts";
# Grafana "Data source HTTP API": datasources:create/write belong to the organization admin).
SERVICE_ACCOUNT_ROLE = "ADMIN"


class GrafanaApiError(Exception):
    """The Grafana HTTP API answered with an unexpected status."""


class PermissionsError(Exception):
    """UpdatePermissions reported errors for some users or groups (it answers 200 with an ``errors`` list)."""


@dataclass(frozen=True)
class Token:
    service_account_id: str
    token_id: str
    key: str


class ServiceAccounts:
    """Workspace service accounts and their tokens, and workspace permissions (Managed Grafana API)."""

    def __init__(self, client: Any, workspace_id: str) -> None:
        self._client = client
        self._workspace_id = workspace_id

    @classmethod
    def connect(cls, workspace_id: str, region: str) -> ServiceAccounts:
        return cls(boto3.client("grafana", region_name=region, config=AWS_CONFIG), workspace_id)

    def ensure(self, name: str) -> str:
        """The id of the service account called ``name``, created (with the Admin role) when it does not exist."""
        pages = self._client.get_paginator("list_workspace_service_accounts").paginate(workspaceId=self._workspace_id)
        for page in pages:
            for account in page["serviceAccounts"]:
                if account["name"] == name:
                    return str(account["id"])
        created = self._client.create_workspace_service_account(
            workspaceId=self._workspace_id, name=name, grafanaRole=SERVICE_ACCOUNT_ROLE
        )
        return str(created["id"])

    @contextmanager
    def token(self, service_account_id: str, *, seconds_to_live: int) -> Iterator[Token]:
        """A new token of the account, deleted again when the block ends, whatever happens inside it.

        AMG returns the key only once (CreateWorkspaceServiceAccountToken) and DeleteWorkspaceServiceAccountToken
        disables it at once; ``seconds_to_live`` bounds a token whose deletion itself failed.
        """
        created = self._client.create_workspace_service_account_token(
            workspaceId=self._workspace_id,
            serviceAccountId=service_account_id,
            name=f"provisioner-{uuid.uuid4().hex[:12]}",  # token names are unique per service account
            secondsToLive=seconds_to_live,
        )["serviceAccountToken"]
        token = Token(service_account_id=service_account_id, token_id=str(created["id"]), key=created["key"])
        try:
            yield token
        finally:
            self._client.delete_workspace_service_account_token(
                workspaceId=self._workspace_id, serviceAccountId=service_account_id, tokenId=token.token_id
            )

    def update_admin_groups(self, *, add: Sequence[str], revoke: Sequence[str]) -> None:
        """Give (or take back) the Grafana Admin role of IAM Identity Center groups (UpdatePermissions)."""
        batch = [
            {"action": action, "role": "ADMIN", "users": [{"id": group, "type": "SSO_GROUP"} for group in groups]}
            for action, groups in (("ADD", add), ("REVOKE", revoke))
            if groups
        ]
        if not batch:
            return
        errors = self._client.update_permissions(workspaceId=self._workspace_id, updateInstructionBatch=batch)["errors"]
        if errors:
            details = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
            raise PermissionsError(f"UpdatePermissions refused some groups: {details}")


class GrafanaApi:
    """The few Grafana HTTP API calls we make, authenticated with a service-account token (Bearer)."""

    def __init__(self, base_url: str, token: str, *, timeout_seconds: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._http = urllib3.PoolManager(
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=urllib3.Timeout(total=timeout_seconds),
            retries=urllib3.Retry(
                total=3,
                backoff_factor=0.5,
                status_forcelist=(429, 502, 503, 504),
                allowed_methods=None,  # our writes are idempotent upserts by uid: retrying them is safe
                raise_on_status=False,
            ),
        )

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, *, missing_ok: bool = False) -> Any:
        response = self._http.request(
            method, self._base_url + path, body=json.dumps(body).encode() if body is not None else None
        )
        if missing_ok and response.status == 404:
            return None
        if not 200 <= response.status < 300:
            text = response.data.decode(errors="replace")[:300]
            raise GrafanaApiError(f"{method} {path} answered HTTP {response.status}: {text}")
        return json.loads(response.data) if response.data else None

    # Grafana "Data source HTTP API": GET/PUT /api/datasources/uid/:uid, POST /api/datasources.
    def data_source(self, uid: str) -> dict[str, Any] | None:
        found = self._call("GET", f"/api/datasources/uid/{quote(uid)}", missing_ok=True)
        return dict(found) if found is not None else None

    def create_data_source(self, spec: dict[str, Any]) -> None:
        self._call("POST", "/api/datasources", spec)

    def update_data_source(self, spec: dict[str, Any]) -> None:
        self._call("PUT", f"/api/datasources/uid/{quote(spec['uid'])}", spec)

    # Grafana "Folder HTTP API": GET /api/folders/:uid, POST /api/folders, PUT /api/folders/:uid.
    def folder(self, uid: str) -> dict[str, Any] | None:
        found = self._call("GET", f"/api/folders/{quote(uid)}", missing_ok=True)
        return dict(found) if found is not None else None

    def create_folder(self, uid: str, title: str) -> None:
        self._call("POST", "/api/folders", {"uid": uid, "title": title})

    def rename_folder(self, uid: str, title: str) -> None:
        self._call("PUT", f"/api/folders/{quote(uid)}", {"title": title, "overwrite": True})

    # Grafana "Dashboard HTTP API": POST /api/dashboards/db (overwrite), DELETE /api/dashboards/uid/:uid;
    # "Search HTTP API": GET /api/search?folderUIDs=...&type=dash-db.
    def save_dashboard(self, dashboard: dict[str, Any], *, folder_uid: str, message: str) -> None:
        body = {"dashboard": dashboard, "folderUid": folder_uid, "overwrite": True, "message": message}
        self._call("POST", "/api/dashboards/db", body)

    def dashboards_in(self, folder_uid: str) -> list[str]:
        query = urlencode({"folderUIDs": folder_uid, "type": "dash-db", "limit": 5000})
        return [str(hit["uid"]) for hit in self._call("GET", f"/api/search?{query}") or []]

    def delete_dashboard(self, uid: str) -> None:
        self._call("DELETE", f"/api/dashboards/uid/{quote(uid)}", missing_ok=True)
