"""The call center's contact flows as CloudFormation resources, and the queue's outbound caller ID.

Each flow file becomes an ``AWS::Connect::ContactFlow`` of the type ``lambdas.call_center.flows.flow_type`` gives it.
A flow that another flow hooks (the customer queue, set by the inbound flow's UpdateContactEventHooks) is created
first, so its ARN can be handed to the hooking flow's ``Fn::Sub``.
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from constructs import Construct, IConstruct

from lambdas.call_center.flows import FlowOptions, flow_names, flow_type, render
from stacks.config import CallCenterConfig

# Flow placeholder of each flow that another flow hooks (lambdas.call_center.flows.ARN_PLACEHOLDERS).
FLOW_ARN_PLACEHOLDERS = {"customer_queue": "CustomerQueueFlowArn"}


def contact_flows(
    scope: Construct,
    *,
    instance_arn: str,
    options: FlowOptions,
    prefix: str,
    arns: Mapping[str, str],
    after: IConstruct,
) -> dict[str, connect.CfnContactFlow]:
    """Every flow file, hooked flows first; ``arns`` are the resources' ARNs by placeholder, ``after`` what each
    flow waits for (the Lambda integration: Connect accepts a flow's Lambda only once it is associated)."""
    names = flow_names()
    hooked = [name for name in names if name in FLOW_ARN_PLACEHOLDERS]
    flows: dict[str, connect.CfnContactFlow] = {}
    for name in hooked + [name for name in names if name not in FLOW_ARN_PLACEHOLDERS]:
        hooks = {FLOW_ARN_PLACEHOLDERS[n]: flows[n].attr_contact_flow_arn for n in hooked if n in flows}
        content = render(name, options)
        # Only what the flow uses: Fn::Sub of a flow without placeholders would be a plain string anyway.
        used = {key: arn for key, arn in {**arns, **hooks}.items() if f"${{{key}}}" in content}
        flow = connect.CfnContactFlow(
            scope,
            f"{name.title().replace('_', '')}Flow",
            instance_arn=instance_arn,
            name=f"{prefix}-{name}",
            type=flow_type(name),
            state="ACTIVE",
            description=f"stacks/assets/contact_flows/{name}.json ({options.lang}, voice {options.voice})",
            content=cdk.Fn.sub(content, used) if used else content,
        )
        flow.node.add_dependency(after)
        flows[name] = flow
    return {name: flows[name] for name in names}


def outbound_caller(config: CallCenterConfig) -> connect.CfnQueue.OutboundCallerConfigProperty | None:
    """The configured number as the queue's outbound caller ID, which queued callbacks dial from; None without."""
    if not config.callback_enabled or config.phone_number_arn is None:
        return None
    # OutboundCallerIdNumberArn takes the number ARN without "instance/<id>/" in its path (CloudFormation
    # reference, "AWS::Connect::Queue OutboundCallerConfig"), i.e. arn:...:<account>:phone-number/<id>.
    arn = config.phone_number_arn
    account_arn = ":".join(arn.split(":")[:5])
    number_id = arn.rsplit("phone-number/", 1)[1]
    return connect.CfnQueue.OutboundCallerConfigProperty(
        outbound_caller_id_number_arn=f"{account_arn}:phone-number/{number_id}"
    )
