"""Kinesis data streams: shard-hours (provisioned) or stream-hours and data in (on demand), PUT payload units, and
retention beyond the included 24 hours (Kinesis Data Streams pricing page, both capacity modes)."""

from __future__ import annotations

import math
from typing import Any

from stacks.cost.model import FIXED, USAGE, CostError, Line
from stacks.cost.pricers.context import Context, amount, line

CATEGORY = "data"
INCLUDED_RETENTION_HOURS = 24  # "stored for 24 hours by default" at no extra charge
EXTENDED_RETENTION_HOURS = 168  # extended retention reaches seven days; longer is long-term retention, not priced here
PUT_PAYLOAD_UNIT_KB = 25  # a provisioned PUT payload unit is a record, or a 25 KB chunk of one
KB_PER_GB = 1024 * 1024


def stream(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    properties = resource.get("Properties", {})
    kind = resource["Type"]
    usage = ctx.usage.for_resource("kinesis_streams", logical_id)
    records, record_kb = float(usage["records_per_month"]), float(usage["record_kb"])
    retention = int(properties.get("RetentionPeriodHours", INCLUDED_RETENTION_HOURS))
    if retention > EXTENDED_RETENTION_HOURS:
        raise CostError(f"{logical_id}: retention above {EXTENDED_RETENTION_HOURS} h (long-term) is not priced")
    mode = properties.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED")
    if mode == "ON_DEMAND":
        gb_in = records * math.ceil(record_kb) / KB_PER_GB  # on demand bills each record rounded up to 1 KB
        return [
            line(
                logical_id,
                kind,
                "on-demand stream",
                FIXED,
                CATEGORY,
                ctx.hourly(1, "stream", "kinesis_on_demand_stream_hour"),
            ),
            line(
                logical_id,
                kind,
                "stream data in",
                USAGE,
                CATEGORY,
                ctx.charge(round(gb_in, 6), f"GB ({amount(records)} records)", "kinesis_on_demand_gb_in"),
            ),
        ]
    shards = int(properties.get("ShardCount", 1))
    fixed = [ctx.hourly(shards, "shards", "kinesis_shard_hour", show_count=True)]
    if retention > INCLUDED_RETENTION_HOURS:
        fixed.append(ctx.hourly(shards, "shards kept > 24 h", "kinesis_extended_retention_shard_hour", show_count=True))
    units = records * math.ceil(record_kb / PUT_PAYLOAD_UNIT_KB)
    return [
        line(logical_id, kind, "provisioned stream", FIXED, CATEGORY, *fixed),
        line(
            logical_id,
            kind,
            "stream PUT payload units",
            USAGE,
            CATEGORY,
            ctx.charge(units, f"PUT units ({amount(records)} records)", "kinesis_put_units_million", per=1e6),
        ),
    ]


PRICERS = {"AWS::Kinesis::Stream": stream}
