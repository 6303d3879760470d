"""The regional WAF web ACL of the public ALB: the ACL, each rule (a managed group is one rule) and requests."""

from __future__ import annotations

from typing import Any

from stacks.cost.model import FIXED, USAGE, CostError, Line
from stacks.cost.pricers.context import DAYS_PER_MONTH, Context, amount, line

CATEGORY = "security"
PAID_GROUPS = ("AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet")


def web_acl(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    rules = resource.get("Properties", {}).get("Rules", [])
    for rule in rules:
        group = rule.get("Statement", {}).get("ManagedRuleGroupStatement", {}).get("Name")
        if group in PAID_GROUPS:
            raise CostError(f"{logical_id}: managed rule group {group} has its own subscription fee, not priced")
    per_day = ctx.usage.number("waf_requests_per_day")
    kind = resource["Type"]
    return [
        line(
            logical_id,
            kind,
            "web ACL and rules",
            FIXED,
            CATEGORY,
            ctx.charge(1, "web ACL", "waf_web_acl_month"),
            ctx.charge(len(rules), "rules", "waf_rule_month"),
        ),
        line(
            logical_id,
            kind,
            "WAF requests",
            USAGE,
            CATEGORY,
            ctx.charge(
                round(per_day * DAYS_PER_MONTH), f"requests ({amount(per_day)}/day)", "waf_requests_million", per=1e6
            ),
        ),
    ]


PRICERS = {"AWS::WAFv2::WebACL": web_acl}
