"""``python -m stacks.cost CDK_OUT [--json] [--k8s DIR]`` and ``python -m stacks.cost diff BASE HEAD [--json]``.

Exit 0 with an estimate of every stack; 1 when a template holds a resource type that is neither priced nor declared
free in the price table (named on stderr, with its logical ids); 2 when no estimate can be made (no cdk.out, a
missing usage assumption, a malformed table).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stacks.cost import assembly, diff, estimate, report, tables
from stacks.cost.model import CostError, StackEstimate

K8S_DIR = Path(__file__).resolve().parent.parent.parent / "k8s"


def _parse(argv: list[str]) -> argparse.Namespace:
    if argv[:1] == ["diff"]:
        parser = argparse.ArgumentParser(
            prog="python -m stacks.cost diff", description="monthly difference of two cloud assemblies"
        )
        parser.add_argument("base", type=Path, help="the base's cdk.out")
        parser.add_argument("head", type=Path, help="this change's cdk.out")
        parser.add_argument("--base-k8s", type=Path, default=K8S_DIR, help="the base's k8s/ (default: this checkout's)")
        parser.add_argument("--head-k8s", type=Path, default=K8S_DIR, help="the head's k8s/ (default: this checkout's)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
        parser.add_argument("--prices", type=Path, default=tables.PRICES_DIR, help="price table and usage files")
        args = parser.parse_args(argv[1:])
        args.command = "diff"
        return args
    parser = argparse.ArgumentParser(prog="python -m stacks.cost", description=__doc__.splitlines()[0])
    parser.add_argument("cdk_out", type=Path, help="the cloud assembly, e.g. cdk.out")
    parser.add_argument("--json", action="store_true", help="print the JSON of the make cost contract")
    parser.add_argument("--k8s", type=Path, default=K8S_DIR, help="the k8s/ whose overlays give the minimum pods")
    parser.add_argument("--prices", type=Path, default=tables.PRICES_DIR, help="price table and usage files")
    args = parser.parse_args(argv)
    args.command = "estimate"
    return args


def _unpriced(estimates: list[StackEstimate]) -> list[str]:
    return [
        f"{e.name}: {kind} is neither priced nor declared free in the price table ({', '.join(ids)})"
        for e in estimates
        for kind, ids in e.unpriced.items()
    ]


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "diff":
            _, base = estimate.estimate(assembly.load(args.base), k8s_dir=args.base_k8s, prices_dir=args.prices)
            _, head = estimate.estimate(assembly.load(args.head), k8s_dir=args.head_k8s, prices_dir=args.prices)
            estimates = base + head
            diffs = diff.compare(base, head)
            sys.stdout.write((diff.render_json(diffs) if args.json else diff.render_markdown(diffs)) + "\n")
        else:
            prices, estimates = estimate.estimate(assembly.load(args.cdk_out), k8s_dir=args.k8s, prices_dir=args.prices)
            unconfirmed = estimate.unconfirmed(prices, estimates)
            render = report.render_json if args.json else report.render_text
            sys.stdout.write(render(prices, estimates, unconfirmed) + "\n")
    except CostError as error:
        sys.stderr.write(f"cost: {error}\n")
        return 2
    problems = _unpriced(estimates)
    for problem in problems:
        sys.stderr.write(f"cost: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
