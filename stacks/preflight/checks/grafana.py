"""Amazon Managed Grafana before a deploy: IAM Identity Center has an instance for the workspace to sign in through,
and AMG offers the pinned Grafana version in the target Region (which also tells that AMG is available there)."""

from __future__ import annotations

from typing import Any

from stacks.preflight import template
from stacks.preflight.context import Context, Outcome

WORKSPACE = "AWS::Grafana::Workspace"


def identity_center_instance(ctx: Context) -> Outcome:
    # https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListInstances.html (paginated)
    target = ctx.target
    workspaces = template.resources(target.template, WORKSPACE)
    sso = [lid for lid, props in workspaces.items() if "AWS_SSO" in props.get("AuthenticationProviders", [])]
    configured = _configured_instances(target.template)
    if not sso and not configured:
        return Outcome(ok=True, detail="nothing in the template signs in through IAM Identity Center")
    pages = ctx.client("sso-admin").get_paginator("list_instances").paginate()
    instances = {i["InstanceArn"]: i for page in pages for i in page["Instances"]}
    saml = f"-c {target.env}:grafana_saml_metadata_url=https://<your IdP>/metadata"
    if not instances:
        return Outcome(
            ok=False,
            # "Many AWS managed applications can also operate only in the same Region where you enabled IAM Identity
            # Center" (IAM Identity Center user guide, "Considerations for choosing an AWS Region").
            detail=f"no IAM Identity Center instance is visible in {target.region}, and the Grafana workspace signs in "
            "through it (AWS_SSO): enable IAM Identity Center (an organization instance, from the management account) "
            f"in this Region before deploying, or sign in with SAML instead ({saml})",
        )
    problems = []
    for arn, region in configured:
        if region not in (None, target.region):
            continue  # another Region's instance is listed only there; EKS checks it at deploy
        if arn not in instances:
            problems.append(f"identity_center_instance_arn {arn} is not one of this account's instances")
    inactive = [f"{arn} is {i['Status']}" for arn, i in instances.items() if i.get("Status", "ACTIVE") != "ACTIVE"]
    if problems or len(inactive) == len(instances):
        return Outcome(ok=False, detail="; ".join(problems + inactive) + f" (visible: {', '.join(instances)})")
    return Outcome(ok=True, detail=f"IAM Identity Center instance {', '.join(instances)} in {target.region}")


def grafana_version(ctx: Context) -> Outcome:
    # https://docs.aws.amazon.com/grafana/latest/APIReference/API_ListVersions.html (paginated)
    pinned = {
        str(props["GrafanaVersion"])
        for props in template.resources(ctx.target.template, WORKSPACE).values()
        if isinstance(props.get("GrafanaVersion"), str)
    }
    if not pinned:
        return Outcome(ok=True, detail="the template has no Managed Grafana workspace with a pinned version")
    pages = ctx.client("grafana").get_paginator("list_versions").paginate()
    offered = {v for page in pages for v in page["grafanaVersions"]}
    missing = sorted(pinned - offered)
    if missing:
        return Outcome(
            ok=False,
            detail=f"Managed Grafana in {ctx.target.region} does not offer Grafana {', '.join(missing)} (offers: "
            f"{', '.join(sorted(offered)) or 'none'}): change GrafanaConfig.grafana_version together with the "
            "grafana-foundation-sdk pin in requirements-dev.txt",
        )
    return Outcome(ok=True, detail=f"Managed Grafana in {ctx.target.region} offers Grafana {', '.join(sorted(pinned))}")


def _configured_instances(body: template.Template) -> list[tuple[str, str | None]]:
    """(instance ARN, Region or None) of every ``IdcInstanceArn`` literal (the Argo CD capability's, today)."""
    found: list[tuple[str, str | None]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            arn = node.get("IdcInstanceArn")
            if isinstance(arn, str):
                region = node.get("IdcRegion")
                found.append((arn, region if isinstance(region, str) else None))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body.get("Resources", {}))
    return found
