"""CloudFormation custom resource (through CDK's Provider framework): Create and Update provision the workspace,
Delete leaves it alone.

Delete is a no-op on purpose: the workspace is in the same stack and goes with it, and when the resource is replaced
(a new workspace id) CloudFormation deletes the old one only after creating the new one (CloudFormation user guide,
"Custom resources": replacement), so removing anything then would only race the new provisioning.
"""

from __future__ import annotations

from typing import Any

from lambdas.grafana_provisioner.dashboards import dashboards_hash, load_dashboards
from lambdas.grafana_provisioner.logic import provision
from lambdas.grafana_provisioner.models import Request
from lambdas.grafana_provisioner.repository import GrafanaApi, ServiceAccounts, Token
from lambdas.grafana_provisioner.settings import ProvisionerSettings
from lambdas.grafana_provisioner.telemetry import logger, tracer
from lambdas.shared.settings import load


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["RequestType"] == "Delete":  # before parsing: properties an older version wrote must not block it
        logger.info("delete: nothing to remove", extra={"physical_id": event.get("PhysicalResourceId")})
        return {"PhysicalResourceId": event["PhysicalResourceId"]}
    request = Request.model_validate(event["ResourceProperties"])
    physical_id = f"{request.workspace_id}/{request.folder_uid}"
    old = event.get("OldResourceProperties")
    settings = load(ProvisionerSettings)
    dashboards = load_dashboards(settings.dashboards_dir)
    if request.dashboards_hash and request.dashboards_hash != dashboards_hash(settings.dashboards_dir.glob("*.json")):
        logger.warning("the dashboards in the layer differ from the hash in the template")
    outcome = provision(
        request,
        previous=Request.model_validate(old) if old else None,
        accounts=ServiceAccounts.connect(request.workspace_id, request.region),
        grafana=lambda token: _api(request, token, settings),
        dashboards=dashboards,
    )
    logger.info("provisioned", extra=outcome.model_dump())
    return {"PhysicalResourceId": physical_id, "Data": {"Dashboards": str(len(outcome.dashboards))}}


def _api(request: Request, token: Token, settings: ProvisionerSettings) -> GrafanaApi:
    return GrafanaApi(request.base_url, token.key, timeout_seconds=settings.http_timeout_seconds)
