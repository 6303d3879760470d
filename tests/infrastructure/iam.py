"""Read IAM out of a synthesized template: a role's trust, the statements granted to it, and where they apply."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from tests.infrastructure.conftest import resources


def role_id(template: Template, role_name: str) -> str:
    """Logical ID of the role whose RoleName is ``role_name``."""
    (found,) = [
        logical_id
        for logical_id, role in resources(template, "AWS::IAM::Role").items()
        if role["Properties"].get("RoleName") == role_name
    ]
    return found


def trust(template: Template, role_name: str) -> list[dict[str, Any]]:
    role = resources(template, "AWS::IAM::Role")[role_id(template, role_name)]
    return list(role["Properties"]["AssumeRolePolicyDocument"]["Statement"])


def _attached_to(policy: dict[str, Any], logical_id: str) -> bool:
    return {"Ref": logical_id} in policy["Properties"].get("Roles", [])


def statements(template: Template, role_name: str) -> list[dict[str, Any]]:
    """Every statement of every identity policy (managed or inline) attached to the role."""
    logical_id = role_id(template, role_name)
    found: list[dict[str, Any]] = []
    for kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
        for policy in resources(template, kind).values():
            if _attached_to(policy, logical_id):
                found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def inline_policies(template: Template, role_name: str) -> list[str]:
    logical_id = role_id(template, role_name)
    role = resources(template, "AWS::IAM::Role")[logical_id]
    attached = [pid for pid, p in resources(template, "AWS::IAM::Policy").items() if _attached_to(p, logical_id)]
    return attached + [p["PolicyName"] for p in role["Properties"].get("Policies", [])]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def actions(statement: dict[str, Any]) -> set[str]:
    return set(as_list(statement["Action"]))


def resource_text(statement: dict[str, Any]) -> list[str]:
    """Each resource of the statement as JSON text, so tests can look for logical IDs in it."""
    return [json.dumps(r) for r in as_list(statement["Resource"])]


def allowed(template: Template, role_name: str) -> dict[str, set[str]]:
    """Action -> the resources (as JSON text) the role may use it on."""
    grants: dict[str, set[str]] = {}
    for statement in statements(template, role_name):
        assert statement["Effect"] == "Allow"
        for action in actions(statement):
            grants.setdefault(action, set()).update(resource_text(statement))
    return grants
