"""A claimed phone number, routed to a contact flow.

CloudFormation can claim a number (``AWS::Connect::PhoneNumber``) but has no resource that associates it with a
flow, so a small custom resource calls Connect's ``AssociatePhoneNumberContactFlow`` on create and update and
``DisassociatePhoneNumberContactFlow`` on delete. Its role may call exactly these two actions on this number and
this flow. The number itself is released when the stack deletes the ``AWS::Connect::PhoneNumber``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct

from stacks.constructs.lambda_factory import VPC_DESCRIBE_ACTIONS, VPC_INTERFACE_ACTIONS
from stacks.constructs.logs import encrypted_log_group
from stacks.constructs.removal import removal_policy

# AwsCustomResource's singleton provider function, a child of the stack.
PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"
PROVIDER_SKIPS = {
    "CKV_AWS_115": "CDK's AwsCustomResource provider runs only while CloudFormation deploys this route; a concurrency "
    "reservation would only take capacity from the account pool.",
    "CKV_AWS_116": "CloudFormation invokes it synchronously and rolls back on failure; a DLQ would never receive "
    "anything.",
    "CKV_AWS_173": "CDK sets no secret in its environment; Lambda encrypts environment variables at rest regardless.",
}


def _last_segment(arn: str, marker: str) -> str:
    """The id after ``marker`` in an ARN token, e.g. the flow id after ``contact-flow/``."""
    return cdk.Fn.select(1, cdk.Fn.split(marker, arn))


class PhoneNumberRoute(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        instance: connect.CfnInstance,
        flow: connect.CfnContactFlow,
        country_code: str,
        number_type: str,
        vpc: ec2.IVpc,
        logs_key: kms.IKey,
        log_retention_days: int,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        self.number = connect.CfnPhoneNumber(
            self,
            "Number",
            target_arn=instance.attr_arn,
            country_code=country_code,
            type=number_type,
            description="The bakery's inbound number",
        )
        self.number.apply_removal_policy(removal_policy(retain))
        self.number.override_logical_id("CallCenterPhoneNumber")  # callers know this number: never replace it
        target = {
            "PhoneNumberId": _last_segment(self.number.attr_phone_number_arn, "phone-number/"),
            "InstanceId": instance.attr_id,
        }
        associate = cr.AwsSdkCall(
            service="Connect",
            action="AssociatePhoneNumberContactFlow",
            parameters={**target, "ContactFlowId": _last_segment(flow.attr_contact_flow_arn, "contact-flow/")},
            physical_resource_id=cr.PhysicalResourceId.of(self.number.attr_phone_number_arn),
        )
        logs = encrypted_log_group(self, "ProviderLogs", key=logs_key, retention_days=log_retention_days, retain=retain)
        self.role = self._role(logs.log_group_arn, self.number.attr_phone_number_arn, flow.attr_contact_flow_arn)
        self.association = cr.AwsCustomResource(
            self,
            "FlowAssociation",
            resource_type="Custom::PhoneNumberContactFlow",
            on_create=associate,
            on_update=associate,
            on_delete=cr.AwsSdkCall(service="Connect", action="DisassociatePhoneNumberContactFlow", parameters=target),
            role=self.role,
            install_latest_aws_sdk=False,  # the SDK of the Lambda runtime: no download at deploy time
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            log_group=logs,
            memory_size=256,
            timeout=cdk.Duration.minutes(2),
        )
        self.provider = cdk.Stack.of(self).node.find_child(PROVIDER_ID)
        provider_function = self.provider.node.default_child
        assert isinstance(provider_function, cdk.CfnResource)
        provider_function.add_metadata(
            "checkov", {"skip": [{"id": k, "comment": v} for k, v in PROVIDER_SKIPS.items()]}
        )
        cdk.CfnOutput(self, "PhoneNumber", value=self.number.attr_address, description="Callers dial this number")

    def _role(self, log_group_arn: str, number_arn: str, flow_arn: str) -> iam.Role:
        """The provider function's role: its log group, its VPC network interfaces, this number and this flow."""
        self.policy = iam.ManagedPolicy(
            self,
            "ProviderPolicy",
            description="Associate one phone number with one contact flow; logs; VPC networking",
            statements=[
                iam.PolicyStatement(
                    actions=["connect:AssociatePhoneNumberContactFlow", "connect:DisassociatePhoneNumberContactFlow"],
                    resources=[number_arn, flow_arn],
                ),
                iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group_arn]),
                iam.PolicyStatement(actions=VPC_DESCRIBE_ACTIONS, resources=["*"]),
                iam.PolicyStatement(
                    actions=VPC_INTERFACE_ACTIONS,
                    resources=[cdk.Stack.of(self).format_arn(service="ec2", resource="*", resource_name="*")],
                ),
            ],
        )
        return iam.Role(
            self,
            "ProviderRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Routes the claimed phone number to the inbound contact flow",
            managed_policies=[self.policy],
        )
