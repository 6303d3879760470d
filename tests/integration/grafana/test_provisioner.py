"""The provisioner handler end to end: Managed Grafana API on a Stubber (real service model), Grafana HTTP API on a
real local server."""

from __future__ import annotations

import pytest

from lambdas.grafana_provisioner.dashboards import ProvisioningError
from lambdas.grafana_provisioner.handler import handler
from tests.integration.grafana.conftest import CONTEXT, WORKSPACE, Rig, write_dashboard


def test_given_a_new_workspace_when_created_then_data_sources_folder_and_dashboards_exist_and_the_token_is_gone(
    rig: Rig,
) -> None:
    write_dashboard(rig.dashboards, "tlj-orders", "Orders")
    rig.expect_token("key-1", existing_account=False)

    answer = handler(rig.event(), CONTEXT)

    assert answer == {"PhysicalResourceId": f"{WORKSPACE}/tlj-dev", "Data": {"Dashboards": "1"}}
    amp, cloudwatch = rig.grafana.data_sources["tlj-amp"], rig.grafana.data_sources["tlj-cloudwatch"]
    assert amp["url"] == "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-1"
    assert amp["jsonData"]["sigV4AuthType"] == "workspace-iam-role"
    assert amp["jsonData"]["sigV4Region"] == "ap-northeast-2"
    assert cloudwatch["jsonData"] == {"authType": "ec2_iam_role", "defaultRegion": "ap-northeast-2"}
    assert rig.grafana.folders == {"tlj-dev": {"uid": "tlj-dev", "title": "TLJ tlj-dev"}}
    saved = rig.grafana.dashboards["tlj-orders"]
    assert saved["folderUid"] == "tlj-dev"
    assert "id" not in saved["dashboard"], "a numeric id from elsewhere must not reach Grafana"
    assert {r.authorization for r in rig.grafana.requests} == {"Bearer key-1"}
    rig.stubber.assert_no_pending_responses()  # the token was deleted


def test_given_a_provisioned_workspace_when_updated_again_then_it_updates_in_place_and_removes_only_stale_dashboards(
    rig: Rig,
) -> None:
    write_dashboard(rig.dashboards, "tlj-orders", "Orders")
    write_dashboard(rig.dashboards, "tlj-calls", "Calls")
    rig.expect_token("key-1", existing_account=False)
    handler(rig.event(), CONTEXT)
    (rig.dashboards / "tlj-calls.json").unlink()
    write_dashboard(rig.dashboards, "tlj-orders", "Orders v2")
    rig.grafana.requests.clear()
    rig.expect_token("key-2", existing_account=True, token_id="8")  # the same service account is reused

    handler(rig.event("Update", DashboardsHash="h2"), CONTEXT)

    assert sorted(rig.grafana.data_sources) == ["tlj-amp", "tlj-cloudwatch"]
    assert ("POST", "/api/datasources") not in rig.grafana.calls(), "existing data sources are updated, not re-added"
    assert ("PUT", "/api/datasources/uid/tlj-amp") in rig.grafana.calls()
    assert ("POST", "/api/folders") not in rig.grafana.calls()
    assert sorted(rig.grafana.dashboards) == ["tlj-orders"]
    assert rig.grafana.dashboards["tlj-orders"]["dashboard"]["title"] == "Orders v2"
    rig.stubber.assert_no_pending_responses()


def test_given_a_dashboard_hand_made_in_another_folder_when_provisioned_then_it_is_left_alone(rig: Rig) -> None:
    rig.grafana.folders["team"] = {"uid": "team", "title": "Team"}
    rig.grafana.dashboards["mine"] = {"dashboard": {"uid": "mine", "title": "Mine"}, "folderUid": "team"}
    rig.expect_token("key-1", existing_account=True)

    handler(rig.event(), CONTEXT)

    assert "mine" in rig.grafana.dashboards


def test_given_grafana_fails_midway_then_the_token_is_still_deleted_and_the_error_names_the_step(rig: Rig) -> None:
    write_dashboard(rig.dashboards, "tlj-orders", "Orders")
    rig.grafana.fail[("POST", "/api/dashboards/db")] = 500
    rig.expect_token("key-1", existing_account=True)

    with pytest.raises(ProvisioningError) as raised:
        handler(rig.event(), CONTEXT)

    message = str(raised.value)
    assert "could not save dashboard tlj-orders" in message
    assert "HTTP 500" in message
    rig.stubber.assert_no_pending_responses()  # DeleteWorkspaceServiceAccountToken was still called


def test_given_a_refused_token_then_the_failure_says_401_and_the_token_is_deleted(rig: Rig) -> None:
    rig.expect_token("key-1", existing_account=True)
    rig.grafana.valid_tokens.clear()

    with pytest.raises(ProvisioningError, match=r"could not upsert data source tlj-amp: .*HTTP 401"):
        handler(rig.event(), CONTEXT)
    rig.stubber.assert_no_pending_responses()


def test_given_admin_groups_when_changed_then_added_ones_get_admin_and_dropped_ones_are_revoked(rig: Rig) -> None:
    rig.expect_token("key-1", existing_account=True)
    rig.stubber.add_response(
        "update_permissions",
        {"errors": []},
        {
            "workspaceId": WORKSPACE,
            "updateInstructionBatch": [
                {"action": "ADD", "role": "ADMIN", "users": [{"id": "g-new", "type": "SSO_GROUP"}]},
                {"action": "REVOKE", "role": "ADMIN", "users": [{"id": "g-old", "type": "SSO_GROUP"}]},
            ],
        },
    )
    event = rig.event("Update", AdminGroupIds=["g-keep", "g-new"])
    event["OldResourceProperties"] = {**event["ResourceProperties"], "AdminGroupIds": ["g-keep", "g-old"]}

    handler(event, CONTEXT)

    rig.stubber.assert_no_pending_responses()


def test_given_update_permissions_reports_errors_then_the_deployment_fails_with_them(rig: Rig) -> None:
    rig.expect_token("key-1", existing_account=True)
    error = {"code": 400, "message": "group not found", "causedBy": {"action": "ADD", "role": "ADMIN", "users": []}}
    rig.stubber.add_response("update_permissions", {"errors": [error]})

    with pytest.raises(ProvisioningError, match=r"could not update admin groups: .*group not found"):
        handler(rig.event(AdminGroupIds=["g-missing"]), CONTEXT)


def test_given_a_delete_then_nothing_in_the_workspace_is_touched_even_with_unreadable_properties(rig: Rig) -> None:
    event = rig.event("Delete", TokenSecondsToLive="not a number")
    event["PhysicalResourceId"] = f"{WORKSPACE}/tlj-dev"

    assert handler(event, CONTEXT) == {"PhysicalResourceId": f"{WORKSPACE}/tlj-dev"}
    assert rig.grafana.requests == []
    rig.stubber.assert_no_pending_responses()
