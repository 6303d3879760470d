"""What CloudFormation asks for: the custom resource's properties (strings and lists, as CloudFormation sends them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal


class Request(BaseModel):
    """``ResourceProperties`` of ``Custom::GrafanaProvisioning``."""

    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, frozen=True, extra="ignore")

    workspace_id: str
    workspace_endpoint: str  # the workspace's host name (GetAtt Endpoint); a URL with a scheme is used as is
    region: str
    prometheus_url: str  # the AMP workspace's Prometheus-compatible endpoint, without /api/v1/query
    folder_uid: str
    folder_title: str
    service_account_name: str
    token_seconds_to_live: int = Field(ge=60, le=3600)
    admin_group_ids: tuple[str, ...] = ()
    dashboards_hash: str = ""  # changes whenever a dashboard file does, which makes CloudFormation send an Update

    @property
    def base_url(self) -> str:
        endpoint = self.workspace_endpoint.rstrip("/")
        return endpoint if "://" in endpoint else f"https://{endpoint}"


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    data_sources: tuple[str, ...]
    dashboards: tuple[str, ...]
    removed_dashboards: tuple[str, ...]
    admin_groups_added: tuple[str, ...]
    admin_groups_removed: tuple[str, ...]
