"""Amazon Connect: no instance fee; the phone number (claimed by the stack or routed to it) and call minutes."""

from __future__ import annotations

from typing import Any

from stacks.cost.model import FIXED, USAGE, Line
from stacks.cost.pricers.context import DAYS_PER_MONTH, Context, amount, line

CATEGORY = "call center"
ASSOCIATION = "Custom::PhoneNumberContactFlow"  # stacks/constructs/call_center_phone.py: an existing number


def instance(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    kind = resource["Type"]
    claimed = ctx.of_type("AWS::Connect::PhoneNumber")
    routed = ctx.of_type(ASSOCIATION)
    # without a number nobody can call in: the assumed minutes only apply once one is claimed or routed
    minutes = ctx.usage.number("connect", "inbound_minutes_per_month") if claimed or routed else 0
    charges = [
        ctx.charge(minutes, "inbound minutes", "connect_voice_minute"),
        ctx.charge(minutes, "DID inbound minutes", "connect_kr_did_inbound_minute"),
    ]
    if resource.get("Properties", {}).get("Attributes", {}).get("ContactLens"):
        charges.append(ctx.charge(minutes, "minutes analysed (Contact Lens on)", "connect_contact_lens_minute"))
    lines = [line(logical_id, kind, "calls", USAGE, CATEGORY, *charges)]
    if not claimed and routed:
        lines.append(
            line(
                logical_id,
                kind,
                "phone number (claimed outside the stack, routed to its flow)",
                FIXED,
                CATEGORY,
                ctx.charge(round(DAYS_PER_MONTH * len(routed), 2), "number-days", "connect_kr_did_day"),
            )
        )
    elif not claimed:
        lines.append(
            line(
                logical_id,
                kind,
                "phone number: none claimed or routed (connect_phone_number_arn unset)",
                FIXED,
                CATEGORY,
                ctx.charge(0, "number-days", "connect_kr_did_day"),
            )
        )
    return lines


def phone_number(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return [
        line(
            logical_id,
            resource["Type"],
            "phone number claimed by the stack",
            FIXED,
            CATEGORY,
            ctx.charge(round(DAYS_PER_MONTH, 2), f"number-days ({amount(1)} DID)", "connect_kr_did_day"),
        )
    ]


PRICERS = {"AWS::Connect::Instance": instance, "AWS::Connect::PhoneNumber": phone_number}
