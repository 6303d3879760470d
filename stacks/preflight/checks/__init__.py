"""The checks, in the order they are reported. Each takes the context and returns an Outcome; its function name
is the check's name in the output."""

from __future__ import annotations

from stacks.preflight.checks.account import cdk_bootstrap, credentials, stack_state
from stacks.preflight.checks.grafana import grafana_version, identity_center_instance
from stacks.preflight.checks.names import name_collisions
from stacks.preflight.checks.pinned import availability_zones, eks_addon_versions, eks_cluster_version, powertools_layer
from stacks.preflight.checks.quotas import elastic_ips, lambda_concurrency, vpc_quota
from stacks.preflight.checks.singletons import api_gateway_account, connect_alias, github_oidc_provider
from stacks.preflight.runner import Check

CHECKS: tuple[Check, ...] = (
    credentials,
    cdk_bootstrap,
    stack_state,
    lambda_concurrency,
    powertools_layer,
    eks_cluster_version,
    eks_addon_versions,
    github_oidc_provider,
    api_gateway_account,
    connect_alias,
    identity_center_instance,
    grafana_version,
    name_collisions,
    elastic_ips,
    vpc_quota,
    availability_zones,
)
