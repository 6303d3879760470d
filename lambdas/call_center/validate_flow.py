"""Static checks of contact flows, in synthesized templates or flow files (run by ``make test``).

    python -m lambdas.call_center.validate_flow cdk.out/DevStack.template.json cdk.out/ProdStack.template.json

Fails (exit 1) on: unreachable blocks, transitions to missing blocks, blocks without a way on, Lambda blocks without
an error branch, a Lambda block limit above 8 s, a Lambda function whose ``Timeout`` is above 8 s or not below its
block's limit, input blocks without timeout and no-match branches, malformed Loop and hours checks, action types
the simulator does not interpret, a block the Flow language reference does not allow in the flow's type (from the
template's ``Type``, or the file name via ``flows.flow_type``), a missing error branch that the reference lists for
a block (``flow_model.BLOCKS``), a CheckMetricData condition Connect does not support, a prompt with both or neither
of Text and SSML, SSML that is not well-formed ``<speak>`` XML, and personal data (the customer's name, a speech
string holding it, a phone number) stored in a persistent contact attribute. A template without any contact flow
fails too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lambdas.call_center import ssml
from lambdas.call_center.flow_model import BLOCKS, ENDS_FLOW, Action, Flow, load_flow
from lambdas.call_center.flows import FLOW_TYPES, MAX_BLOCK_TIMEOUT_SECONDS, FlowError
from lambdas.call_center.template import contact_flows, lambda_timeout, load_template

TimeoutOf = Callable[[str], int | None]  # Lambda ARN -> the function's Timeout, when the template defines it
_REQUIRED_CONDITIONS = {"Loop": {"ContinueLooping", "DoneLooping"}, "CheckHoursOfOperation": {"True", "False"}}
# Contact attributes outlive the call (contact records, agents' screens, exports): never the caller's name, a speech
# string that holds it, or a phone number. Flow attributes ($.FlowAttributes) are for what the call needs only.
PERSONAL = re.compile(r"\$\.(External\.(customer_name|order_status_speech|phone\w*)|CustomerEndpoint\.Address)\b")
_ANY_REFERENCE = re.compile(r"\$\.[A-Za-z]+(\.[A-Za-z0-9_\-]+)+")
# "If the MetricType is NumberOfAgents* then the only supported condition is NumberGreaterThan 0"
# (APIReference/flow-control-actions-checkmetricdata.html).
_AGENT_METRIC_CONDITION = ("NumberGreaterThan", ("0",))


def check_flow(
    content: str | Mapping[str, Any], timeout_of: TimeoutOf = lambda _arn: None, flow_type: str = "CONTACT_FLOW"
) -> list[str]:
    """Every problem of one flow of Connect type ``flow_type``, as sentences; an empty list means the flow passes."""
    try:
        flow = load_flow(content)
    except FlowError as error:
        return [str(error)]
    findings: list[str] = []
    for action in flow.actions.values():
        findings += _check_action(action, flow, timeout_of)
        findings += _check_reference_rules(action, flow_type)
    reachable = _reachable(flow)
    findings += [f"block {i!r} ({flow.actions[i].type}) is unreachable" for i in flow.actions if i not in reachable]
    return findings


def check_template(template: Mapping[str, Any]) -> dict[str, list[str]]:
    """Findings per contact flow of a template (keyed by the flow's logical ID)."""
    flows = contact_flows(template)
    if not flows:
        return {"(template)": ["no AWS::Connect::ContactFlow in the template"]}
    results = {}
    for flow in flows:

        def timeout_of(arn: str, refs: Mapping[str, str] = flow.references) -> int | None:
            return lambda_timeout(template, refs[arn]) if arn in refs else None

        results[flow.logical_id] = check_flow(flow.content, timeout_of, flow.flow_type)
    return results


def _check_action(action: Action, flow: Flow, timeout_of: TimeoutOf) -> list[str]:
    where = f"block {action.identifier!r} ({action.type})"
    findings = [f"{where}: transition to missing block {t!r}" for t in action.targets() if t not in flow.actions]
    endless = action.type == "MessageParticipantIteratively" and not action.parameters.get("InterruptFrequencySeconds")
    if action.type not in ENDS_FLOW and not endless and not action.next_action and not action.conditions:
        findings.append(f"{where}: no NextAction, the call would stop here")
    required = _REQUIRED_CONDITIONS.get(action.type)
    if required and {c.operands[0] for c in action.conditions if c.operands} != required:
        findings.append(f"{where}: needs exactly the conditions {sorted(required)}")
    if action.type == "GetParticipantInput":
        missing = {"InputTimeLimitExceeded", "NoMatchingCondition"} - set(action.errors)
        findings += [f"{where}: no {error} branch" for error in sorted(missing)]
    if action.type == "InvokeLambdaFunction":
        findings += _check_lambda(action, where, timeout_of)
    return findings


def _check_reference_rules(action: Action, flow_type: str) -> list[str]:
    """What the Flow language reference (the page in ``BLOCKS``) and our privacy rule say about one block."""
    where, spec = f"block {action.identifier!r} ({action.type})", BLOCKS[action.type]
    findings = []
    if flow_type not in spec.flow_types:
        findings.append(f"{where}: not allowed in a {flow_type} flow ({spec.doc})")
    if action.type != "GetParticipantInput":  # its branches are checked with their own wording
        missing = spec.errors - set(action.errors)
        findings += [f"{where}: no {error} error branch ({spec.doc})" for error in sorted(missing)]
    if action.type in ("MessageParticipant", "GetParticipantInput"):
        findings += _check_prompt(action.parameters, where)
    for message in action.parameters.get("Messages", []) if action.type == "MessageParticipantIteratively" else []:
        findings += _check_prompt(message, where)
    if action.type == "CheckMetricData" and str(action.parameters.get("MetricType", "")).startswith("NumberOfAgents"):
        odd = [c for c in action.conditions if (c.operator, c.operands) != _AGENT_METRIC_CONDITION]
        findings += [f"{where}: agent metrics support only the condition NumberGreaterThan 0" for _ in odd[:1]]
    if action.type == "UpdateContactAttributes":
        for name, value in dict(action.parameters.get("Attributes", {})).items():
            if PERSONAL.search(str(value)):
                findings.append(
                    f"{where}: contact attribute {name!r} would keep personal data ({value}); use UpdateFlowAttributes"
                )
    return findings


def _check_prompt(parameters: Mapping[str, Any], where: str) -> list[str]:
    if ("Text" in parameters) == ("SSML" in parameters):
        return [f"{where}: a prompt needs exactly one of Text and SSML"]
    if "SSML" not in parameters:
        return []
    try:  # references are filled at run time; a word stands in for each
        ssml.spoken(_ANY_REFERENCE.sub("x", str(parameters["SSML"])))
    except FlowError as error:
        return [f"{where}: {error}"]
    return []


def _check_lambda(action: Action, where: str, timeout_of: TimeoutOf) -> list[str]:
    findings = [] if action.errors else [f"{where}: Lambda block without an error branch"]
    try:
        limit = int(action.parameters.get("InvocationTimeLimitSeconds", ""))
    except ValueError:
        return [*findings, f"{where}: InvocationTimeLimitSeconds must be a whole number of seconds"]
    if not 1 <= limit <= MAX_BLOCK_TIMEOUT_SECONDS:
        findings.append(f"{where}: InvocationTimeLimitSeconds {limit} s is outside 1..{MAX_BLOCK_TIMEOUT_SECONDS} s")
    timeout = timeout_of(str(action.parameters.get("LambdaFunctionARN", "")))
    if timeout is not None and timeout > MAX_BLOCK_TIMEOUT_SECONDS:
        findings.append(f"{where}: the function's Timeout {timeout} s is above {MAX_BLOCK_TIMEOUT_SECONDS} s")
    elif timeout is not None and timeout >= limit:
        findings.append(f"{where}: the function's Timeout {timeout} s is not below the block's limit {limit} s")
    return findings


def _reachable(flow: Flow) -> set[str]:
    seen, stack = set(), [flow.start]
    while stack:
        identifier = stack.pop()
        if identifier in seen or identifier not in flow.actions:
            continue
        seen.add(identifier)
        stack.extend(flow.actions[identifier].targets())
    return seen


def check_path(path: Path) -> dict[str, list[str]]:
    """A synthesized template (findings per flow) or a single rendered flow file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        return {path.name: [f"cannot read: {error}"]}
    if isinstance(doc, dict) and "Resources" in doc:
        try:
            return check_template(load_template(path))
        except FlowError as error:
            return {"(template)": [str(error)]}
    return {path.name: check_flow(doc, flow_type=FLOW_TYPES.get(path.stem, "CONTACT_FLOW"))}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lambdas.call_center.validate_flow", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, help="synthesized templates or flow JSON files")
    args = parser.parse_args(argv)
    failed = False
    for path in args.paths:
        for flow, findings in check_path(path).items():
            sys.stdout.write(f"{'FAIL' if findings else 'ok  '} {path}: {flow}\n")
            for finding in findings:
                sys.stdout.write(f"     - {finding}\n")
            failed |= bool(findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
