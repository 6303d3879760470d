"""An existing phone number, routed to a contact flow.

The stack never claims a number: Korean numbers need business documents and a support case (README, "A phone number
for the call center"), and a claim that fails or is released on rollback costs the number. The operator claims or ports
one, then passes its ARN (`-c prod:connect_phone_number_arn=...`). CloudFormation has no resource that associates a
number with a flow, so a small custom resource calls Connect's ``AssociatePhoneNumberContactFlow`` on create and update
and ``DisassociatePhoneNumberContactFlow`` on delete, with exactly these two actions on this number and this flow.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from stacks.constructs.aws_api_call import AwsApiCalls


def _last_segment(arn: str, marker: str) -> str:
    """The id after ``marker`` in an ARN token, e.g. the flow id after ``contact-flow/``."""
    return cdk.Fn.select(1, cdk.Fn.split(marker, arn))


class PhoneNumberRoute(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        number_arn: str,
        instance: connect.CfnInstance,
        flow: connect.CfnContactFlow,
        calls: AwsApiCalls,
    ) -> None:
        super().__init__(scope, id_)
        number_id = number_arn.rsplit("phone-number/", 1)[1]
        target = {"PhoneNumberId": number_id, "InstanceId": instance.attr_id}
        associate = cr.AwsSdkCall(
            service="Connect",
            action="AssociatePhoneNumberContactFlow",
            parameters={**target, "ContactFlowId": _last_segment(flow.attr_contact_flow_arn, "contact-flow/")},
            physical_resource_id=cr.PhysicalResourceId.of(f"{number_arn}->inbound"),
        )
        self.association = calls.call(
            self,
            "FlowAssociation",
            resource_type="Custom::PhoneNumberContactFlow",
            on_create=associate,
            on_update=associate,
            on_delete=cr.AwsSdkCall(service="Connect", action="DisassociatePhoneNumberContactFlow", parameters=target),
            statements=[
                iam.PolicyStatement(
                    actions=["connect:AssociatePhoneNumberContactFlow", "connect:DisassociatePhoneNumberContactFlow"],
                    resources=[number_arn, flow.attr_contact_flow_arn],
                )
            ],
        )
        cdk.CfnOutput(self, "PhoneNumberArn", value=number_arn, description="The number routed to the inbound flow")
