"""What a flow runs on: the contact's data, references to it (``$.External.x``, ``$.Attributes.x``,
``$.CustomerEndpoint.Address``), condition operators, and the event Connect sends to a Lambda function."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from lambdas.call_center.flow_model import Condition
from lambdas.call_center.flows import FlowError

_REFERENCE = re.compile(
    r"\$\.(?:(External|Attributes|FlowAttributes)\.([A-Za-z0-9_\-]+)|(CustomerEndpoint\.Address)"
    r"|Metrics\.([A-Za-z.]*[A-Za-z]))"
)


class ContactState(Protocol):
    """The contact as a flow sees it (read-only here)."""

    @property
    def phone(self) -> str | None: ...

    @property
    def instance_arn(self) -> str: ...

    @property
    def system_number(self) -> str: ...

    @property
    def contact_id(self) -> str: ...

    @property
    def attributes(self) -> dict[str, str]: ...

    @property
    def external(self) -> dict[str, str]: ...

    @property
    def flow_attributes(self) -> dict[str, str]: ...

    @property
    def metrics(self) -> dict[str, str]: ...


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda value, operand: value == operand,
    "TextContains": lambda value, operand: operand in value,
    "TextStartsWith": lambda value, operand: value.startswith(operand),
    "TextEndsWith": lambda value, operand: value.endswith(operand),
}
_NUMERIC = {
    "NumberGreaterThan": lambda a, b: a > b,
    "NumberGreaterOrEqualTo": lambda a, b: a >= b,
    "NumberLessThan": lambda a, b: a < b,
    "NumberLessOrEqualTo": lambda a, b: a <= b,
}


def match(conditions: Sequence[Condition], value: str) -> str | None:
    for condition in conditions:
        if condition.operator in _NUMERIC:
            try:
                if _NUMERIC[condition.operator](float(value), float(condition.operands[0])):
                    return condition.target
            except ValueError:
                continue
        elif condition.operator in _OPERATORS:
            if any(_OPERATORS[condition.operator](value, operand) for operand in condition.operands):
                return condition.target
        else:
            raise FlowError(f"condition operator {condition.operator!r} is not simulated")
    return None


def interpolate(text: str, state: ContactState) -> tuple[str, list[str]]:
    """``text`` with its ``$.External.x``, ``$.Attributes.x``, ``$.FlowAttributes.x``, ``$.Metrics.x`` (loaded by
    GetMetricData) and ``$.CustomerEndpoint.Address`` references filled."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        namespace, name, endpoint, metric = match.groups()
        if endpoint:
            return state.phone or ""
        if metric:
            name, source = metric, state.metrics
        else:
            source = {"External": state.external, "Attributes": state.attributes}.get(namespace, state.flow_attributes)
        if name not in source:
            missing.append(match.group(0))
            return ""
        return source[name]

    return _REFERENCE.sub(replace, text), missing


def string_map(attributes: Any) -> bool:
    return isinstance(attributes, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    )


def connect_event(state: ContactState, parameters: Mapping[str, str]) -> dict[str, Any]:
    """The event Amazon Connect sends to a Lambda function from a flow."""
    endpoint = {"Address": state.phone, "Type": "TELEPHONE_NUMBER"} if state.phone is not None else None
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": dict(state.attributes),
                "Channel": "VOICE",
                "ContactId": state.contact_id,
                "CustomerEndpoint": endpoint,
                "InitialContactId": state.contact_id,
                "InitiationMethod": "INBOUND",
                "InstanceARN": state.instance_arn,
                "PreviousContactId": state.contact_id,
                "Queue": None,
                "SystemEndpoint": {"Address": state.system_number, "Type": "TELEPHONE_NUMBER"},
                "MediaStreams": {"Customer": {"Audio": None}},
            },
            "Parameters": dict(parameters),
        },
    }
