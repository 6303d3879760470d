"""What a synthesized CloudFormation template will deploy: fixed names, reservations, pinned versions.

Pure functions over the template's JSON (no AWS, no CDK). Values that are tokens (``{"Ref": ...}``,
``{"Fn::Join": ...}``) are not known before deploy and are skipped: only literals can collide or be looked up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

Template = dict[str, Any]

# The property that fixes each resource type's physical name (CloudFormation resource reference of each type).
NAME_PROPERTIES: dict[str, str] = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::EKS::Cluster": "Name",
    "AWS::WAFv2::WebACL": "Name",
}

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
DEFAULT_BOOTSTRAP_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
DEFAULT_BOOTSTRAP_VERSION = 6
_SSM_REFERENCE = re.compile(r"\{\{resolve:ssm:([^}]+)\}\}")
_REQUIRED_VERSION = re.compile(r"version (\d+) required")


@dataclass(frozen=True)
class FixedName:
    type: str
    logical_id: str
    name: str


@dataclass(frozen=True)
class Reservation:
    logical_id: str
    function_name: str | None  # None when CloudFormation generates the name
    concurrency: int


@dataclass(frozen=True)
class Addon:
    name: str
    version: str


def resources(template: Template, type_: str) -> dict[str, dict[str, Any]]:
    """Logical ID -> Properties of every resource of one type."""
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == type_
    }


def count(template: Template, type_: str) -> int:
    return len(resources(template, type_))


def fixed_names(template: Template) -> list[FixedName]:
    """Every physical name the template fixes as a literal, for the types in ``NAME_PROPERTIES``."""
    names = []
    for type_, prop in NAME_PROPERTIES.items():
        for logical_id, props in resources(template, type_).items():
            if isinstance(props.get(prop), str):
                names.append(FixedName(type=type_, logical_id=logical_id, name=props[prop]))
    return names


def reservations(template: Template) -> list[Reservation]:
    """Functions with ReservedConcurrentExecutions (literal values only)."""
    found = []
    for logical_id, props in resources(template, "AWS::Lambda::Function").items():
        value = props.get("ReservedConcurrentExecutions")
        if isinstance(value, int | str) and str(value).isdigit():
            name = props.get("FunctionName")
            found.append(Reservation(logical_id, name if isinstance(name, str) else None, int(value)))
    return found


def total_reserved_concurrency(template: Template) -> int:
    return sum(r.concurrency for r in reservations(template))


def ssm_references(template: Template) -> list[str]:
    """SSM parameters resolved at deploy: ``{{resolve:ssm:NAME}}`` references and SSM-typed parameter defaults."""
    names = set(_SSM_REFERENCE.findall(json.dumps(template.get("Resources", {}))))
    for parameter in template.get("Parameters", {}).values():
        if str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and "Default" in parameter:
            names.add(str(parameter["Default"]))
    return sorted(names)


def eks_cluster_version(template: Template) -> str | None:
    versions = [
        p["Version"] for p in resources(template, "AWS::EKS::Cluster").values() if isinstance(p.get("Version"), str)
    ]
    return versions[0] if versions else None


def eks_addons(template: Template) -> list[Addon]:
    """EKS add-ons that pin a version."""
    return [
        Addon(p["AddonName"], p["AddonVersion"])
        for p in resources(template, "AWS::EKS::Addon").values()
        if isinstance(p.get("AddonName"), str) and isinstance(p.get("AddonVersion"), str)
    ]


def connect_aliases(template: Template) -> dict[str, str]:
    """Logical ID -> InstanceAlias of each Amazon Connect instance."""
    return {
        logical_id: props["InstanceAlias"]
        for logical_id, props in resources(template, "AWS::Connect::Instance").items()
        if isinstance(props.get("InstanceAlias"), str)
    }


def availability_zones(template: Template) -> list[str]:
    zones = [p.get("AvailabilityZone") for p in resources(template, "AWS::EC2::Subnet").values()]
    return sorted({z for z in zones if isinstance(z, str)})


def declares(template: Template | None, type_: str) -> bool:
    return template is not None and count(template, type_) > 0


def declares_github_oidc_provider(template: Template | None) -> bool:
    if template is None:
        return False
    return any(p.get("Url") == GITHUB_OIDC_URL for p in resources(template, "AWS::IAM::OIDCProvider").values())


def bootstrap_requirement(template: Template) -> tuple[str, int]:
    """(SSM parameter, minimum version) of CDK's ``CheckBootstrapVersion`` rule.

    CDK writes the rule as "BootstrapVersion is not one of 1..N-1" with the description "version N required".
    """
    parameter = template.get("Parameters", {}).get("BootstrapVersion", {}).get("Default", DEFAULT_BOOTSTRAP_PARAMETER)
    rule = template.get("Rules", {}).get("CheckBootstrapVersion", {})
    for assertion in rule.get("Assertions", []):
        refused = _refused_versions(assertion)
        if refused:
            return str(parameter), max(refused) + 1
        described = _REQUIRED_VERSION.search(str(assertion.get("AssertDescription", "")))
        if described:
            return str(parameter), int(described.group(1))
    return str(parameter), DEFAULT_BOOTSTRAP_VERSION


def _refused_versions(assertion: dict[str, Any]) -> list[int]:
    """The versions in ``{"Fn::Not": [{"Fn::Contains": [[...], {"Ref": "BootstrapVersion"}]}]}``."""
    negated = assertion.get("Assert", {}).get("Fn::Not") or [None]
    contains = negated[0].get("Fn::Contains") if isinstance(negated[0], dict) else None
    values = contains[0] if isinstance(contains, list) and contains else None
    if isinstance(values, list) and values and all(str(v).isdigit() for v in values):
        return [int(v) for v in values]
    return []
