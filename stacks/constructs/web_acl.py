"""A regional WAFv2 web ACL: AWS managed rule groups, a per-IP rate limit, and logging to an encrypted log group."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from stacks.constructs.logs import encrypted_log_group

# AWS managed rule groups, in priority order (each one's rules are documented in the WAF developer guide).
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",  # known malicious sources and bots
    "AWSManagedRulesCommonRuleSet",  # OWASP-style common exploits
    "AWSManagedRulesKnownBadInputsRuleSet",  # request patterns of known exploits (incl. Log4j)
)
# Requests per source IP per 5 minutes. Mobile carriers put many customers behind one address (carrier-grade NAT),
# so the edge limit is generous; the login gateway counts failed logins per account and client itself.
RATE_LIMIT_PER_5_MIN = 3000
# Never written to WAF logs: customers' bearer tokens, cookies, and the credentials of SigV4-signed requests.
REDACTED_HEADERS = ("authorization", "cookie", "x-amz-security-token")


class WebAcl(Construct):
    """Blocks what the managed rule groups and the rate limit catch; allows everything else."""

    def __init__(
        self, scope: Construct, id_: str, *, name: str, logs_key: kms.IKey, log_retention_days: int, retain_logs: bool
    ) -> None:
        super().__init__(scope, id_)
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group
                    )
                ),
                visibility_config=_visibility(group),
            )
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="RateLimitPerIp",
                priority=len(rules),
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=RATE_LIMIT_PER_5_MIN, aggregate_key_type="IP"
                    )
                ),
                visibility_config=_visibility("RateLimitPerIp"),
            )
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(name),
        )
        # WAF delivers logs only to log groups whose name starts with "aws-waf-logs-".
        self.log_group = encrypted_log_group(
            self,
            "Logs",
            name=f"aws-waf-logs-{name}",
            key=logs_key,
            retention_days=log_retention_days,
            retain=retain_logs,
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            # The log group's ARN without the ":*" that its Arn attribute carries, as WAF expects it.
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                for header in REDACTED_HEADERS
            ],
            log_destination_configs=[
                cdk.Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=self.log_group.log_group_name,
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
        )

    def associate(self, id_: str, resource_arn: str) -> wafv2.CfnWebACLAssociation:
        return wafv2.CfnWebACLAssociation(self, id_, resource_arn=resource_arn, web_acl_arn=self.web_acl.attr_arn)


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )
