"""``python -m stacks.dashboards [--check] [--promtool PATH] [--out DIR]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stacks.dashboards import ASSETS, generate, stale
from stacks.dashboards.promql import expressions, parse_errors, promtool_errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stacks.dashboards", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the committed JSON instead of writing it")
    parser.add_argument("--promtool", help="also parse every PromQL expression with this promtool")
    parser.add_argument("--out", type=Path, default=ASSETS, help="directory of the JSON files (default: %(default)s)")
    args = parser.parse_args(argv)

    files = generate()
    problems: list[str] = []
    if args.check:
        problems += [f"{line} (run `make dashboards`)" for line in stale(args.out)]
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        for old in args.out.glob("*.json"):
            if old.name not in files:
                old.unlink()
        for name, text in files.items():
            (args.out / name).write_text(text)
    exprs = [expr for name, text in files.items() for expr in expressions(name[: -len(".json")], json.loads(text))]
    problems += parse_errors(exprs)
    if args.promtool:
        problems += promtool_errors(exprs, args.promtool)
    for line in problems:
        sys.stderr.write(f"{line}\n")
    if not problems:
        verb = "up to date" if args.check else "written"
        parsers = "promql_parser and promtool" if args.promtool else "promql_parser"
        sys.stdout.write(
            f"{len(files)} dashboards {verb} in {args.out}; {len(exprs)} PromQL expressions pass {parsers}\n"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
