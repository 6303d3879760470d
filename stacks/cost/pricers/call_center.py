"""Amazon Connect: no instance fee; the phone number (claimed by the stack or routed to it), call minutes, Contact
Lens' analysed minutes, queued callbacks' outbound minutes, and the recordings a Contact Lens instance keeps."""

from __future__ import annotations

from typing import Any

from stacks.cost.model import FIXED, USAGE, CostError, Line
from stacks.cost.pricers.context import DAYS_PER_MONTH, Context, amount, line, refs

CATEGORY = "call center"
ASSOCIATION = "Custom::PhoneNumberContactFlow"  # stacks/constructs/call_center_phone.py: an existing number
STORAGE = "AWS::Connect::InstanceStorageConfig"
MB_PER_GB = 1024


def _minutes(ctx: Context, key: str) -> float:
    """Assumed minutes of ``key``; without a number nobody can call in, so they apply once one is claimed or routed."""
    numbered = ctx.of_type("AWS::Connect::PhoneNumber") or ctx.of_type(ASSOCIATION)
    return ctx.usage.number("connect", key) if numbered else 0.0


def instance(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    kind = resource["Type"]
    claimed = ctx.of_type("AWS::Connect::PhoneNumber")
    routed = ctx.of_type(ASSOCIATION)
    minutes = _minutes(ctx, "inbound_minutes_per_month")
    charges = [
        ctx.charge(minutes, "inbound minutes", "connect_voice_minute"),
        ctx.charge(minutes, "DID inbound minutes", "connect_kr_did_inbound_minute"),
    ]
    attributes = resource.get("Properties", {}).get("Attributes", {})
    if attributes.get("ContactLens"):
        # Post-call analytics runs on the recording, i.e. the minutes with an agent (recorded once one answers).
        recorded = _minutes(ctx, "recorded_minutes_per_month")
        if recorded > minutes:
            raise CostError(f"connect.recorded_minutes_per_month in {ctx.usage.path} exceeds the inbound minutes")
        charges.append(ctx.charge(recorded, "recorded minutes analysed (Contact Lens)", "connect_contact_lens_minute"))
    if attributes.get("OutboundCalls"):
        # Queued callbacks: Connect dials the customer back, an outbound call of service usage and telephony.
        callback = _minutes(ctx, "callback_minutes_per_month")
        charges.append(ctx.charge(callback, "callback minutes", "connect_voice_minute"))
        charges.append(ctx.charge(callback, "outbound minutes to Korean numbers", "connect_kr_outbound_minute"))
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


def recordings(ctx: Context, bucket_id: str, resource: dict[str, Any]) -> tuple[float, str] | None:
    """The GB a Connect CALL_RECORDINGS bucket holds once its lifecycle expiry is reached, or None for other buckets:
    a month's recorded minutes x the recording size, kept for the bucket's expiry (Contact Lens' JSON is negligible)."""
    targets = [
        r
        for r in ctx.of_type(STORAGE).values()
        if r.get("Properties", {}).get("ResourceType") == "CALL_RECORDINGS"
        and bucket_id in refs(r["Properties"].get("S3Config", {}).get("BucketName"))
    ]
    if not targets:
        return None
    rules = resource.get("Properties", {}).get("LifecycleConfiguration", {}).get("Rules", [])
    days = [int(r["ExpirationInDays"]) for r in rules if r.get("Status") == "Enabled" and "ExpirationInDays" in r]
    if not days:
        raise CostError(f"{bucket_id}: a recording bucket without an expiry would grow forever; it is not priced")
    minutes = _minutes(ctx, "recorded_minutes_per_month")
    size = ctx.usage.number("connect", "recording_mb_per_minute")
    months = min(days) / DAYS_PER_MONTH
    gb = minutes * size / MB_PER_GB * months
    return round(gb, 3), (f"GB of recordings ({amount(minutes)} min/month x {amount(size)} MB, kept {min(days)} days)")


PRICERS = {"AWS::Connect::Instance": instance, "AWS::Connect::PhoneNumber": phone_number}
