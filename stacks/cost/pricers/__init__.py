"""One pricer per billable resource type: ``PRICERS[type](context, logical_id, resource) -> [Line]``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stacks.cost.model import Line
from stacks.cost.pricers import call_center, compute, data, edge, network, observability, serverless, streams
from stacks.cost.pricers.context import Context

Pricer = Callable[[Context, str, dict[str, Any]], list[Line]]

PRICERS: dict[str, Pricer] = {
    **network.PRICERS,
    **compute.PRICERS,
    **observability.PRICERS,
    **data.PRICERS,
    **serverless.PRICERS,
    **edge.PRICERS,
    **call_center.PRICERS,
    **streams.PRICERS,
}
