"""Contact flows as they appear in a synthesized CloudFormation template.

A flow's ``Content`` is a string, an ``Fn::Sub`` or an ``Fn::Join``. References to the template's own resources
resolve to dummy ARNs that remember their logical ID, so a Lambda block can be traced to its function's
``Timeout`` and an hours check to its ``AWS::Connect::HoursOfOperation``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdas.call_center.flows import FlowError
from lambdas.call_center.hours import DAYS, WeeklyHours

ACCOUNT, REGION, PARTITION = "123456789012", "ap-northeast-2", "aws"
PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "Stack",
}
CONTACT_FLOW = "AWS::Connect::ContactFlow"
LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True, kw_only=True)
class TemplateFlow:
    logical_id: str
    name: str
    content: str  # the flow JSON with every reference resolved to a dummy value
    references: Mapping[str, str] = field(default_factory=dict)  # dummy value -> logical ID
    flow_type: str = "CONTACT_FLOW"  # the resource's Type (CONTACT_FLOW, CUSTOMER_QUEUE, ...)


def load_template(path: str | Path) -> dict[str, Any]:
    try:
        template = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise FlowError(f"{path}: cannot read the template: {error}") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise FlowError(f"{path}: not a CloudFormation template (no Resources)")
    return template


def contact_flows(template: Mapping[str, Any]) -> list[TemplateFlow]:
    resources = template.get("Resources", {})
    flows = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != CONTACT_FLOW:
            continue
        resolver = _Resolver(resources)
        properties = resource.get("Properties", {})
        content = resolver.resolve(properties.get("Content"), where=f"{logical_id}.Content")
        name = properties.get("Name")
        flows.append(
            TemplateFlow(
                logical_id=logical_id,
                name=name if isinstance(name, str) else logical_id,
                content=content,
                references=dict(resolver.references),
                flow_type=str(properties.get("Type", "CONTACT_FLOW")),
            )
        )
    return flows


def lambda_timeout(template: Mapping[str, Any], logical_id: str) -> int | None:
    """The function's ``Timeout`` (Lambda's default when unset); None when ``logical_id`` is not a function."""
    resource = template.get("Resources", {}).get(logical_id, {})
    if resource.get("Type") != "AWS::Lambda::Function":
        return None
    return int(resource.get("Properties", {}).get("Timeout", LAMBDA_DEFAULT_TIMEOUT_SECONDS))


def hours_of_operation(template: Mapping[str, Any], logical_id: str) -> WeeklyHours | None:
    resource = template.get("Resources", {}).get(logical_id, {})
    if resource.get("Type") != "AWS::Connect::HoursOfOperation":
        return None
    properties = resource.get("Properties", {})
    triples = [
        (slot["Day"], _clock(slot["StartTime"]), _clock(slot["EndTime"]))
        for slot in properties.get("Config", [])
        if slot.get("Day") in DAYS
    ]
    return WeeklyHours.of(triples, str(properties.get("TimeZone", "UTC")))


def _clock(slice_: Mapping[str, Any]) -> str:
    return f"{int(slice_['Hours']):02d}:{int(slice_['Minutes']):02d}"


class _Resolver:
    def __init__(self, resources: Mapping[str, Any]) -> None:
        self._resources = resources
        self.references: dict[str, str] = {}

    def resolve(self, value: Any, *, where: str) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, Mapping) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self._ref(str(argument), where)
            if function == "Fn::GetAtt":
                parts = argument if isinstance(argument, list) else str(argument).split(".", 1)
                return self._attribute(str(parts[0]), str(parts[1]), where)
            if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                return str(argument[0]).join(self.resolve(part, where=where) for part in argument[1])
            if function == "Fn::Sub":
                return self._sub(argument, where)
        raise FlowError(f"{where}: cannot resolve {json.dumps(value)[:120]} (only Ref, Fn::GetAtt, Fn::Join, Fn::Sub)")

    def _sub(self, argument: Any, where: str) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        values = {name: self.resolve(value, where=where) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if name in PSEUDO_PARAMETERS:
                return PSEUDO_PARAMETERS[name]
            if "." in name:
                resource, attribute = name.split(".", 1)
                return self._attribute(resource, attribute, where)
            return self._ref(name, where)

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")

    def _ref(self, name: str, where: str) -> str:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        return self._attribute(name, "Ref", where)

    def _attribute(self, logical_id: str, attribute: str, where: str) -> str:
        resource = self._resources.get(logical_id)
        if resource is None:
            raise FlowError(f"{where}: reference to {logical_id!r}, which is not a resource of the template")
        parts = str(resource.get("Type", "")).lower().split("::")
        service, kind = (parts[1], parts[2]) if len(parts) == 3 else ("unknown", "resource")
        separator = ":" if service == "lambda" else "/"
        dummy = f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{kind}{separator}{logical_id}"
        if attribute not in ("Ref", "Arn") and not attribute.endswith("Arn"):
            dummy = f"{dummy}#{attribute}"
        self.references[dummy] = logical_id
        return dummy
