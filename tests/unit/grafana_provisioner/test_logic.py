"""The provisioner's rules with in-memory stand-ins for the repositories (no network, no AWS)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from lambdas.grafana_provisioner.dashboards import ProvisioningError, dashboards_hash, load_dashboards
from lambdas.grafana_provisioner.logic import AMP_UID, CLOUDWATCH_UID, data_sources, provision
from lambdas.grafana_provisioner.models import Request
from lambdas.grafana_provisioner.repository import Token

PROPERTIES = {
    "WorkspaceId": "g-1",
    "WorkspaceEndpoint": "g-1.grafana-workspace.ap-northeast-2.amazonaws.com",
    "Region": "ap-northeast-2",
    "PrometheusUrl": "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-1",
    "FolderUid": "tlj-prod",
    "FolderTitle": "TLJ tlj-prod",
    "ServiceAccountName": "tlj-prod-provisioner",
    "TokenSecondsToLive": "300",
}


def request(**overrides: Any) -> Request:
    return Request.model_validate({**PROPERTIES, **overrides})


class Accounts:
    def __init__(self) -> None:
        self.open_tokens = 0
        self.deleted = 0
        self.permissions: list[tuple[list[str], list[str]]] = []

    def ensure(self, name: str) -> str:
        return "42"

    @contextmanager
    def token(self, service_account_id: str, *, seconds_to_live: int) -> Iterator[Token]:
        self.open_tokens += 1
        try:
            yield Token(service_account_id=service_account_id, token_id="1", key="k")
        finally:
            self.open_tokens -= 1
            self.deleted += 1

    def update_admin_groups(self, *, add: Sequence[str], revoke: Sequence[str]) -> None:
        self.permissions.append((list(add), list(revoke)))


class Grafana:
    def __init__(self, *, broken: str | None = None) -> None:
        self.sources: dict[str, dict[str, Any]] = {}
        self.folders: dict[str, str] = {}
        self.dashboards: dict[str, str] = {}
        self.broken = broken

    def data_source(self, uid: str) -> dict[str, Any] | None:
        return self.sources.get(uid)

    def create_data_source(self, spec: dict[str, Any]) -> None:
        self.sources[spec["uid"]] = spec

    def update_data_source(self, spec: dict[str, Any]) -> None:
        self.sources[spec["uid"]] = spec

    def folder(self, uid: str) -> dict[str, Any] | None:
        return {"uid": uid, "title": self.folders[uid]} if uid in self.folders else None

    def create_folder(self, uid: str, title: str) -> None:
        self.folders[uid] = title

    def rename_folder(self, uid: str, title: str) -> None:
        self.folders[uid] = title

    def save_dashboard(self, dashboard: dict[str, Any], *, folder_uid: str, message: str) -> None:
        if dashboard["uid"] == self.broken:
            raise RuntimeError("HTTP 500")
        self.dashboards[dashboard["uid"]] = folder_uid

    def dashboards_in(self, folder_uid: str) -> list[str]:
        return [uid for uid, folder in self.dashboards.items() if folder == folder_uid]

    def delete_dashboard(self, uid: str) -> None:
        del self.dashboards[uid]


def test_given_the_request_then_both_data_sources_use_the_fixed_uids_and_the_workspace_role() -> None:
    amp, cloudwatch = data_sources(request())
    assert (amp["uid"], amp["type"], cloudwatch["uid"], cloudwatch["type"]) == (
        AMP_UID,
        "prometheus",
        CLOUDWATCH_UID,
        "cloudwatch",
    )
    assert amp["jsonData"]["sigV4Auth"] is True
    assert amp["jsonData"]["sigV4AuthType"] == "workspace-iam-role"
    assert cloudwatch["jsonData"]["authType"] == "ec2_iam_role"
    assert "secureJsonData" not in amp, "no keys: the workspace role signs"
    assert "secureJsonData" not in cloudwatch


def test_given_cloudformation_strings_then_the_request_parses_and_the_endpoint_gets_https() -> None:
    parsed = request()
    assert parsed.token_seconds_to_live == 300
    assert parsed.base_url == "https://g-1.grafana-workspace.ap-northeast-2.amazonaws.com"
    assert request(WorkspaceEndpoint="http://127.0.0.1:3000/").base_url == "http://127.0.0.1:3000"


def test_given_a_long_lived_token_request_then_it_is_refused() -> None:
    with pytest.raises(ValidationError):
        request(TokenSecondsToLive="86400")


def test_given_a_failing_dashboard_then_the_error_names_it_and_the_token_is_released() -> None:
    accounts = Accounts()
    with pytest.raises(ProvisioningError, match="could not save dashboard b: HTTP 500"):
        provision(
            request(),
            previous=None,
            accounts=accounts,
            grafana=lambda token: Grafana(broken="b"),
            dashboards=[{"uid": "a", "title": "A"}, {"uid": "b", "title": "B"}],
        )
    assert (accounts.open_tokens, accounts.deleted) == (0, 1)
    assert accounts.permissions == [], "no permission change after a failed provisioning"


def test_given_a_new_workspace_id_then_every_configured_group_is_added_and_none_revoked() -> None:
    accounts = Accounts()
    outcome = provision(
        request(WorkspaceId="g-2", AdminGroupIds=["g-a"]),
        previous=request(AdminGroupIds=["g-a", "g-b"]),  # the old workspace's groups
        accounts=accounts,
        grafana=lambda token: Grafana(),
        dashboards=[],
    )
    assert accounts.permissions == [(["g-a"], [])]
    assert outcome.admin_groups_removed == ()


def test_given_a_renamed_folder_then_it_is_renamed_not_duplicated() -> None:
    grafana = Grafana()
    grafana.folders["tlj-prod"] = "old title"
    provision(request(), previous=None, accounts=Accounts(), grafana=lambda token: grafana, dashboards=[])
    assert grafana.folders == {"tlj-prod": "TLJ tlj-prod"}


def write(path: Path, body: str) -> Path:
    path.write_text(body)
    return path


def test_given_dashboard_files_then_they_load_sorted_without_numeric_ids(tmp_path: Path) -> None:
    write(tmp_path / "b.json", '{"uid": "b", "title": "B", "id": 3}')
    write(tmp_path / "a.json", '{"uid": "a", "title": "A"}')
    assert load_dashboards(tmp_path) == [{"uid": "a", "title": "A"}, {"uid": "b", "title": "B"}]
    assert load_dashboards(tmp_path / "missing") == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"x.json": '{"title": "no uid"}'}, "x.json is not a dashboard with a uid and a title"),
        ({"x.json": '{"uid": "u", "title": "X"}', "y.json": '{"uid": "u", "title": "Y"}'}, "share a uid"),
    ],
)
def test_given_invalid_dashboards_then_provisioning_stops_before_any_call(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, body in files.items():
        write(tmp_path / name, body)
    with pytest.raises(ProvisioningError, match=message):
        load_dashboards(tmp_path)


def test_given_a_changed_or_renamed_dashboard_then_the_hash_changes_and_order_does_not_matter(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", "{}")
    b = write(tmp_path / "b.json", "[]")
    before = dashboards_hash([a, b])
    assert dashboards_hash([b, a]) == before
    write(a, '{"uid": "a"}')
    assert dashboards_hash([a, b]) != before
    assert dashboards_hash([]) != before
