"""Keys, secrets, tables, buckets, image repositories, queues, topics and backups."""

from __future__ import annotations

import json
from typing import Any

from stacks.cost.model import FIXED, USAGE, CostError, Line
from stacks.cost.pricers import call_center
from stacks.cost.pricers.context import DAYS_PER_MONTH, Context, amount, line, refs

CATEGORY = "data"


def _monthly_fee_and_calls(
    ctx: Context, logical_id: str, kind: str, *, thing: str, fee: str, calls: tuple[str, str, str]
) -> list[Line]:
    """One ``thing`` per month (price ``fee``) plus its API calls: (usage key, line name, price per 10,000)."""
    usage_key, name, price = calls
    return [
        line(logical_id, kind, thing, FIXED, "security", ctx.charge(1, thing, fee)),
        line(
            logical_id,
            kind,
            name,
            USAGE,
            "security",
            ctx.charge(ctx.usage.number(usage_key), "calls", price, per=10_000),
        ),
    ]


def kms_key(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return _monthly_fee_and_calls(
        ctx,
        logical_id,
        resource["Type"],
        thing="KMS key",
        fee="kms_key_month",
        calls=("kms_requests_per_key_month", "KMS requests", "kms_requests_10k"),
    )


def secret(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return _monthly_fee_and_calls(
        ctx,
        logical_id,
        resource["Type"],
        thing="secret",
        fee="secret_month",
        calls=("secret_api_calls_per_secret_month", "secret API calls", "secret_api_10k"),
    )


def table(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    properties = resource.get("Properties", {})
    if properties.get("BillingMode") != "PAY_PER_REQUEST":
        raise CostError(f"{logical_id}: only on-demand (PAY_PER_REQUEST) DynamoDB tables are priced")
    usage = ctx.usage.for_resource("dynamodb_tables", logical_id)
    days = DAYS_PER_MONTH
    writes, reads, gb = (float(usage[k]) for k in ("writes_per_day", "reads_per_day", "storage_gb"))
    charges = [
        ctx.charge(round(writes * days), f"writes ({amount(writes)}/day)", "dynamodb_write_million", per=1e6),
        ctx.charge(round(reads * days), f"reads ({amount(reads)}/day)", "dynamodb_read_million", per=1e6),
        ctx.charge(gb, "GB", "dynamodb_storage_gb_month"),
    ]
    if properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        charges.append(ctx.charge(gb, "GB with PITR", "dynamodb_pitr_gb_month"))
    return [line(logical_id, resource["Type"], "on-demand table", USAGE, CATEGORY, *charges)]


def bucket(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    held = call_center.recordings(ctx, logical_id, resource)  # a Connect recording bucket: from the call minutes
    gb, label = held if held else (float(ctx.usage.for_resource("s3_buckets", logical_id)["storage_gb"]), "GB")
    return [
        line(logical_id, resource["Type"], "S3 storage", USAGE, CATEGORY, ctx.charge(gb, label, "s3_standard_gb_month"))
    ]


def kept_images(resource: dict[str, Any]) -> int | None:
    """The lifecycle policy's ``imageCountMoreThan`` (the newest images ECR keeps), if it has one."""
    text = resource.get("Properties", {}).get("LifecyclePolicy", {}).get("LifecyclePolicyText")
    if not isinstance(text, str):
        return None
    counts = [
        int(rule["selection"]["countNumber"])
        for rule in json.loads(text).get("rules", [])
        if rule.get("selection", {}).get("countType") == "imageCountMoreThan"
    ]
    return max(counts) if counts else None


def repository(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    image_gb = ctx.usage.number("ecr", "image_gb")
    images = kept_images(resource)
    if images is None:
        images, where = int(ctx.usage.number("ecr", "images_without_lifecycle")), "images (no count rule)"
    else:
        where = "images kept by its lifecycle policy"
    gb = images * image_gb
    return [
        line(
            logical_id,
            resource["Type"],
            "ECR storage",
            USAGE,
            CATEGORY,
            ctx.charge(round(gb, 3), f"GB ({images} {where} x {amount(image_gb)} GB)", "ecr_storage_gb_month"),
        )
    ]


def queue(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    requests = ctx.usage.number("sqs_requests_per_queue_month")
    return [
        line(
            logical_id,
            resource["Type"],
            "SQS requests",
            USAGE,
            CATEGORY,
            ctx.charge(requests, "requests", "sqs_requests_million", per=1e6),
        )
    ]


def topic(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    publishes = ctx.usage.number("sns_publishes_per_topic_month")
    return [
        line(
            logical_id,
            resource["Type"],
            "SNS publishes",
            USAGE,
            "observability",
            ctx.charge(publishes, "publishes", "sns_publishes_million", per=1e6),
        )
    ]


def backup_selection(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    """Daily full DynamoDB backups: every recovery point the plan keeps holds the selected tables' size."""
    selection = resource.get("Properties", {}).get("BackupSelection", {})
    tables = sorted(
        t
        for t in refs(selection.get("Resources", []))
        if ctx.resources.get(t, {}).get("Type") == "AWS::DynamoDB::Table"
    )
    if not tables or len(tables) != len(selection.get("Resources", [])):
        raise CostError(f"{logical_id}: only backup selections of this template's DynamoDB tables are priced")
    plans = refs(resource.get("Properties", {}).get("BackupPlanId"))
    rules = [rule for plan in plans for rule in ctx.resources[plan]["Properties"]["BackupPlan"]["BackupPlanRule"]]
    points = sum(int(rule.get("Lifecycle", {}).get("DeleteAfterDays", 0)) for rule in rules)
    gb = sum(float(ctx.usage.for_resource("dynamodb_tables", t)["storage_gb"]) for t in tables)
    return [
        line(
            logical_id,
            resource["Type"],
            "DynamoDB backups",
            USAGE,
            CATEGORY,
            ctx.charge(
                round(gb * points, 3),
                f"GB ({len(tables)} tables, {amount(gb)} GB x {points} daily points)",
                "backup_dynamodb_warm_gb_month",
            ),
        )
    ]


PRICERS = {
    "AWS::KMS::Key": kms_key,
    "AWS::SecretsManager::Secret": secret,
    "AWS::DynamoDB::Table": table,
    "AWS::S3::Bucket": bucket,
    "AWS::ECR::Repository": repository,
    "AWS::SQS::Queue": queue,
    "AWS::SNS::Topic": topic,
    "AWS::Backup::BackupSelection": backup_selection,
}
