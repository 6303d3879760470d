"""Pinned values that must exist in the Region: the Powertools layer, Kubernetes and add-on versions, AZ names."""

from __future__ import annotations

from botocore.exceptions import ClientError

from stacks.preflight import template
from stacks.preflight.context import Context, Outcome, error_code

POWERTOOLS_PREFIX = "/aws/service/powertools/"


def powertools_layer(ctx: Context) -> Outcome:
    # Powertools publishes its layer ARNs as public SSM parameters /aws/service/powertools/python/{arch}/{runtime}/
    # {version}; one that is not published fails the deploy: powertools-lambda-python#7689 (ParameterNotFound).
    # https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
    names = [n for n in template.ssm_references(ctx.target.template) if n.startswith(POWERTOOLS_PREFIX)]
    if not names:
        return Outcome(ok=True, detail="the template resolves no Powertools layer parameter")
    ssm = ctx.client("ssm")
    found, missing = [], []
    for name in names:
        try:
            found.append(f"{name} = {ssm.get_parameter(Name=name)['Parameter']['Value']}")
        except ClientError as error:
            if error_code(error) not in {"ParameterNotFound", "ParameterVersionNotFound"}:
                raise
            missing.append(name)
    if missing:
        return Outcome(
            ok=False,
            detail=f"not published in {ctx.target.region}: {', '.join(missing)}; pin a Powertools version and "
            "runtime that has a layer in this Region",
        )
    return Outcome(ok=True, detail="; ".join(found))


def eks_cluster_version(ctx: Context) -> Outcome:
    # https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeClusterVersions.html
    # versionStatus: UNSUPPORTED | STANDARD_SUPPORT | EXTENDED_SUPPORT
    version = template.eks_cluster_version(ctx.target.template)
    if version is None:
        return Outcome(ok=True, detail="the template has no EKS cluster with a literal version")
    pages = ctx.client("eks").get_paginator("describe_cluster_versions").paginate(clusterVersions=[version])
    offered = [v for page in pages for v in page.get("clusterVersions", []) if v.get("clusterVersion") == version]
    if not offered:
        return Outcome(ok=False, detail=f"EKS does not offer Kubernetes {version} in {ctx.target.region}")
    status = str(offered[0].get("versionStatus") or offered[0].get("status") or "").upper().replace("-", "_")
    if status == "UNSUPPORTED":
        return Outcome(ok=False, detail=f"Kubernetes {version} is no longer supported by EKS: pin a newer version")
    end = offered[0].get("endOfStandardSupportDate")
    return Outcome(
        ok=True,
        detail=f"Kubernetes {version}: {status or 'offered'}"
        + (f", standard support until {end:%Y-%m-%d}" if end else ""),
    )


def eks_addon_versions(ctx: Context) -> Outcome:
    # DescribeAddonVersions lists the versions of an add-on for a Kubernetes version (paginated).
    # https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
    version = template.eks_cluster_version(ctx.target.template)
    addons = template.eks_addons(ctx.target.template)
    if not addons:
        return Outcome(ok=True, detail="no EKS add-on pins a version")
    paginator = ctx.client("eks").get_paginator("describe_addon_versions")
    good, bad = [], []
    for addon in addons:
        query = {"addonName": addon.name} | ({"kubernetesVersion": version} if version else {})
        offered = [
            v["addonVersion"]
            for page in paginator.paginate(**query)
            for described in page.get("addons", [])
            if described.get("addonName", addon.name) == addon.name
            for v in described.get("addonVersions", [])
        ]
        if addon.version in offered:
            good.append(f"{addon.name} {addon.version}")
        else:
            newest = ", ".join(offered[:3]) or "none"
            bad.append(f"{addon.name} {addon.version} (offered: {newest})")
    for_version = f" for Kubernetes {version}" if version else ""
    if bad:
        return Outcome(ok=False, detail=f"not offered{for_version} in {ctx.target.region}: {'; '.join(bad)}")
    return Outcome(ok=True, detail=f"offered{for_version}: {', '.join(good)}")


def availability_zones(ctx: Context) -> Outcome:
    # Zones available to the account in the Region, each with State available|information|impaired|unavailable|
    # constrained. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html
    wanted = template.availability_zones(ctx.target.template)
    if not wanted:
        return Outcome(ok=True, detail="the template names no Availability Zone")
    zones = ctx.client("ec2").describe_availability_zones()["AvailabilityZones"]
    states = {z["ZoneName"]: z.get("State", "") for z in zones}
    bad = [
        f"{az} ({states.get(az) or f'not a zone of {ctx.target.region} for this account'})"
        for az in wanted
        if states.get(az) != "available"
    ]
    if bad:
        return Outcome(
            ok=False, detail=f"{', '.join(bad)}: configure zones that are available (stacks/config.py, per Region)"
        )
    return Outcome(ok=True, detail=f"available: {', '.join(wanted)}")
