"""The call center on Amazon Connect: instance, store hours, agent queue, the inbound flow and its lookup Lambda.

The flows are data (``stacks/assets/contact_flows/``), rendered by ``lambdas.call_center.flows`` (the code the
simulator uses too) and given their ARNs with ``Fn::Sub`` at deploy time; the customer-queue flow comes first, since
the inbound flow hooks it. A claimed phone number is routed to the inbound flow by :class:`PhoneNumberRoute` when an
existing number is configured: the stack never claims one. With Contact Lens on, :class:`CallRecordings` gives the
instance its recording and contact-record storage; with it off there is neither, and no flow records.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from lambdas.call_center.flows import FlowOptions
from lambdas.call_center.hours import WeeklyHours
from stacks.config import CallCenterConfig, FunctionsConfig
from stacks.constructs.aws_api_call import AwsApiCalls
from stacks.constructs.call_center_flows import contact_flows, outbound_caller
from stacks.constructs.call_center_lookup import LookupTables, lookup_function
from stacks.constructs.call_center_phone import PhoneNumberRoute
from stacks.constructs.call_center_recording import CallRecordings
from stacks.constructs.logs import encrypted_log_group
from stacks.constructs.network import Network
from stacks.constructs.removal import removal_policy

INBOUND_FLOW = "inbound"


class CallCenter(Construct):
    """A Connect instance (inbound calls, flow logs) with store hours, the agent queue and routing profile, the lookup
    Lambda with its integration and resource policy, one contact flow per file, and optionally a routed number."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: CallCenterConfig,
        functions: FunctionsConfig,
        prefix: str,
        network: Network,
        logs_key: kms.IKey,
        retain: bool,
        tables: LookupTables,
    ) -> None:
        super().__init__(scope, id_)
        options = FlowOptions.of(config)  # validates language, hours and timeouts at synth
        self.instance = connect.CfnInstance(
            self,
            "Instance",
            instance_alias=config.instance_alias,
            identity_management_type="CONNECT_MANAGED",
            # A queued callback dials the customer from the queue's caller ID (Connect admin guide, "Set up queued
            # callback"): an outbound call, which the OutboundCalls attribute allows. Without callbacks: inbound only.
            attributes=connect.CfnInstance.AttributesProperty(
                inbound_calls=True,
                outbound_calls=config.callback_enabled,
                contactflow_logs=True,
                contact_lens=config.contact_lens,
            ),
        )
        self.instance.apply_removal_policy(removal_policy(retain))
        self.instance.override_logical_id("CallCenterInstance")  # stateful: agents, numbers, history
        # Connect writes flow logs to this fixed name and creates the group itself if it is missing, so the instance
        # waits for ours: otherwise the first flow log can win the race and our create fails with AlreadyExists.
        self.flow_logs = encrypted_log_group(
            self,
            "FlowLogs",
            name=f"/aws/connect/{config.instance_alias}",
            key=logs_key,
            retention_days=functions.log_retention_days,
            retain=retain,
        )
        self.instance.node.add_dependency(self.flow_logs)
        self.hours = self._hours(options.hours, prefix)
        self.queue = connect.CfnQueue(
            self,
            "AgentQueue",
            instance_arn=self.instance.attr_arn,
            name=f"{prefix}-agents",
            description="Callers who asked for an agent, or whose lookup failed, in store hours",
            hours_of_operation_arn=self.hours.attr_hours_of_operation_arn,
            max_contacts=config.queue_max_contacts,
            outbound_caller_config=outbound_caller(config),
        )
        self.routing_profile = connect.CfnRoutingProfile(
            self,
            "AgentRouting",
            instance_arn=self.instance.attr_arn,
            name=f"{prefix}-agents",
            description="Bakery agents: voice calls from the agent queue",
            default_outbound_queue_arn=self.queue.attr_queue_arn,
            media_concurrencies=[connect.CfnRoutingProfile.MediaConcurrencyProperty(channel="VOICE", concurrency=1)],
            queue_configs=[
                connect.CfnRoutingProfile.RoutingProfileQueueConfigProperty(
                    delay=0,
                    priority=1,
                    queue_reference=connect.CfnRoutingProfile.RoutingProfileQueueReferenceProperty(
                        channel="VOICE", queue_arn=self.queue.attr_queue_arn
                    ),
                )
            ],
        )
        self.function = lookup_function(
            self,
            config=config,
            functions=functions,
            prefix=prefix,
            network=network,
            logs_key=logs_key,
            retain=retain,
            tables=tables,
        )
        self.integration = connect.CfnIntegrationAssociation(
            self,
            "LookupIntegration",
            instance_id=self.instance.attr_arn,
            integration_type="LAMBDA_FUNCTION",
            integration_arn=self.function.function_arn,
        )
        self.function.add_permission(
            "ConnectInvoke",
            principal=iam.ServicePrincipal("connect.amazonaws.com"),
            source_arn=self.instance.attr_arn,
            source_account=cdk.Stack.of(self).account,
        )
        self.recordings: CallRecordings | None = None
        if config.contact_lens:
            self.recordings = CallRecordings(
                self,
                "Recordings",
                instance=self.instance,
                prefix=prefix,
                retention_days=config.recording_retention_days,
                contact_records_retention_hours=config.contact_records_retention_hours,
                retain=retain,
            )
        self.flows = contact_flows(
            self,
            instance_arn=self.instance.attr_arn,
            options=options,
            prefix=prefix,
            arns={
                "CallCenterLambdaArn": self.function.function_arn,
                "QueueArn": self.queue.attr_queue_arn,
                "HoursOfOperationArn": self.hours.attr_hours_of_operation_arn,
            },
            after=self.integration,
        )
        self.phone_route: PhoneNumberRoute | None = None
        if config.phone_number_arn:
            self.phone_route = PhoneNumberRoute(
                self,
                "PhoneNumber",
                number_arn=config.phone_number_arn,
                instance=self.instance,
                flow=self.flows[INBOUND_FLOW],
                calls=AwsApiCalls.ensure(
                    self,
                    vpc=network.vpc,
                    logs_key=logs_key,
                    log_retention_days=functions.log_retention_days,
                    retain=retain,
                ),
            )
        cdk.CfnOutput(self, "ConnectInstanceArn", value=self.instance.attr_arn)
        cdk.CfnOutput(self, "ConnectAccessUrl", value=f"https://{config.instance_alias}.my.connect.aws/")

    def _hours(self, hours: WeeklyHours, prefix: str) -> connect.CfnHoursOfOperation:
        def time_slice(value: object) -> connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty:
            hour, minute = str(value).split(":")
            return connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(hours=int(hour), minutes=int(minute))

        return connect.CfnHoursOfOperation(
            self,
            "StoreHours",
            instance_arn=self.instance.attr_arn,
            name=f"{prefix}-store-hours",
            description="Store hours: the agent queue takes calls only within them",
            time_zone=hours.time_zone,
            config=[
                connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
                    day=day, start_time=time_slice(opens), end_time=time_slice(closes)
                )
                for day, opens, closes in hours.triples()
            ],
        )
