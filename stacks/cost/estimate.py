"""Price every resource of a stack's template; collect the types that are neither priced nor declared free."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stacks.cost import tables, workloads
from stacks.cost.assembly import SynthesizedStack
from stacks.cost.model import CostError, Line, PriceTable, StackEstimate, Usage
from stacks.cost.pricers import PRICERS
from stacks.cost.pricers.context import Context
from stacks.cost.workloads import Workloads


def estimate_stack(
    stack: SynthesizedStack, prices: PriceTable, usage: Usage, load_workloads: Callable[[], Workloads]
) -> StackEstimate:
    resources = stack.template.get("Resources", {})
    context = Context(prices=prices, usage=usage, resources=resources, load_workloads=load_workloads)
    lines: list[Line] = []
    unpriced: dict[str, list[str]] = {}
    free: dict[str, int] = {}
    for logical_id, resource in resources.items():
        kind = str(resource.get("Type"))
        pricer = PRICERS.get(kind)
        if pricer is None:
            if kind in prices.free:
                free[kind] = free.get(kind, 0) + 1
            else:
                unpriced.setdefault(kind, []).append(logical_id)
            continue
        try:
            priced = pricer(context, logical_id, resource)
        except (KeyError, TypeError, ValueError) as error:
            raise CostError(f"{stack.name}/{logical_id} ({kind}): cannot price it: {error!r}") from error
        if not priced:
            free[kind] = free.get(kind, 0) + 1  # e.g. a gateway VPC endpoint
        lines.extend(priced)
    return StackEstimate(
        name=stack.name,
        environment=stack.environment,
        lines=tuple(lines),
        unpriced={kind: tuple(ids) for kind, ids in sorted(unpriced.items())},
        free=dict(sorted(free.items())),
        usage_path=usage.path,
        usage=usage.values,
    )


def workloads_loader(k8s_dir: Path, environment: str, usage: Usage) -> Callable[[], Workloads]:
    """Renders the environment's k8s overlays only when a template has a cluster to put the pods on."""

    def load() -> Workloads:
        default = {
            "cpu_m": usage.number("cluster", "unrequested_pod", "cpu_m"),
            "memory_mi": usage.number("cluster", "unrequested_pod", "memory_mi"),
        }
        extra = {str(k): int(v) for k, v in (usage.get("cluster", "pods_outside_k8s_dir") or {}).items()}
        return workloads.load(k8s_dir, environment, default=default, extra=extra)

    return load


def estimate(
    stacks: list[SynthesizedStack], *, k8s_dir: Path, prices_dir: Path = tables.PRICES_DIR
) -> tuple[PriceTable, list[StackEstimate]]:
    regions = {stack.region for stack in stacks}
    if len(regions) != 1:
        raise CostError(f"the stacks span several regions ({', '.join(sorted(regions))}): one price table each")
    prices = tables.load_prices(regions.pop(), prices_dir)
    estimates = []
    for stack in stacks:
        usage = tables.load_usage(stack.environment, prices_dir)
        estimates.append(estimate_stack(stack, prices, usage, workloads_loader(k8s_dir, stack.environment, usage)))
    return prices, estimates


def unconfirmed(prices: PriceTable, estimates: list[StackEstimate]) -> list[str]:
    """The keys of the unconfirmed prices the estimates used."""
    used = {charge.price for e in estimates for line in e.lines for charge in line.charges}
    return sorted(key for key in used if not prices.prices[key].confirmed)
