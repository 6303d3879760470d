#!/usr/bin/env python3
"""The CDK app: DevStack and ProdStack. The only place that reads CDK context or environment variables."""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk

from stacks.assembly import add_platform
from stacks.config import ENVIRONMENTS, EnvironmentConfig
from stacks.nag import register_nag_packs

CONTEXT_KEYS = (
    "account",
    "region",
    "admin_role_arn",
    "public_access_cidrs",
    "github_owner",
    "github_repo",
    "connect_instance_alias",
    "connect_phone_number_arn",
    "alarm_email",
    "identity_center_instance_arn",
    "argocd_admin_group_ids",
    "grafana_admin_group_ids",
    "grafana_saml_metadata_url",
)


def overrides_for(app: cdk.App, env_name: str) -> dict[str, str]:
    """Deploy-time values: ``-c dev:admin_role_arn=...`` beats ``-c admin_role_arn=...`` beats the environment."""
    values: dict[str, str] = {}
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    if account:
        values["account"] = account
    for key in CONTEXT_KEYS:
        for context_key in (key, f"{env_name}:{key}"):
            value = app.node.try_get_context(context_key)
            if value is not None:
                values[key] = str(value)
    return values


def configured(app: cdk.App) -> list[EnvironmentConfig]:
    """Each environment with its deploy-time values; a value the config refuses stops synth with one clear line."""
    environments = []
    for config in ENVIRONMENTS:
        try:
            environments.append(config.with_overrides(overrides_for(app, config.name)))
        except ValueError as error:
            sys.exit(f"error: context for {config.stack_name} (-c {config.name}:<key>=...): {error}")
    return environments


def main() -> cdk.App:
    app = cdk.App()
    register_nag_packs(app)
    add_platform(app, configured(app))
    app.synth()
    return app


if __name__ == "__main__":
    main()
