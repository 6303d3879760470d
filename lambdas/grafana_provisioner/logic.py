"""What the provisioner does to a workspace: no AWS or HTTP here, only the rules (the repositories do the calls).

One short-lived service-account token per invocation: created, used for the upserts, deleted in a ``finally``.
Nothing is stored, so there is nothing to rotate; a token whose deletion failed expires after its TTL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from lambdas.grafana_provisioner.dashboards import ProvisioningError
from lambdas.grafana_provisioner.models import Outcome, Request
from lambdas.grafana_provisioner.repository import Token

T = TypeVar("T")
AMP_UID = "tlj-amp"
CLOUDWATCH_UID = "tlj-cloudwatch"


class Accounts(Protocol):
    def ensure(self, name: str) -> str: ...
    def token(self, service_account_id: str, *, seconds_to_live: int) -> AbstractContextManager[Token]: ...
    def update_admin_groups(self, *, add: Sequence[str], revoke: Sequence[str]) -> None: ...


class Grafana(Protocol):
    def data_source(self, uid: str) -> dict[str, Any] | None: ...
    def create_data_source(self, spec: dict[str, Any]) -> None: ...
    def update_data_source(self, spec: dict[str, Any]) -> None: ...
    def folder(self, uid: str) -> dict[str, Any] | None: ...
    def create_folder(self, uid: str, title: str) -> None: ...
    def rename_folder(self, uid: str, title: str) -> None: ...
    def save_dashboard(self, dashboard: dict[str, Any], *, folder_uid: str, message: str) -> None: ...
    def dashboards_in(self, folder_uid: str) -> list[str]: ...
    def delete_dashboard(self, uid: str) -> None: ...


def data_sources(request: Request) -> list[dict[str, Any]]:
    """The two data sources, by the fixed UIDs the dashboards reference, both signing as the workspace's IAM role."""
    return [
        {
            "uid": AMP_UID,
            "name": "Amazon Managed Prometheus",
            "type": "prometheus",
            "access": "proxy",
            "url": request.prometheus_url,
            "isDefault": True,
            # SigV4 with the workspace role: sigV4AuthType "workspace-iam-role" (aws-observability accelerator's
            # AMG data sources); POST keeps long PromQL out of URLs.
            "jsonData": {
                "httpMethod": "POST",
                "sigV4Auth": True,
                "sigV4AuthType": "workspace-iam-role",
                "sigV4Region": request.region,
            },
        },
        {
            "uid": CLOUDWATCH_UID,
            "name": "Amazon CloudWatch",
            "type": "cloudwatch",
            "access": "proxy",
            "isDefault": False,
            # authType "ec2_iam_role" is the provider Grafana labels "Workspace IAM role" in AMG (Grafana docs,
            # "Configure AWS authentication"): the workspace's own role, no keys.
            "jsonData": {"authType": "ec2_iam_role", "defaultRegion": request.region},
        },
    ]


def provision(
    request: Request,
    *,
    previous: Request | None,
    accounts: Accounts,
    grafana: Callable[[Token], Grafana],
    dashboards: list[dict[str, Any]],
) -> Outcome:
    """Upsert data sources, the folder and its dashboards (removing ours that are gone), then admin groups."""
    service_account = _step("find or create the service account", accounts.ensure, request.service_account_name)
    with accounts.token(service_account, seconds_to_live=request.token_seconds_to_live) as token:
        api = grafana(token)
        for spec in data_sources(request):
            _step(f"upsert data source {spec['uid']}", _upsert_data_source, api, spec)
        _step(f"upsert folder {request.folder_uid}", _upsert_folder, api, request.folder_uid, request.folder_title)
        message = f"provisioned by CloudFormation ({request.dashboards_hash[:12] or 'no hash'})"
        for dashboard in dashboards:
            _step(
                f"save dashboard {dashboard['uid']}",
                lambda d=dashboard: api.save_dashboard(d, folder_uid=request.folder_uid, message=message),
            )
        wanted = {d["uid"] for d in dashboards}
        stale = [uid for uid in _step("list the folder", api.dashboards_in, request.folder_uid) if uid not in wanted]
        for uid in stale:
            _step(f"remove dashboard {uid}", api.delete_dashboard, uid)
    before = set(previous.admin_group_ids) if previous and previous.workspace_id == request.workspace_id else set()
    add = sorted(set(request.admin_group_ids) - before)
    revoke = sorted(before - set(request.admin_group_ids))
    _step("update admin groups", lambda: accounts.update_admin_groups(add=add, revoke=revoke))
    return Outcome(
        data_sources=(AMP_UID, CLOUDWATCH_UID),
        dashboards=tuple(sorted(wanted)),
        removed_dashboards=tuple(stale),
        admin_groups_added=tuple(add),
        admin_groups_removed=tuple(revoke),
    )


def _upsert_data_source(api: Grafana, spec: dict[str, Any]) -> None:
    if api.data_source(spec["uid"]) is None:
        api.create_data_source(spec)
    else:
        api.update_data_source(spec)


def _upsert_folder(api: Grafana, uid: str, title: str) -> None:
    found = api.folder(uid)
    if found is None:
        api.create_folder(uid, title)
    elif found.get("title") != title:
        api.rename_folder(uid, title)


def _step(what: str, call: Callable[..., T], *args: Any) -> T:
    try:
        return call(*args)
    except ProvisioningError:
        raise
    except Exception as error:
        raise ProvisioningError(f"could not {what}: {error}") from error
