"""``python -m stacks.preflight --env dev|prod [--json] [--cdk-out DIR]``: read-only AWS checks before a deploy.

Exit 0 when every check passes, 1 when any fails, 2 when the checks cannot run (no synthesized template, no
credentials, AWS unreachable). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stacks.config import ENVIRONMENTS
from stacks.preflight import assembly, report, runner, session
from stacks.preflight.checks import CHECKS

STACKS = {config.name: config.stack_name for config in ENVIRONMENTS}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m stacks.preflight", description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, choices=sorted(STACKS), help="the environment to deploy")
    parser.add_argument("--json", action="store_true", help='print {"checks": [{"name", "ok", "detail"}]}')
    parser.add_argument("--cdk-out", default="cdk.out", type=Path, help="the cloud assembly (default: cdk.out)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        target = assembly.load(args.cdk_out, env=args.env, stack_name=STACKS[args.env], environ=os.environ)
        context = session.connect(target)
    except (assembly.AssemblyError, session.SessionError) as error:
        sys.stderr.write(f"preflight: {error}\n")
        return 2
    results = runner.run(CHECKS, context)
    rendered = (
        report.render_json(results) if args.json else report.render_table(results, target, context.caller_account)
    )
    sys.stdout.write(rendered + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
