"""CloudWatch, per stack, with cdk-monitoring-constructs: one dashboard, alarms on every part of ours that can fail,
one composite "platform unhealthy" alarm, and an encrypted SNS topic that reaches a person. The same topic takes the
AMP Alertmanager's notifications (stacks/constructs/alerts.py): one place to subscribe, one key, one policy.

The topic's key is customer managed: CloudWatch must be allowed kms:Decrypt and kms:GenerateDataKey* on it to
publish, and the AWS managed key (alias/aws/sns) has a policy nobody can change, so alarms sent to a topic encrypted
with it are dropped (SNS developer guide, "Key management": "Enable compatibility between event sources from AWS
services and encrypted topics").
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import cdk_monitoring_constructs as mon
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_connect as connect
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from stacks.config import AlarmsConfig
from stacks.constructs.observability_connect import CRITICAL, connect_metric_groups
from stacks.constructs.removal import removal_policy


class Observability(Construct):
    """``topic`` (KMS-encrypted, TLS only), ``facade`` (dashboard and alarms), ``platform_unhealthy`` (composite)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: AlarmsConfig,
        prefix: str,
        retain: bool,
        api: apigateway.RestApi,
        api_stage: str,
        functions: Sequence[lambda_.Function],
        stream_function: lambda_.Function,
        failures: sqs.IQueue,
        tables: Sequence[dynamodb.ITable],
        connect_instance: connect.CfnInstance,
        contact_flow_names: Sequence[str],
        web_acl: wafv2.CfnWebACL | None,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        self.key = kms.Key(
            self,
            "AlarmsKey",
            description=f"{prefix} alarm notifications (SNS)",
            alias=f"alias/{prefix}/alarms",
            enable_key_rotation=True,
            removal_policy=removal_policy(retain),
            pending_window=cdk.Duration.days(30 if retain else 7),
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=f"{prefix}-alarms", master_key=self.key, enforce_ssl=True)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        if config.email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.email))
        self.facade = mon.MonitoringFacade(
            self,
            "Monitoring",
            alarm_factory_defaults=mon.AlarmFactoryDefaults(
                alarm_name_prefix=prefix,  # the library joins prefix and name with "-": tlj-<env>-...
                actions_enabled=True,
                action=mon.SnsAlarmActionStrategy(on_alarm_topic=self.topic),
                evaluation_periods=config.evaluation_periods,
                datapoints_to_alarm=config.evaluation_periods,
            ),
            dashboard_factory=mon.DefaultDashboardFactory(
                self,
                "Dashboards",
                dashboard_name_prefix=prefix,
                create_alarm_dashboard=False,
                create_summary_dashboard=False,
            ),
        )
        self._api(config, api, api_stage)
        for function in functions:
            self._function(config, function, iterator=function is stream_function)
        self.facade.monitor_sqs_queue(
            queue=failures,
            alarm_friendly_name="indexer-failures",
            # Any message is an alarm: each one is an Orders-stream record the statistics never saw.
            add_queue_max_size_alarm={CRITICAL: mon.MaxMessageCountThreshold(max_message_count=0)},
        )
        for table in tables:
            self._table(config, table)
        self.facade.monitor_custom(
            alarm_friendly_name="call-center",
            human_readable_name="Amazon Connect",
            metric_groups=connect_metric_groups(
                instance=connect_instance, flow_names=contact_flow_names, missed_calls=config.connect_missed_calls
            ),
        )
        if web_acl is not None:
            self.facade.monitor_web_application_firewall_acl_v2(
                acl=web_acl,
                region=stack.region,  # WAF's REGIONAL metrics carry the Region dimension
                alarm_friendly_name="ingress-waf",
                add_blocked_requests_count_alarm={
                    CRITICAL: mon.ErrorCountThreshold(max_error_count=config.waf_blocked_requests)
                },
            )
        self.platform_unhealthy = self.facade.create_composite_alarm_using_disambiguator(
            CRITICAL,
            disambiguator=CRITICAL,
            alarm_name_override=f"{prefix}-platform-unhealthy",
            alarm_description="Any alarm of the platform is in ALARM: see the dashboard and the named child alarm.",
        )

    def _api(self, config: AlarmsConfig, api: apigateway.RestApi, stage: str) -> None:
        self.facade.monitor_api_gateway(
            api=api,
            api_stage=stage,
            alarm_friendly_name="recommendation-api",
            add5_xx_fault_rate_alarm={CRITICAL: mon.ErrorRateThreshold(max_error_rate=config.api_5xx_rate_percent)},
            add_latency_p99_alarm={
                CRITICAL: mon.LatencyThreshold(max_latency=cdk.Duration.millis(config.api_latency_p99_ms))
            },
        )

    def _function(self, config: AlarmsConfig, function: lambda_.Function, *, iterator: bool) -> None:
        self.facade.monitor_lambda_function(
            lambda_function=function,
            alarm_friendly_name=function.node.id,
            add_fault_count_alarm={CRITICAL: mon.ErrorCountThreshold(max_error_count=config.lambda_errors)},
            add_throttles_count_alarm={CRITICAL: mon.ErrorCountThreshold(max_error_count=config.lambda_throttles)},
            # Duration against the function's own timeout: a function near it is about to time out.
            add_latency_p99_alarm={
                CRITICAL: mon.LatencyTimeoutPercentageThreshold(
                    max_latency_percentage_of_timeout=config.lambda_duration_percent_of_timeout
                )
            },
            is_iterator=iterator,
            add_max_iterator_age_alarm=(
                {CRITICAL: mon.MaxAgeThreshold(max_age_in_millis=config.iterator_age_seconds * 1000)}
                if iterator
                else None
            ),
        )

    def _table(self, config: AlarmsConfig, table: dynamodb.ITable) -> None:
        throttled = {
            CRITICAL: mon.ThrottledEventsThreshold(max_throttled_events_threshold=config.dynamodb_throttled_requests)
        }
        self.facade.monitor_dynamo_table(
            table=table,
            alarm_friendly_name=table.node.id,  # e.g. OrdersTable: the prefix is already the alarm names'
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            add_read_throttled_events_count_alarm=throttled,
            add_write_throttled_events_count_alarm=throttled,
            add_system_error_count_alarm={CRITICAL: mon.ErrorCountThreshold(max_error_count=0)},
        )
